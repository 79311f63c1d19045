"""Many emails of one kind queued at once: a jury's publication, the offers it opens.

The rows, their history lines and their delivery are those `outbox.to_candidate` writes one
by one; only the work is shared. Emails that differ only by some text values (the name, the
reference, the link) are rendered once per language, institution and site with a marker in
place of each such value, and the markers are then replaced (escaped in the HTML part). The
first email of each group is also rendered in full and compared: if the shared rendering
does not give exactly the same email, the group is rendered email by email.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial

from django.db import transaction

from admissions.applications.history import record_events
from admissions.applications.models import Application, ApplicationEvent
from admissions.catalog.models import Institution, Site
from admissions.notify.context import footer_of, language_of
from admissions.notify.kinds import Kind
from admissions.notify.kinds import kind as kind_of
from admissions.notify.markers import fill, marker
from admissions.notify.models import Notification
from admissions.notify.outbox import _message_id, idempotency_key
from admissions.notify.queue import schedule_many
from admissions.notify.render import Rendered, override_for, render
from admissions.notify.restricted import Value

BATCH = 1000


@dataclass(frozen=True)
class ToCandidate:
    """One email about a file to its candidate (as `outbox.to_candidate` takes it)."""

    application: Application
    event: str
    values: Mapping[str, Value]


def _shared(
    kind: Kind,
    items: Sequence[ToCandidate],
    language: str,
    institution: Institution,
    site: Site | None,
) -> list[Rendered]:
    footer = footer_of(institution, site)
    wording = override_for(institution, kind, language)

    def full(item: ToCandidate) -> Rendered:
        return render(kind, item.values, language=language, footer=footer, wording=wording)

    first = items[0].values
    keys = sorted(first)
    varying = [
        key
        for key in keys
        if isinstance(first[key], str)
        and all(isinstance(item.values.get(key), str) for item in items)
        and any(item.values.get(key) != first[key] for item in items)
    ]
    fixed = [key for key in keys if key not in varying]
    groups: dict[tuple[object, ...], list[int]] = defaultdict(list)
    for index, item in enumerate(items):
        same = tuple(
            (key, tuple(v) if isinstance(v := item.values.get(key), list) else v) for key in fixed
        )
        groups[(tuple(sorted(item.values)), same)].append(index)
    rendered: list[Rendered | None] = [None] * len(items)
    markers = {key: marker(n) for n, key in enumerate(varying)}
    for indexes in groups.values():
        sample = items[indexes[0]]
        template = render(
            kind,
            {**sample.values, **markers},
            language=language,
            footer=footer,
            wording=wording,
        )

        # Markers must not change the layout (a value tested or filtered): check one in full.
        exact = fill(template, markers, sample.values) == full(sample)
        for index in indexes:
            item = items[index]
            rendered[index] = fill(template, markers, item.values) if exact else full(item)
    return [r for r in rendered if r is not None]


def to_candidates(code: str, items: Sequence[ToCandidate]) -> list[Notification]:
    """Queue one email of `code` per item, as `outbox.to_candidate` would, in bulk.

    Call it inside the transaction of the event; an item whose key was already used is
    skipped (its first row stands), as `enqueue` does. Returns the rows written.
    """
    if not items:
        return []
    kind = kind_of(code)
    keyed = [
        (idempotency_key(kind, item.event, str(item.application.candidate.pk)), item)
        for item in items
    ]
    used = set(
        Notification.objects.filter(key__in=[key for key, _item in keyed]).values_list(
            "key", flat=True
        )
    )
    fresh: dict[str, ToCandidate] = {}
    for key, item in keyed:
        if key not in used:
            fresh.setdefault(key, item)
    groups: dict[tuple[str, Institution, Site | None], list[str]] = defaultdict(list)
    for key, item in fresh.items():
        programme = item.application.programme
        language = language_of(item.application.candidate)
        groups[(language, programme.institution, programme.site)].append(key)
    rows: list[Notification] = []
    for (language, institution, site), keys in groups.items():
        batch = [fresh[key] for key in keys]
        for key, item, rendered in zip(
            keys, batch, _shared(kind, batch, language, institution, site), strict=True
        ):
            application = item.application
            rows.append(
                Notification(
                    key=key,
                    kind=kind.code,
                    audience=kind.audience,
                    application=application,
                    institution=institution,
                    recipient=application.candidate,
                    to_address=application.candidate.email,
                    reply_to=institution.contact_email,
                    language=language,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    sensitive=kind.sensitive,
                    message_id=_message_id(),
                )
            )
    created = Notification.objects.bulk_create(rows, batch_size=BATCH)
    record_events(
        [
            ApplicationEvent(
                application_id=row.application_id or 0,
                actor=None,
                action="notification.queued",
                details={
                    "notification": row.pk,
                    "kind": row.kind,
                    "audience": row.audience,
                    "to": row.to_address,
                    "subject": row.subject,
                },
            )
            for row in created
        ]
    )
    transaction.on_commit(partial(schedule_many, [row.pk for row in created]), robust=True)
    return created
