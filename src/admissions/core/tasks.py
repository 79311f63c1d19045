"""Platform-level background tasks."""

from __future__ import annotations

from django_tasks import task


@task()
def echo(token: str) -> str:
    """Return its argument: proves a worker picks up and finishes tasks end to end."""
    return token
