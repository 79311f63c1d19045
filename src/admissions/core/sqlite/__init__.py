"""The SQLite database engine of the embedded set-up: Django's, with writers taking turns."""
