"""Admission on condition is for a diploma in progress at submission, and only then; such a
candidate is admitted without condition only when the jury states the diploma was obtained."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from admissions.applications.models import ApplicationEvent
from admissions.catalog.models import JurySession
from admissions.jury import decisions
from admissions.jury.decisions import DiplomaConditionError
from admissions.jury.models import Decision
from admissions.people.models import User
from tests.jury.conftest import OnAgenda


def test_admission_on_condition_is_refused_when_the_diploma_was_obtained(
    on_agenda: OnAgenda, panel: dict[str, User]
) -> None:
    application = on_agenda()
    with translation.override("en"), pytest.raises(DiplomaConditionError) as refused:
        decisions.enter_decision(application, by=panel["a"], outcome="admitted_conditionally")
    assert "recorded as obtained" in refused.value.message
    assert refused.value.details == {"reason": "no_diploma_in_progress"}
    assert not Decision.objects.exists()
    # A diploma stated obtained does not make the condition possible either.
    with pytest.raises(DiplomaConditionError):
        decisions.enter_decision(
            application, by=panel["a"], outcome="admitted_conditionally", diploma_obtained=True
        )
    decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    assert Decision.objects.get(application=application).diploma_obtained is None


def test_a_diploma_in_progress_is_admitted_on_condition(
    on_agenda: OnAgenda, panel: dict[str, User]
) -> None:
    application = on_agenda(in_progress=True)
    decision = decisions.enter_decision(
        application, by=panel["a"], outcome="admitted_conditionally"
    )
    assert decision.outcome == "admitted_conditionally"
    assert decision.diploma_obtained is None
    # Stating the diploma obtained and keeping the condition says two things.
    with translation.override("en"), pytest.raises(DiplomaConditionError) as refused:
        decisions.enter_decision(
            application, by=panel["a"], outcome="admitted_conditionally", diploma_obtained=True
        )
    assert refused.value.details == {"reason": "diploma_already_obtained"}


def test_a_diploma_in_progress_is_admitted_without_condition_only_when_stated_obtained(
    on_agenda: OnAgenda, panel: dict[str, User]
) -> None:
    application = on_agenda(in_progress=True)
    with translation.override("en"), pytest.raises(DiplomaConditionError) as refused:
        decisions.enter_decision(application, by=panel["a"], outcome="admitted")
    assert "in progress" in refused.value.message
    assert not Decision.objects.exists()
    decision = decisions.enter_decision(
        application, by=panel["a"], outcome="admitted", diploma_obtained=True
    )
    assert decision.diploma_obtained is True
    entered = ApplicationEvent.objects.get(application=application, action="jury.decision_entered")
    assert entered.details["diploma_obtained"] is True
    # Other decisions need no statement, and keep none.
    decision = decisions.enter_decision(
        application, by=panel["a"], outcome="not_admitted", reason="x", diploma_obtained=True
    )
    assert decision.diploma_obtained is None


def test_the_page_asks_about_the_diploma_only_where_it_was_in_progress(
    on_agenda: OnAgenda, panel: dict[str, User], march: JurySession
) -> None:
    obtained, in_progress = on_agenda(), on_agenda(in_progress=True)
    client = Client()
    client.force_login(panel["a"])
    page = client.get(reverse("office:jury_session", args=[march.pk])).content.decode()
    assert f'name="f{in_progress.pk}-diploma_obtained"' in page
    assert f'name="f{obtained.pk}-diploma_obtained"' not in page
    decide = reverse("office:jury_decide", args=[march.pk, in_progress.reference])
    prefix = f"f{in_progress.pk}"
    response = client.post(decide, {f"{prefix}-outcome": "admitted"}, follow=True)
    assert "admit on condition" in response.content.decode() or "sous condition" in (
        response.content.decode()
    )
    assert not Decision.objects.filter(application=in_progress).exists()
    client.post(decide, {f"{prefix}-outcome": "admitted", f"{prefix}-diploma_obtained": "on"})
    assert Decision.objects.get(application=in_progress).diploma_obtained is True
    # A file whose diploma was obtained ignores the box, and cannot be admitted on condition.
    other = reverse("office:jury_decide", args=[march.pk, obtained.reference])
    client.post(other, {f"f{obtained.pk}-outcome": "admitted_conditionally"})
    assert not Decision.objects.filter(application=obtained).exists()
