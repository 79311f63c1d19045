"""The data and requests of `load.py`, on top of the staff lists' generator.

Runs inside the bench's own Django process, once the database holds the generated files.
Each function returns requests as `Request` rows, which `load.py` writes to the files that
wrk's script reads (one request a line).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from staff_lists import FEE_CENTS, RULEBOOKS, batches, financing_mode

SESSION_COOKIE = "sessionid"
CSRF_COOKIE = "csrftoken"
# A fixed, unmasked CSRF secret: Django accepts it in the header when it equals the cookie.
CSRF_SECRET = "b" * 32
# Candidates whose status page is requested, each with a history of a few events.
STATUS_PAGE_CANDIDATES = 256
# Events written on each of those files before the move to its current status.
HISTORY = [
    ("application.created", "", "draft"),
    ("application.draft_saved", "", ""),
    ("application.draft_saved", "", ""),
    ("payment.charged", "", ""),
    ("payment.received", "", ""),
    ("application.submit", "draft", "submitted"),
]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    session: str = ""
    body: str = ""
    # An API token, sent as `Authorization: Bearer ...`.
    bearer: str = ""

    def line(self) -> str:
        cookie = f"{SESSION_COOKIE}={self.session}; {CSRF_COOKIE}={CSRF_SECRET}"
        unsafe = self.method not in ("GET", "HEAD")
        return "\t".join(
            [
                self.method,
                self.path,
                cookie if self.session else "",
                CSRF_SECRET if self.session and unsafe else "",
                self.body,
                f"Bearer {self.bearer}" if self.bearer else "",
            ]
        )


def write_requests(path: Path, requests: list[Request]) -> Path:
    path.write_text("".join(request.line() + "\n" for request in requests), encoding="utf-8")
    return path


def open_demo_campaigns() -> None:
    """The shipped rules moved to the year under way, as `seed_demo` does: open today."""
    from django.utils import timezone

    from admissions.demo.campaigns import load_demo_campaign
    from admissions.rules.deadlines import paris_date

    today = paris_date(timezone.now())
    for path in RULEBOOKS:
        load_demo_campaign(path, today)


def sessions_for(user_ids: list[int]) -> dict[int, str]:
    """A signed-in session for each user, written in bulk: session key by user id."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from admissions.people import session_expiry
    from admissions.people.models import Session, User
    from admissions.people.sessions import SessionStore

    store = SessionStore()
    now = time.time()
    expires = timezone.now() + dt.timedelta(days=1)
    keys: dict[int, str] = {}
    for chunk in batches(len(user_ids)):
        users = User.objects.in_bulk([user_ids[i] for i in chunk])
        rows = []
        for pk, user in users.items():
            data = {
                SESSION_KEY: str(pk),
                BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                HASH_SESSION_KEY: user.get_session_auth_hash(),
                # Logged in with a password and an authenticator code, as staff must.
                _AUTHENTICATION_METHODS_USER_SESSION_KEY: str(pk),
                AUTHENTICATION_METHODS_SESSION_KEY: [
                    {"method": "password", "at": now, "email": user.email},
                    {"method": "mfa", "at": now, "type": "totp"},
                ],
                # The idle clock a log-in starts: the first request does not write it.
                session_expiry.SINCE: int(now),
                session_expiry.SEEN: int(now),
            }
            keys[pk] = get_random_string(32)
            rows.append(
                Session(
                    session_key=keys[pk],
                    session_data=store.encode(data),
                    expire_date=expires,
                    user_id=pk,
                )
            )
        Session.objects.bulk_create(rows)
    return keys


def status_pages(rng: random.Random) -> list[Request]:
    """Status pages of generated, submitted files, each given a short history first."""
    from django.urls import reverse
    from django.utils import timezone

    from admissions.applications.models import Application, ApplicationEvent

    files = list(
        Application.objects.exclude(status="draft")
        .order_by("pk")
        .values("pk", "reference", "candidate_id", "status")[: STATUS_PAGE_CANDIDATES * 4]
    )
    chosen: dict[int, dict[str, Any]] = {}
    for item in rng.sample(files, len(files)):
        chosen.setdefault(item["candidate_id"], item)
        if len(chosen) == STATUS_PAGE_CANDIDATES:
            break
    start = timezone.now() - dt.timedelta(days=30)
    events = []
    for item in chosen.values():
        steps = list(HISTORY)
        if item["status"] != "submitted":
            steps.append((f"application.{item['status']}", "submitted", item["status"]))
        for day, (action, from_status, to_status) in enumerate(steps):
            event = ApplicationEvent(
                application_id=item["pk"],
                actor_id=item["candidate_id"],
                action=action,
                from_status=from_status,
                to_status=to_status,
            )
            events.append((event, start + dt.timedelta(days=day)))
    ApplicationEvent.objects.bulk_create([event for event, _ in events])
    # `at` is set on insert (auto_now_add): spread it over the days, as a real history.
    for event, at in events:
        event.at = at
    ApplicationEvent.objects.bulk_update([event for event, _ in events], ["at"], batch_size=2000)
    sessions = sessions_for(list(chosen))
    return [
        Request(
            "GET",
            reverse("portal:application_status", args=[item["reference"]]),
            sessions[candidate],
        )
        for candidate, item in chosen.items()
    ]


def eligibility_checks() -> list[Request]:
    """The public self-check, for each open programme, one eligible and one refused answer."""
    from admissions.applications.choices import open_campaigns, programmes_of

    requests = []
    for campaign in open_campaigns():
        for programme in programmes_of(campaign):
            track = campaign.rules.programme(programme.slug).tracks[0]
            for level, kind, experience in ((5, "master_m2", "0"), (3, "licence", "1")):
                body = {
                    "institution": campaign.institution.slug,
                    "programme": programme.slug,
                    "track": str(track),
                    "nationality": "FR",
                    "residence_country": "FR",
                    "diploma": {"level": level, "kind": kind, "country": "FR", "year": 2020},
                    "experience_years": experience,
                }
                requests.append(Request("POST", "/api/v1/eligibility/check", body=json.dumps(body)))
    return requests


def draft_choices() -> list[dict[str, Any]]:
    """One valid draft per open programme: campaign, programme, track and financing mode."""
    from admissions.applications.choices import (
        financing_modes_for,
        open_campaigns,
        programmes_of,
        tracks_of,
    )

    found = []
    for campaign in open_campaigns():
        for programme in programmes_of(campaign):
            track = tracks_of(campaign, programme)[0]
            mode = financing_modes_for(campaign, track)[0]
            found.append(
                {
                    "campaign_id": campaign.pk,
                    "programme_id": programme.pk,
                    "track": str(track),
                    "financing_mode": mode.code,
                }
            )
    return found


def drafts(needed: int) -> list[Request]:
    """At least `needed` draft creations, each by a candidate who has no file there yet."""
    from django.contrib.auth.hashers import make_password

    from admissions.people.models import User

    choices = draft_choices()
    candidates = -(-needed // len(choices))
    password = make_password(None)
    for chunk in batches(candidates):
        User.objects.bulk_create(
            [User(email=f"drafter{i}@bench.invalid", password=password) for i in chunk]
        )
    ids = list(
        User.objects.filter(email__startswith="drafter").order_by("pk").values_list("pk", flat=True)
    )
    sessions = sessions_for(ids)
    # Candidate by candidate, so that the requests of one moment go to different programmes.
    return [
        Request("POST", "/api/v1/applications", sessions[pk], json.dumps(choice))
        for pk in ids
        for choice in choices
    ]


# Result day: candidates each looking at their published decision.
RESULT_DAY_CANDIDATES = 10_000
DECISIONS = {"admitted": 5, "waitlisted": 2, "not_admitted": 3}
AFTER_SUBMISSION = [
    ("application.mark_complete", "submitted", "complete"),
    ("application.record_admissible", "complete", "admissible"),
    ("application.place_on_agenda", "admissible", "on_agenda"),
]
# One candidate in ENGLISH_EVERY reads English (their email's link and their page).
ENGLISH_EVERY = 5


def decision_pages(count: int, rng: random.Random, pages_cache_url: str) -> list[Request]:
    """`count` new candidates, one file each on a jury's agenda (with the history of its steps
    and its fee paid) and a validated decision (admitted, waitlisted or not admitted), which
    the jury's publication then publishes, one session per campaign, as production does:
    moves, history, emails in the outbox, confirmation charges. The publication runs with
    the pages cache at `pages_cache_url` (Redis), so it queues the tasks that render the
    pages ahead (`portal.status_ahead`); `load.py` has them worked before the figure. Each
    candidate requests their status page in their language with their own session, in a
    shuffled order."""
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone, translation

    from admissions.applications.models import Application, ApplicationEvent
    from admissions.catalog.models import Campaign, JurySession, Programme
    from admissions.jury.models import AgendaItem, Decision, Publication
    from admissions.jury.publication import publish_session
    from admissions.payments.models import EntryKind, LedgerEntry, Method
    from admissions.people.models import User

    offers = [
        (campaign, programme)
        for campaign in Campaign.objects.order_by("pk")
        for programme in Programme.objects.filter(institution_id=campaign.institution_id).order_by(
            "pk"
        )
        if programme.tracks
    ]
    # The jury may admit them all, whatever the programme's places.
    Programme.objects.filter(pk__in={programme.pk for _, programme in offers}).update(
        capacity=10 * count + 10_000
    )
    password = make_password(None)
    president = User.objects.create(email="president@bench.invalid", password=password)
    member = User.objects.create(email="member@bench.invalid", password=password)
    now = timezone.now()
    sessions = {
        campaign.pk: JurySession.objects.create(
            campaign=campaign,
            slug="bench-result-day",
            name_fr="Jury du jour des résultats",
            name_en="Result day jury",
            month=f"{now:%Y-%m}",
            date=now.date(),
            files_cutoff=now.date(),
            from_rulebook=False,
        )
        for campaign in {campaign for campaign, _ in offers}
    }
    statuses, weights = list(DECISIONS), list(DECISIONS.values())
    start = now - dt.timedelta(days=40)
    ranks: dict[tuple[int, int], int] = {}
    for chunk in batches(count):
        with transaction.atomic():
            users = User.objects.bulk_create(
                [
                    User(
                        email=f"decided{i}@bench.invalid",
                        password=password,
                        preferred_language="en" if i % ENGLISH_EVERY == 0 else "fr",
                    )
                    for i in chunk
                ]
            )
            if users[0].pk is None:
                found = dict(
                    User.objects.filter(email__in=[u.email for u in users]).values_list(
                        "email", "pk"
                    )
                )
                for user in users:
                    user.pk = found[user.email]
            files = []
            outcomes: dict[str, tuple[str, int | None]] = {}
            for i, user in zip(chunk, users, strict=True):
                campaign, programme = offers[i % len(offers)]
                track = rng.choice(programme.tracks)
                outcome = rng.choices(statuses, weights)[0]
                rank = None
                if outcome == "waitlisted":
                    line = (campaign.pk, programme.pk)
                    rank = ranks[line] = ranks.get(line, 0) + 1
                reference = f"DECIDED-0000-{i:06d}"
                outcomes[reference] = (outcome, rank)
                files.append(
                    Application(
                        reference=reference,
                        candidate_id=user.pk,
                        campaign=campaign,
                        programme=programme,
                        track=track,
                        financing_mode=financing_mode(campaign, track),
                        status="on_agenda",
                        eligibility={"judged": True, "route_kind": "standard"},
                        submitted_at=start,
                        status_changed_at=start,
                        rulebook_digest=campaign.rulebook_digest,
                    )
                )
            created = Application.objects.bulk_create(files)
            if created[0].pk is None:
                found = dict(
                    Application.objects.filter(
                        reference__in=[f.reference for f in files]
                    ).values_list("reference", "pk")
                )
                for item in created:
                    item.pk = found[item.reference]
            events = []
            entries = []
            items = []
            decisions = []
            for item in created:
                for day, (action, from_status, to_status) in enumerate(
                    [*HISTORY, *AFTER_SUBMISSION]
                ):
                    event = ApplicationEvent(
                        application_id=item.pk,
                        actor_id=item.candidate_id if day < len(HISTORY) else None,
                        action=action,
                        from_status=from_status,
                        to_status=to_status,
                    )
                    events.append((event, start + dt.timedelta(days=day * 3)))
                common = {"application_id": item.pk, "charge_kind": "application_fee"}
                entries.append(LedgerEntry(kind=EntryKind.CHARGE, amount_cents=FEE_CENTS, **common))
                entries.append(
                    LedgerEntry(
                        kind=EntryKind.PAYMENT, amount_cents=FEE_CENTS, method=Method.CARD, **common
                    )
                )
                session = sessions[item.campaign_id]
                items.append(AgendaItem(session=session, application=item, ready_on=now.date()))
                outcome, rank = outcomes[item.reference]
                decisions.append(
                    Decision(
                        application=item,
                        session=session,
                        outcome=outcome,
                        waitlist_rank=rank,
                        reason="" if outcome == "admitted" else "Dossier étudié par le jury.",
                        entered_by=member,
                        entered_at=now,
                        validated_by=president,
                        validated_at=now,
                    )
                )
            ApplicationEvent.objects.bulk_create([event for event, _ in events])
            for event, at in events:
                event.at = at
            ApplicationEvent.objects.bulk_update(
                [event for event, _ in events], ["at"], batch_size=2000
            )
            LedgerEntry.objects.bulk_create(entries)
            AgendaItem.objects.bulk_create(items)
            Decision.objects.bulk_create(decisions)
    # Files written in bulk, not moved one by one: the staff's home reads these counts.
    call_command("rebuild_step_counts", stdout=io.StringIO())
    shared = {
        **settings.CACHES,
        "pages": {
            "BACKEND": settings.REDIS_CACHE,
            "LOCATION": pages_cache_url,
            "KEY_PREFIX": "pages",
        },
    }
    with override_settings(CACHES=shared):
        for session in sessions.values():
            Publication.objects.create(session=session, publish_at=now, requested_by=president)
            publish_session(session.pk)
    decided = list(
        Application.objects.filter(reference__startswith="DECIDED-").values_list(
            "candidate__preferred_language", "candidate_id", "reference"
        )
    )
    sessions_of = sessions_for([candidate for _, candidate, _ in decided])
    requests = []
    for language, candidate, reference in decided:
        with translation.override(language):
            path = reverse("portal:application_status", args=[reference])
        requests.append(Request("GET", path, sessions_of[candidate]))
    rng.shuffle(requests)
    return requests
