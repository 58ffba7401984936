"""One module per page: each has a `register(...)` that adds its routes."""
