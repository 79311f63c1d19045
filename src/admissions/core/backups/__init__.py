"""Backups of the whole platform: the database and the documents' storage in one archive.

    manifest.json      what the archive holds: format, version, migrations, row counts per
                       table, every file with its size and SHA-256
    database.sqlite3   SQLite: a copy made by SQLite's online backup API
    database.dump      PostgreSQL: pg_dump's custom format
    files/<name>       every object of the default storage, under its own name

`archive.create` writes one; `archive.restore` puts one back into an empty instance (see
docs/operations.md).
"""
