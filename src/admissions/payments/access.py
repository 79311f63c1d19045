"""Who may handle money: finance officers, on the institutions and programmes they hold.

Institution-wide work (bank statements, direct-debit files) needs a finance role on the
whole institution; work on a file needs it on the file's programme. Platform
administrators may do everything.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from admissions.applications.models import Application
from admissions.catalog.models import Institution
from admissions.payments.models import (
    DebitItem,
    EntryKind,
    LedgerEntry,
    PaymentIssue,
    RefundRequest,
)
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import (
    allowed_programme_ids,
    can_act_on_programme,
    has_platform_role,
    staff_roles,
)

FINANCE = (Role.FINANCE_OFFICER,)
# Staff who may ask for a refund on a file; only a finance officer approves it.
REFUND_REQUESTERS = (Role.FINANCE_OFFICER, Role.ADMISSIONS_OFFICER, Role.INSTITUTION_ADMIN)


def is_finance_staff(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return has_platform_role(user) or not staff_roles(user).isdisjoint(FINANCE)


def finance_institutions(user: User) -> QuerySet[Institution]:
    """Institutions where `user` handles money for every programme."""
    if not user.is_authenticated or not user.is_active:
        return Institution.objects.none()
    if has_platform_role(user):
        return Institution.objects.all()
    held = StaffRole.objects.filter(
        user=user, role__in=FINANCE, programme__isnull=True, institution__isnull=False
    ).values("institution_id")
    return Institution.objects.filter(pk__in=held)


def finance_programme_ids(user: User) -> QuerySet[Any]:
    return allowed_programme_ids(user, FINANCE)


def finance_applications(user: User) -> QuerySet[Application]:
    return Application.objects.filter(programme_id__in=finance_programme_ids(user))


def finance_file(user: User, reference: str, bound: int | None = None) -> Application | None:
    """The file of `user`'s finance programmes with this reference (within the institution
    `bound`, a token's), with what its finance page shows; None outside."""
    found = finance_applications(user).select_related(
        "campaign", "programme__institution", "candidate", "candidate__profile"
    )
    if bound is not None:
        found = found.filter(programme__institution_id=bound)
    return found.filter(reference=reference).first()


def can_handle_money(user: User, application: Application) -> bool:
    return can_act_on_programme(user, application.programme_id, FINANCE)


def can_request_refund(user: User, application: Application) -> bool:
    return can_act_on_programme(user, application.programme_id, REFUND_REQUESTERS)


def payment_issues(user: User) -> QuerySet[PaymentIssue]:
    """The payment issues of the institutions and programmes `user` handles money for."""
    return PaymentIssue.objects.filter(
        Q(institution__in=finance_institutions(user))
        | Q(application__programme_id__in=finance_programme_ids(user))
    )


def refund_requests(user: User) -> QuerySet[RefundRequest]:
    """The refund requests of the programmes `user` handles money for."""
    return RefundRequest.objects.filter(application__programme_id__in=finance_programme_ids(user))


def debit_items(user: User) -> QuerySet[DebitItem]:
    """The direct debits of the institutions where `user` handles money for every programme."""
    return DebitItem.objects.filter(batch__institution__in=finance_institutions(user))


def charge_by_reference(user: User, reference: str) -> LedgerEntry | None:
    """The charge of `user`'s programmes bearing this creditor reference (spaces and case as
    typed)."""
    return LedgerEntry.objects.filter(
        kind=EntryKind.CHARGE,
        creditor_reference=reference.replace(" ", "").upper(),
        application__programme_id__in=finance_programme_ids(user),
    ).first()
