"""Staff open a file on a candidate's behalf from a ZIP received by email, all or nothing.

The account (when the address is new), the application and every document are created in
one transaction: if the archive is refused, or anything fails, none of them is kept and no
file stays in storage. The email to the candidate is queued in the same transaction (sent
once it commits, so never about a file that was not kept); a new account gets a link to
choose its password. Call it outside any transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import IO

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from django.db import transaction
from django.utils.translation import gettext as _

from admissions.applications.errors import DuplicateApplicationError
from admissions.applications.models import Application
from admissions.catalog.models import Campaign, Programme
from admissions.core.errors import NotAllowed
from admissions.documents import history, storage
from admissions.documents.access import DOCUMENT_OFFICERS
from admissions.documents.zipimport import ImportReport, import_zip
from admissions.notify.file_emails import send_file_opened
from admissions.people.models import CandidateProfile, User
from admissions.people.permissions import can_act_on_programme, is_staff_member
from admissions.workflow.drafts import create_application


@dataclass(frozen=True)
class Candidate:
    email: str
    given_names: str
    family_name: str
    language: str = "fr"


@dataclass
class NewFile:
    report: ImportReport
    application: Application | None = None
    account_created: bool = False

    @property
    def ok(self) -> bool:
        return self.application is not None


class _Refused(Exception):  # noqa: N818 - internal: unwinds the transaction
    def __init__(self, report: ImportReport) -> None:
        super().__init__("archive refused")
        self.report = report


def create_file_from_zip(
    *,
    by: User,
    campaign: Campaign,
    programme: Programme,
    track: str,
    financing_mode: str,
    candidate: Candidate,
    archive: IO[bytes],
    now: dt.datetime | None = None,
) -> NewFile:
    """Open a draft for `candidate` holding the documents of `archive`, or nothing.

    Raises the application services' errors (campaign closed, invalid choice, duplicate
    file) and NotAllowed; a refused archive comes back as the report, nothing created.
    """
    if not can_act_on_programme(by, programme.pk, DOCUMENT_OFFICERS):
        raise NotAllowed(_("You may not open files for this programme."))
    email = User.objects.normalize_email(candidate.email).strip().lower()
    holder = User.objects.filter(email__iexact=email).first()
    if holder is not None and (holder.is_staff or is_staff_member(holder)):
        raise NotAllowed(
            _("This address belongs to a staff account: a file is opened for a candidate only."),
            details={"field": "email"},
        )
    existing = Application.objects.filter(
        candidate__email__iexact=email, programme=programme, campaign=campaign
    ).first()
    if existing is not None:
        raise DuplicateApplicationError(
            _(
                "This candidate already has an application to this programme in this "
                "campaign (%(ref)s): import the archive into it instead."
            )
            % {"ref": existing.reference},
            details={"reference": existing.reference},
        )
    report = ImportReport()
    try:
        with transaction.atomic():
            user, created = _account(candidate, email)
            application = create_application(
                candidate=user,
                campaign=campaign,
                programme=programme,
                track=track,
                financing_mode=financing_mode,
                now=now,
            )
            report = import_zip(application, archive, by=by)
            if not report.ok:
                raise _Refused(report)
            history.record(
                application,
                action="application.created_by_staff",
                by=by,
                details={
                    "account_created": created,
                    "email": email,
                    "documents": len(report.imported),
                },
            )
            send_file_opened(
                application,
                event=f"application:{application.pk}:opened",
                password_key=password_key(user) if created else None,
            )
    except _Refused as refused:
        return NewFile(report=refused.report)
    except BaseException:
        # The import committed its files under a savepoint that the outer rollback undid.
        storage.delete_quietly(*(version.file.name or "" for _n, version in report.imported))
        raise
    return NewFile(report=report, application=application, account_created=created)


def password_key(user: User) -> tuple[str, str]:
    """allauth's own password-reset link for a new account, so the candidate goes through the
    same pages, token checks and rate limits as any reset."""
    return user_pk_to_url_str(user), default_token_generator.make_token(user)


def _account(candidate: Candidate, email: str) -> tuple[User, bool]:
    """The account of `email`, or a new one with no usable password and an unverified address."""
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    user = User.objects.create_user(
        email,
        None,
        first_name=candidate.given_names[:150],
        last_name=candidate.family_name[:150],
        preferred_language=candidate.language,
    )
    EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
    CandidateProfile.objects.create(
        user=user, given_names=candidate.given_names, family_name=candidate.family_name
    )
    return user, True
