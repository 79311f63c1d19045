"""A jury session of the demonstration: members seated, files on its agenda, decisions entered.

IMT Nord Europe's first open session of the demonstration campaign (the first one decided
and published the admitted candidate's file, see `deliberation`) gets three reviewed files
(the interview is optional there, so an admissible file is ready for the jury), its
president, two members, and two decisions a member entered, waiting for the president.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.demo.accounts import demo_user, staff_email
from admissions.demo.candidates import (
    COVER_LETTER,
    PROJECT,
    Persona,
    _profile,
    _review,
    _staff,
    _upload_everything,
)
from admissions.demo.deliberation import SECOND_JUROR, seat_panel
from admissions.jury import agenda, decisions
from admissions.workflow.drafts import create_application
from admissions.workflow.fees import mark_fee_paid
from admissions.workflow.submission import submit

NORD = "imt-nord-europe"
PERSONAS = [
    Persona(
        "julie.petit@candidate.example",
        "Julie",
        "Petit",
        "FR",
        "FR",
        dt.date(1993, 5, 12),
        (5, "cti_engineering", "Diplôme d'ingénieur", "FR", 2016),
        dt.date(2016, 9, 1),
        NORD,
        "ms-cybersecurite",
        "full_time",
        "personnel",
        "on_agenda",
    ),
    Persona(
        "thomas.roux@candidate.example",
        "Thomas",
        "Roux",
        "FR",
        "FR",
        dt.date(1990, 3, 3),
        (5, "master_m2", "Master Réseaux", "FR", 2014),
        dt.date(2014, 10, 1),
        NORD,
        "ms-cybersecurite",
        "full_time",
        "personnel",
        "on_agenda",
    ),
    Persona(
        "nadia.haddad@candidate.example",
        "Nadia",
        "Haddad",
        "FR",
        "FR",
        dt.date(1995, 8, 21),
        (5, "master_m2", "Master Systèmes d'information", "FR", 2019),
        dt.date(2019, 9, 2),
        NORD,
        "ms-cybersecurite",
        "full_time",
        "personnel",
        "on_agenda",
    ),
]


def _file(campaign: Campaign, persona: Persona) -> Application | None:
    user = demo_user(persona.email, given=persona.given, family=persona.family)
    _profile(persona, user)
    if Application.objects.filter(candidate=user, campaign=campaign).exists():
        return None
    application = create_application(
        candidate=user,
        campaign=campaign,
        programme=Programme.objects.get(institution=campaign.institution, slug=persona.programme),
        track=persona.track,
        financing_mode=persona.financing,
        cover_letter=COVER_LETTER,
        professional_project=PROJECT,
    )
    _upload_everything(application, user)
    mark_fee_paid(application, by=_staff(campaign, "finance"), note="Démonstration")
    submit(application, by=user)
    _review(application, _staff(campaign, "officer"), _staff(campaign, "lead"))
    return application


def create_jury_session(report: Callable[[str], None]) -> list[tuple[str, str]]:
    campaign = (
        Campaign.objects.filter(institution__slug=NORD, slug__endswith="-demo")
        .order_by("-opens_on")
        .first()
    )
    if campaign is None:
        report("no demonstration campaign for the jury session")
        return []
    session = agenda.open_sessions(campaign.pk)[0]
    _president, juror = seat_panel(session)
    files = [_file(campaign, persona) for persona in PERSONAS]
    agenda.place_ready_files()
    made = [Application.objects.get(pk=f.pk) for f in files if f is not None]
    if len(made) == len(PERSONAS):
        decisions.enter_decision(made[0], by=juror, outcome="admitted", via="demonstration")
        decisions.enter_decision(
            made[1],
            by=juror,
            outcome="waitlisted",
            waitlist_rank=1,
            reason="Dossier solide ; places limitées.",
            via="demonstration",
        )
    rows = [(persona.email, "on the agenda") for persona in PERSONAS]
    rows.append((staff_email(SECOND_JUROR, campaign.institution), "jury member"))
    return rows
