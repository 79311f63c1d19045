"""The PostgreSQL database engine: Django's, without a health check of a connection that
answered a moment ago."""
