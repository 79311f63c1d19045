"""Changing a campaign's rules from the back office: checked like a rulebook file, recorded,
told in each file's history; files already submitted keep the rules they were sent under;
a deadline extension is one recorded action that emails the drafts it concerns."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.utils.translation import override

from admissions.applications.deadline import candidate_deadline
from admissions.applications.errors import DeadlinePassedError
from admissions.applications.models import Application, ApplicationEvent
from admissions.applications.queries import history
from admissions.catalog import parsed
from admissions.catalog.models import Campaign, CatalogChange, DeadlineExtension, RulebookVersion
from admissions.core.errors import NotAllowed, ValidationFailed
from admissions.notify.models import Notification
from admissions.people.models import Role, User
from admissions.rules.deadlines import PARIS
from admissions.workflow.catalogue import (
    RULES_CHANGED,
    STALE,
    apply_change,
    extend_deadline,
    impact_of,
    rulebook_data,
)
from admissions.workflow.submission import submit
from tests.factories import (
    IN_NORD_CAMPAIGN,
    eligible_candidate,
    load_preset,
    programme_of,
    ready_application,
    staff_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def nord() -> Any:
    # Messages and history lines are read in English here; French is the default language.
    with time_machine.travel(IN_NORD_CAMPAIGN, tick=False) as traveller, override("en"):
        yield load_preset("imt-nord-europe"), traveller


def _admin(campaign: Campaign) -> User:
    return staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution)


def _files(campaign: Campaign) -> tuple[Application, Application]:
    """One file submitted, one draft ready to be."""
    first = eligible_candidate()
    sent = submit(ready_application(first, campaign, programme_of(campaign)), by=first)
    second = eligible_candidate()
    second.preferred_language = "en"
    second.save(update_fields=["preferred_language"])
    return sent, ready_application(second, campaign, programme_of(campaign))


def _with_new_document(campaign: Campaign) -> dict[str, Any]:
    data = rulebook_data(campaign)
    data["documents"]["requirements"].append(
        {
            "code": "portfolio",
            "label": {"fr": "Portfolio", "en": "Portfolio"},
            "formats": ["pdf"],
            "max_size_mb": "5",
        }
    )
    return data


def test_a_submitted_file_keeps_its_rules_and_a_draft_follows_the_new_ones(nord: Any) -> None:
    campaign, _ = nord
    sent, draft = _files(campaign)
    old_digest = campaign.rulebook_digest
    assert sent.rulebook_digest == old_digest
    assert draft.rulebook_digest == ""
    assert impact_of(campaign).kept == 1
    assert impact_of(campaign).following == 1

    change = apply_change(
        campaign,
        _with_new_document(campaign),
        by=_admin(campaign),
        kind="document",
        subject="portfolio",
        based_on=old_digest,
    )

    campaign.refresh_from_db()
    assert campaign.rulebook_digest == change.new_digest != old_digest
    codes = lambda application: {  # noqa: E731
        r.code for r in Application.objects.get(pk=application.pk).rules.documents.requirements
    }
    assert "portfolio" not in codes(sent)
    assert "portfolio" in codes(draft)
    assert change.details["kept"] == 1
    assert change.details["following"] == 1
    assert change.details["differences"] == [
        {
            "path": "documents.requirements[portfolio]",
            "old": None,
            "new": change.details["differences"][0]["new"],
        }
    ]
    events = ApplicationEvent.objects.filter(action=RULES_CHANGED)
    assert {(e.application_id, e.details["kept"]) for e in events} == {
        (sent.pk, True),
        (draft.pk, False),
    }
    texts = [line.text for line in history(sent)]
    assert any("keeps the rules it was submitted under" in text for text in texts)


def test_a_file_submitted_after_the_change_takes_the_new_rules(nord: Any) -> None:
    campaign, _ = nord
    data = rulebook_data(campaign)
    data["confirmation"]["window_days"] = 21
    apply_change(
        campaign, data, by=_admin(campaign), kind="fees", based_on=campaign.rulebook_digest
    )
    campaign.refresh_from_db()
    candidate = eligible_candidate()
    sent = submit(ready_application(candidate, campaign, programme_of(campaign)), by=candidate)
    assert sent.rulebook_digest == campaign.rulebook_digest
    assert sent.rules.confirmation.window_days == 21


def test_a_change_the_rulebook_refuses_saves_nothing(nord: Any) -> None:
    campaign, _ = nord
    data = rulebook_data(campaign)
    data["campaign"]["closes_on"]["date"] = "2020-01-01"  # before the opening day
    with pytest.raises(ValidationFailed) as refused:
        apply_change(
            campaign,
            data,
            by=_admin(campaign),
            kind="campaign_dates",
            based_on=campaign.rulebook_digest,
        )
    assert any("closes_on" in problem for problem in refused.value.details["problems"])
    assert not CatalogChange.objects.exists()
    assert Campaign.objects.get().rulebook_digest == campaign.rulebook_digest


def test_a_change_read_before_another_was_saved_is_refused(nord: Any) -> None:
    campaign, _ = nord
    admin = _admin(campaign)
    first = rulebook_data(campaign)
    first["confirmation"]["window_days"] = 20
    read_before = campaign.rulebook_digest
    apply_change(campaign, first, by=admin, kind="fees", based_on=read_before)
    second = rulebook_data(campaign)
    second["confirmation"]["window_days"] = 25
    with pytest.raises(ValidationFailed) as refused:
        apply_change(campaign, second, by=admin, kind="fees", based_on=read_before)
    assert refused.value.code == STALE
    assert CatalogChange.objects.count() == 1


def test_only_the_institutions_administrators_change_it(nord: Any) -> None:
    campaign, _ = nord
    other = load_preset("imt-bs")
    data = rulebook_data(campaign)
    data["confirmation"]["window_days"] = 20
    for user in [
        staff_member(Role.ADMISSIONS_OFFICER, institution=campaign.institution),
        staff_member(Role.INSTITUTION_ADMIN, institution=other.institution),
        eligible_candidate(),
    ]:
        with pytest.raises(NotAllowed):
            apply_change(campaign, data, by=user, kind="fees", based_on=campaign.rulebook_digest)
    platform = staff_member(Role.PLATFORM_ADMIN)
    apply_change(campaign, data, by=platform, kind="fees", based_on=campaign.rulebook_digest)


def test_a_deadline_extension_is_recorded_and_emailed_to_the_drafts(nord: Any) -> None:
    campaign, traveller = nord
    sent, draft = _files(campaign)
    admin = _admin(campaign)
    old = campaign.closes_on
    new = old + dt.timedelta(days=3)

    extension = extend_deadline(
        campaign,
        which=DeadlineExtension.Which.GENERAL,
        new_date=new,
        reason="The platform was down on the last day.",
        by=admin,
    )

    campaign.refresh_from_db()
    assert campaign.closes_on == new
    assert (extension.old_date, extension.new_date, extension.by) == (old, new, admin)
    assert extension.change.kind == "deadline_extended"
    assert extension.change.details["reason"] == "The platform was down on the last day."
    emails = Notification.objects.filter(kind="deadline_extended")
    assert [email.to_address for email in emails] == [draft.candidate.email]
    email = emails.get()
    assert email.language == "en"
    assert "The platform was down on the last day." in email.text
    assert "extended" in email.subject
    texts = [line.text for line in history(draft)]
    assert any("Deadline extended" in text and "platform was down" in text for text in texts)
    assert ApplicationEvent.objects.filter(application=sent, action="catalog.deadline_extended")
    # The draft can be submitted on the new last day, not after it.
    assert candidate_deadline(campaign, None) == dt.datetime(
        new.year, new.month, new.day, tzinfo=PARIS
    ) + dt.timedelta(days=1)
    traveller.move_to(dt.datetime(new.year, new.month, new.day, 23, 0, tzinfo=PARIS))
    assert submit(draft, by=draft.candidate).status == "submitted"


def test_a_draft_past_the_old_deadline_is_refused_before_the_extension(nord: Any) -> None:
    campaign, traveller = nord
    _sent, draft = _files(campaign)
    traveller.move_to(dt.datetime.combine(campaign.closes_on, dt.time(23, 30), tzinfo=PARIS))
    traveller.shift(dt.timedelta(hours=1))
    with pytest.raises(DeadlinePassedError):
        submit(draft, by=draft.candidate)
    extend_deadline(
        campaign,
        which=DeadlineExtension.Which.GENERAL,
        new_date=campaign.closes_on + dt.timedelta(days=2),
        reason="Panne",
        by=_admin(campaign),
    )
    campaign.refresh_from_db()
    assert submit(Application.objects.get(pk=draft.pk), by=draft.candidate).status == "submitted"


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (0, "Panne", "must be after the current one"),
        (-3, "Panne", "must be after the current one"),
        (3, "   ", "Say why"),
    ],
)
def test_a_deadline_extension_must_move_it_later_and_say_why(
    nord: Any, days: int, reason: str, message: str
) -> None:
    campaign, _ = nord
    with pytest.raises(ValidationFailed, match=message):
        extend_deadline(
            campaign,
            which=DeadlineExtension.Which.GENERAL,
            new_date=campaign.closes_on + dt.timedelta(days=days),
            reason=reason,
            by=_admin(campaign),
        )
    assert not DeadlineExtension.objects.exists()
    assert not Notification.objects.exists()


def test_a_file_keeps_its_rules_when_its_campaign_is_reloaded_from_a_file(nord: Any) -> None:
    campaign, _ = nord
    sent, _draft = _files(campaign)
    window = campaign.rules.confirmation.window_days
    RulebookVersion.objects.all().delete()  # a campaign made before versions were kept
    load_preset("imt-nord-europe", edit=lambda raw: raw["confirmation"].update(window_days=30))
    parsed.clear()  # read from the database, as a new process would
    assert Application.objects.get(pk=sent.pk).rules.confirmation.window_days == window
    assert Application.objects.get(pk=_draft.pk).rules.confirmation.window_days == 30
