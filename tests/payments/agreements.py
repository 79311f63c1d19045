"""The funding agreement of a test file, filed and judged through the documents services."""

from __future__ import annotations

import io

from admissions.applications.models import Application
from admissions.documents import services
from admissions.documents.models import Document
from admissions.documents.review import accept_document, reject_document
from admissions.people.models import Role, User
from tests.documents.corpus import pdf
from tests.payments.conftest import staff

CODE = "funding-agreement"  # the proof_document of the bs fixture's deposit rule


def admissions_officer(application: Application) -> User:
    return staff(Role.ADMISSIONS_OFFICER, application.programme.institution)


def file_agreement(application: Application, officer: User) -> Document:
    """The agreement uploaded by the admissions office: checked on arrival, not judged yet."""
    result = services.upload_document(
        application=application,
        requirement_code=CODE,
        stream=io.BytesIO(pdf(text="Accord de prise en charge OPCO")),
        filename="accord.pdf",
        by=officer,
    )
    assert result.accepted, result.message
    return result.document


def validated_agreement(application: Application) -> Document:
    officer = admissions_officer(application)
    return accept_document(file_agreement(application, officer), by=officer)


def rejected_agreement(application: Application) -> Document:
    officer = admissions_officer(application)
    return reject_document(
        file_agreement(application, officer), by=officer, reason="Unsigned agreement"
    )
