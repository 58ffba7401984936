"""Event bus port and its adapters (in-process by default, Redis pub/sub for several instances)."""
