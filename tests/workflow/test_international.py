"""A non-EU admitted candidate: the Études en France number, the admission certificate in
French and English, the visa's outcome; a refused visa, proven, opens the refund of the first
instalment and releases the place to the waiting list."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pikepdf
import pytest
from django.utils import translation

from admissions.applications.history import transition
from admissions.applications.lifecycle import Status
from admissions.catalog.models import Campaign
from admissions.core.errors import IllegalTransition, NotAllowed, ValidationFailed
from admissions.demo.candidates import sample_pdf
from admissions.documents.review import accept_document
from admissions.documents.services import upload_document
from admissions.payments.models import RefundRequest
from admissions.people.models import CandidateProfile, Role
from admissions.rules.vocabulary import RefundEvent
from admissions.workflow.international import (
    NotInternationalError,
    RefusalNotProvenError,
    admission_certificate,
    record_campus_france_number,
    record_visa_granted,
    record_visa_refused,
    steps_of,
)
from admissions.workflow.models import InternationalFile, VisaOutcome
from tests.documents.pdftext import pdf_text
from tests.factories import load_preset, staff_member
from tests.workflow.places_helpers import NORD_PROGRAMME, decided, set_capacity, statuses
from tests.workflow.test_confirmation import pay_everything

Capture = Callable[..., Any]


def text_of(data: bytes) -> str:
    with pikepdf.open(io.BytesIO(data)) as document:
        return pdf_text(document)


def _from_morocco(application: Any) -> Any:
    CandidateProfile.objects.filter(user=application.candidate).update(nationality="MA")
    return application


def test_an_eu_candidate_has_no_visa_steps(nord: Campaign) -> None:
    offer = decided(nord, NORD_PROGRAMME, "publish_admitted")
    CandidateProfile.objects.filter(user=offer.candidate).update(nationality="IT")
    assert steps_of(offer) is None
    with pytest.raises(NotInternationalError):
        record_campus_france_number(offer, by=offer.candidate, number="MA24-12345")


def test_the_number_and_the_certificate_in_both_languages(nord: Campaign) -> None:
    offer = _from_morocco(decided(nord, NORD_PROGRAMME, "publish_admitted"))
    with translation.override("en"), pytest.raises(ValidationFailed):
        record_campus_france_number(offer, by=offer.candidate, number="?")
    record_campus_france_number(offer, by=offer.candidate, number=" ma24-12345 ")
    record_campus_france_number(offer, by=offer.candidate, number="MA24-12345")
    assert offer.events.filter(action="international.campus_france_number").count() == 1
    steps = steps_of(offer)
    assert steps is not None
    assert (steps.number, steps.outcome, steps.campus_france) == (
        "MA24-12345",
        VisaOutcome.PENDING,
        True,
    )
    french = text_of(admission_certificate(offer, by=offer.candidate, language="fr"))
    english = text_of(admission_certificate(offer, by=offer.candidate, language="en"))
    assert "Attestation d'admission" in french
    assert "Certificate of admission" in english
    for text in (french, english):
        assert "MA24-12345" in text
        assert offer.reference in text
    assert offer.events.filter(action="international.certificate_issued").count() == 1
    outsider = staff_member(Role.ADMISSIONS_OFFICER, institution=load_preset("imt-bs").institution)
    with pytest.raises(NotAllowed):
        admission_certificate(offer, by=outsider, language="fr")


def test_a_granted_visa_is_recorded_by_the_office(nord: Campaign) -> None:
    offer = _from_morocco(decided(nord, NORD_PROGRAMME, "publish_admitted"))
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    with pytest.raises(NotAllowed):
        record_visa_granted(offer, by=offer.candidate, decided_on=dt.date(2024, 7, 1))
    record_visa_granted(offer, by=officer, decided_on=dt.date(2024, 7, 1))
    assert InternationalFile.objects.get(application=offer).visa_outcome == VisaOutcome.GRANTED


def test_a_refused_visa_refunds_the_first_instalment_and_releases_the_place(
    nord: Campaign, django_capture_on_commit_callbacks: Capture
) -> None:
    set_capacity(nord, NORD_PROGRAMME, 1)
    with django_capture_on_commit_callbacks(execute=True):
        offer = _from_morocco(decided(nord, NORD_PROGRAMME, "publish_admitted"))
    waiting = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1)
    pay_everything(offer)
    officer = staff_member(Role.ADMISSIONS_OFFICER, institution=nord.institution)
    with translation.override("en"), pytest.raises(RefusalNotProvenError):
        record_visa_refused(offer, by=officer, decided_on=dt.date(2024, 7, 1))
    result = upload_document(
        application=offer,
        requirement_code="refus-visa",
        stream=io.BytesIO(sample_pdf("Refus de visa")),
        filename="refus.pdf",
        by=offer.candidate,
        foreign_language=False,
    )
    accept_document(result.document, by=officer)
    with django_capture_on_commit_callbacks(execute=True):
        refund = record_visa_refused(offer, by=officer, decided_on=dt.date(2024, 7, 1))
    assert refund is not None
    assert (refund.charge_kind, refund.instalment, refund.amount_cents) == ("tuition", 1, 300000)
    assert refund.event == RefundEvent.VISA_REFUSED
    assert refund.visa_refusal_proven
    assert RefundRequest.objects.filter(application=offer).count() == 1
    assert statuses([offer, waiting]) == [Status.WITHDRAWN, Status.ADMITTED]
    actions = list(offer.events.order_by("id").values_list("action", flat=True))
    assert actions.index("international.visa_refused") < actions.index(
        "application.release_visa_refused"
    )


def test_the_visa_refusal_move_is_refused_outside_an_admission(nord: Campaign) -> None:
    waiting = decided(nord, NORD_PROGRAMME, "publish_waitlisted", rank=1)
    with pytest.raises(IllegalTransition):
        transition(waiting, action="release_visa_refused", by=None)
