"""Sessions move to the people app's table, which keeps the signed-in user's key beside each.

Every unexpired session of Django's table is copied, its user's key read from its signed data
(a row that does not decode gets none and signs no one in, as before), in batches so that
a million sessions never sit in memory at once; Django's table is then emptied. Nobody is
signed out: the data, keys and signatures are the same. Going back copies them back.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import migrations, models
from django.utils import timezone
from django.utils.module_loading import import_string

# What Django's stores sign a session with (and ours: people/sessions.py).
SALT = "django.contrib.sessions.SessionStore"
BATCH = 2_000


def _user_id(data: str, to_python: Any) -> Any:
    try:
        decoded = signing.loads(
            data, salt=SALT, serializer=import_string(settings.SESSION_SERIALIZER)
        )
        return to_python(decoded["_auth_user_id"])
    except (signing.BadSignature, ValueError, TypeError, KeyError, ValidationError):
        return None


def _move(source: Any, target: Any, alias: str, user_of: Any) -> None:
    last = ""
    now = timezone.now()
    while True:
        rows = list(
            source.objects.using(alias)
            .filter(session_key__gt=last, expire_date__gt=now)
            .order_by("session_key")
            .values_list("session_key", "session_data", "expire_date")[:BATCH]
        )
        if not rows:
            break
        target.objects.using(alias).bulk_create(
            [
                target(session_key=key, session_data=data, expire_date=expires, **user_of(data))
                for key, data, expires in rows
            ],
            ignore_conflicts=True,
        )
        last = rows[-1][0]
    source.objects.using(alias).all().delete()


def copy_sessions(apps: Any, schema_editor: Any) -> None:
    to_python = apps.get_model("people", "User")._meta.pk.to_python
    _move(
        apps.get_model("sessions", "Session"),
        apps.get_model("people", "Session"),
        schema_editor.connection.alias,
        lambda data: {"user_id": _user_id(data, to_python)},
    )


def copy_sessions_back(apps: Any, schema_editor: Any) -> None:
    _move(
        apps.get_model("people", "Session"),
        apps.get_model("sessions", "Session"),
        schema_editor.connection.alias,
        lambda data: {},
    )


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0009_education_work_updated_at"),
        ("sessions", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Session",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "db_table": "people_session",
                "abstract": False,
            },
        ),
        migrations.RunPython(copy_sessions, copy_sessions_back),
    ]
