"""Storage port and its adapters (SQLAlchemy for SQLite/PostgreSQL, in-memory fake for unit tests)."""
