"""The sessions' table: Django's columns and the signed-in user's key beside them.

The key is copied from the session's data (`_auth_user_id`) each time the store saves
(`people/sessions.py`), so that one statement reads a request's session and its user's row
together (a LEFT JOIN: no user, no row of theirs). It is a copy for the join only: the
user a request is signed in as is still the one the session's data names, checked as Django
checks it (`people/authentication.py`). No constraint ties it to the users' table: deleting
a user leaves their sessions, which then join no row and sign no one in.
"""

from __future__ import annotations

from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class Session(AbstractBaseSession):
    user = models.ForeignKey(
        "people.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )

    class Meta(AbstractBaseSession.Meta):
        db_table = "people_session"
