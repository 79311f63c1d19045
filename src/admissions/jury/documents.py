"""The jury's PDFs: the admission letter an admitted candidate receives, and the minutes
(procès-verbal) of a session, made from HTML templates as the receipts are."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from admissions.applications.models import Application
from admissions.catalog.models import JurySession
from admissions.jury.models import Decision, Seat, SessionMember
from admissions.jury.places import places_of
from admissions.notify.attachments import Attachment
from admissions.notify.context import language_of
from admissions.notify.models import Notification
from admissions.payments.pdf import render_pdf

ADMITTING_KINDS = ("decision_admitted", "decision_admitted_conditionally")


def admission_letter(decision: Decision, *, language: str) -> bytes:
    application: Application = decision.application
    rules = application.rules
    return render_pdf(
        "jury/admission_letter.html",
        {
            "application": application,
            "decision": decision,
            "candidate_name": application.candidate.display_name,
            "institution": application.programme.institution,
            "site": application.programme.site,
            "programme_name": application.programme.name_en
            if language == "en"
            else application.programme.name_fr,
            "session_name": decision.session.name_en
            if language == "en"
            else decision.session.name_fr,
            "wording": rules.jury.wording.get(language) if rules.jury.wording else "",
            "confirmation": rules.confirmation.wording.get(language),
            "conditional": decision.outcome == "admitted_conditionally",
        },
        language=language,
    )


def letter_for_email(notification: Notification) -> list[Attachment]:
    if notification.application_id is None:
        return []
    decision = (
        Decision.objects.filter(application_id=notification.application_id)
        .select_related(
            "session",
            "application__candidate__profile",
            "application__campaign",
            "application__programme__institution",
            "application__programme__site",
        )
        .first()
    )
    if decision is None or decision.outcome not in ("admitted", "admitted_conditionally"):
        return []
    language = notification.language or language_of(decision.application.candidate)
    name = "lettre-admission" if language == "fr" else "admission-letter"
    return [
        Attachment(
            f"{name}-{decision.application.reference}.pdf",
            admission_letter(decision, language=language),
            "application/pdf",
        )
    ]


def minutes_context(session: JurySession, language: str) -> dict[str, Any]:
    members = list(SessionMember.objects.filter(session=session).select_related("user__profile"))
    decisions = list(
        Decision.objects.filter(session=session)
        .select_related(
            "application__candidate__profile",
            "application__programme",
            "entered_by__profile",
            "validated_by__profile",
        )
        .order_by(
            "application__programme__slug", "outcome", "waitlist_rank", "application__reference"
        )
    )
    programmes = {d.application.programme_id: d.application.programme for d in decisions}
    return {
        "session": session,
        "session_name": session.name_en if language == "en" else session.name_fr,
        "institution": session.campaign.institution,
        "campaign_name": session.campaign.name_en if language == "en" else session.campaign.name_fr,
        "president": next((m for m in members if m.seat == Seat.PRESIDENT), None),
        "members": members,
        "present": [m for m in members if m.present],
        "quorum": session.campaign.rules.jury.quorum,
        "decisions": decisions,
        "places": list(places_of(session.campaign, list(programmes.values())).values()),
        "wording": session.campaign.rules.jury.wording.get(language)
        if session.campaign.rules.jury.wording
        else "",
        "made_at": timezone.now(),
        "draft": any(decision.published_at is None for decision in decisions),
        "english": language == "en",
    }


def minutes(session: JurySession, *, language: str) -> bytes:
    return render_pdf("jury/minutes.html", minutes_context(session, language), language=language)
