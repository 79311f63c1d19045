"""The candidate's moves on a draft: opening it (with its fee charge), saving it, withdrawing.

Every function takes the acting user, runs in one transaction, decides on a locked
application row and writes the file's history. Pages, the API and jobs call these and
nothing else to change a file; submission is in `workflow.submission`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from admissions.applications import report_counts
from admissions.applications.choices import financing_modes_for, offers, tracks_of
from admissions.applications.errors import (
    ApplicationLockedError,
    CampaignClosedError,
    DuplicateApplicationError,
    InvalidChoiceError,
    NotYourApplicationError,
)
from admissions.applications.history import Batch, record_event, transition
from admissions.applications.lifecycle import EDITABLE_BY_CANDIDATE, Status
from admissions.applications.models import Application
from admissions.applications.reference import printed, sequence_key
from admissions.catalog.models import Campaign, Programme, without_rulebooks
from admissions.core.errors import DomainError
from admissions.core.sequences import (
    TakenInTransaction,
    next_numbers_and_ids,
    taken_in_transaction,
)
from admissions.notify.context import language_of
from admissions.notify.models import Notification
from admissions.notify.money_emails import render_transfer_awaited, send_transfer_awaited
from admissions.notify.outbox import Letterhead, letterhead
from admissions.notify.render import Rendered
from admissions.payments import ledger
from admissions.payments.instructions import BankDetails, bank_details
from admissions.payments.models import CHARGE_LABELS, LedgerEntry
from admissions.payments.references import COUNTER_KEY as CREDITOR_KEY
from admissions.payments.references import creditor_reference_of
from admissions.people.models import User
from admissions.rules import creditor_reference
from admissions.rules.money import to_cents
from admissions.rules.vocabulary import ChargeKind, PaymentMethod


def application_fee_cents(campaign: Campaign) -> int:
    return to_cents(campaign.rules.fees.application.amount)


def _check_choices(
    campaign: Campaign, programme: Programme, track: str, financing_mode: str
) -> None:
    if not offers(campaign, programme):
        raise InvalidChoiceError(
            _("This programme is not open to applications in this campaign."),
            details={"field": "programme"},
        )
    tracks = tracks_of(campaign, programme)
    if track not in tracks:
        raise InvalidChoiceError(
            _("This programme does not offer this track."),
            details={"field": "track", "allowed": [str(t) for t in tracks]},
        )
    modes = [mode.code for mode in financing_modes_for(campaign, track)]
    if financing_mode not in modes:
        raise InvalidChoiceError(
            _("This financing mode is not available for this track."),
            details={"field": "financing_mode", "allowed": modes},
        )


def create_application(
    *,
    candidate: User,
    campaign: Campaign,
    programme: Programme,
    track: str,
    financing_mode: str,
    cover_letter: str = "",
    professional_project: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """Open a draft for `candidate`, with its reference and the application-fee charge.

    Everything that only reads (the checks, the fee, the transfer email's account and
    letterhead) is done before the transaction, which holds only the writes: on SQLite
    every other writer waits for it, on PostgreSQL every creation of the programme waits
    for its kept totals.
    """
    moment = now or timezone.now()
    if not campaign.is_open(moment):
        raise CampaignClosedError(_("This campaign is not open to applications."))
    _check_choices(campaign, programme, track, financing_mode)
    fee = application_fee_cents(campaign)
    letter = _transfer_letter(campaign, programme, candidate) if fee > 0 else None
    keys = [sequence_key(campaign), *([CREDITOR_KEY] if fee > 0 else [])]
    # The new rows' ids with the numbers: every row, history line, kept total and the email
    # are made before the transaction, while no lock is held, and the transaction only sends
    # them (`history.Batch`). On PostgreSQL they are taken ahead (one statement), and the
    # transaction is one query, BEGIN and COMMIT included. On SQLite, where taking them
    # ahead is a write of its own, the draft's one write transaction takes them first thing,
    # its rows and email made with stand-ins until then: one writer's turn instead of two.
    models: list[type[Model]] = [Application]
    if fee > 0:
        models.append(LedgerEntry)
    if letter is not None:
        models.append(Notification)
    later = taken_in_transaction(keys, models)
    if later is None:
        numbers, ids = next_numbers_and_ids(keys, models)
    else:
        numbers, ids = later.numbers, later.ids
    batch = Batch(ahead=dict(zip(models, ids, strict=True)))
    if later is not None:
        made = _made_from(campaign, later.numbers, charged=fee > 0)
        batch.writes.fill(
            partial(_taken, later, campaign, made, charged=fee > 0),
            stand_ins=[*later.numbers, *later.ids, *made],
        )
    application = Application(
        candidate=candidate,
        campaign=campaign,
        programme=programme,
        track=track,
        financing_mode=financing_mode,
        cover_letter=cover_letter,
        professional_project=professional_project,
        reference=printed(campaign, numbers[0]),
    )
    batch.insert(application)
    batch.event(
        application,
        action="application.created",
        by=candidate,
        to_status=Status.DRAFT,
        details={"track": track, "financing_mode": financing_mode},
    )
    batch.total(partial(report_counts.created, application))
    if fee > 0:
        charge = ledger.charge(
            application.pk,
            charge_kind=ChargeKind.APPLICATION_FEE,
            amount_cents=fee,
            by=None,
            reference=application.reference,
            held=application,
            creditor_reference=creditor_reference_of(numbers[1]),
            batch=batch,
            new_file=True,
        )
        if letter is not None:
            rendered = _render_transfer_awaited(application, fee, numbers[1], letter)
            _tell_transfer_awaited(application, charge, letter, rendered, batch)
    # No look for an existing file first: the unique constraint answers, and the look is
    # made only when it refuses.
    try:
        batch.write_alone()
    except IntegrityError:
        existing = Application.objects.filter(
            candidate=candidate, programme=programme, campaign=campaign
        ).first()
        if existing is None:
            raise
        raise DuplicateApplicationError(
            _("You already have an application to this programme in this campaign (%(ref)s).")
            % {"ref": existing.reference},
            details={"reference": existing.reference},
        ) from None
    return application


def _made_from(campaign: Campaign, numbers: list[int], *, charged: bool) -> list[str]:
    """What a draft's rows print from its numbers: the file's reference and, for a charged
    draft, the charge's creditor reference, as written and as the transfer email prints it
    (in groups of four)."""
    made = [printed(campaign, numbers[0])]
    if charged:
        reference = creditor_reference_of(numbers[1])
        made += [reference, creditor_reference.printed(reference)]
    return made


def _taken(
    later: TakenInTransaction, campaign: Campaign, made: list[str], *, charged: bool
) -> dict[object, object]:
    """The numbers and ids `later` takes in the draft's transaction, and what was made from
    them, by their stand-ins: `made`, what the stand-in numbers printed (`_made_from`). (The
    email's key and its task's arguments name the ids: their digits are replaced in place.)"""
    numbers, ids = later.take()
    found = later.replaced(numbers, ids)
    found.update(zip(made, _made_from(campaign, numbers, charged=charged), strict=True))
    return found


@dataclass(frozen=True)
class _Letter:
    bank: BankDetails
    head: Letterhead


def _transfer_letter(campaign: Campaign, programme: Programme, candidate: User) -> _Letter | None:
    """Where the fee is paid only by bank transfer, the candidate gets the account by email:
    the account and the email's letterhead, read before the creation's transaction."""
    if PaymentMethod.CARD in campaign.rules.fees.application.methods:
        return None
    try:
        bank = bank_details(campaign.rules.bank_account)
    except DomainError:
        bank = None  # the payments page says the school must be contacted
    if bank is None:
        return None
    if programme.institution_id == campaign.institution_id and not Programme.institution.is_cached(
        programme
    ):
        # The same row, read with the campaign: the email names it without reading it again.
        # (A programme kept in the process's offer has it already and is not changed.)
        programme.institution = campaign.institution
    head = letterhead(
        "transfer_awaited",
        institution=programme.institution,
        site=programme.site,
        language=language_of(candidate),
    )
    return _Letter(bank, head)


def _render_transfer_awaited(
    application: Application, fee: int, creditor_number: int, letter: _Letter
) -> Rendered:
    return render_transfer_awaited(
        application,
        amount_cents=fee,
        charge=CHARGE_LABELS[ChargeKind.APPLICATION_FEE],
        charge_kind=ChargeKind.APPLICATION_FEE,
        reference=creditor_reference_of(creditor_number),
        holder=letter.bank.holder,
        iban=letter.bank.iban,
        bic=letter.bank.bic,
        head=letter.head,
    )


def _tell_transfer_awaited(
    application: Application,
    charge: LedgerEntry,
    letter: _Letter,
    rendered: Rendered,
    batch: Batch,
) -> None:
    bank = letter.bank
    send_transfer_awaited(
        application,
        event=f"charge:{charge.pk}",
        amount_cents=charge.amount_cents,
        charge=CHARGE_LABELS[charge.charge_kind],
        charge_kind=charge.charge_kind,
        reference=charge.creditor_reference or "",
        holder=bank.holder,
        iban=bank.iban,
        bic=bank.bic,
        batch=batch,
        head=letter.head,
        rendered=rendered,
    )


def locked_for(application: Application, by: User) -> Application:
    locked = (
        # Only the file's row: its campaign, programme and candidate are read, not held.
        Application.objects.select_for_update(of=("self",))
        .select_related("campaign", "programme", "candidate")
        .defer(*without_rulebooks("campaign"))
        .get(pk=application.pk)
    )
    if locked.candidate_id != by.pk:
        raise NotYourApplicationError(_("This application is not yours."))
    return locked


def update_draft(
    application: Application,
    *,
    by: User,
    track: str | None = None,
    financing_mode: str | None = None,
    cover_letter: str | None = None,
    professional_project: str | None = None,
) -> list[str]:
    """Save what the candidate changed on a draft; returns the names of the fields changed.

    A field left at None is not touched. Refused once the file is submitted.
    """
    with transaction.atomic():
        locked = locked_for(application, by)
        if Status(locked.status) not in EDITABLE_BY_CANDIDATE:
            raise ApplicationLockedError(
                _("This application was submitted: it can no longer be changed."),
                details={"status": locked.status},
            )
        new_track = track if track is not None else locked.track
        new_mode = financing_mode if financing_mode is not None else locked.financing_mode
        if (new_track, new_mode) != (locked.track, locked.financing_mode):
            _check_choices(locked.campaign, locked.programme, new_track, new_mode)
        values: dict[str, Any] = {
            "track": new_track,
            "financing_mode": new_mode,
            "cover_letter": cover_letter,
            "professional_project": professional_project,
        }
        changed = [
            name
            for name, value in values.items()
            if value is not None and value != getattr(locked, name)
        ]
        if not changed:
            return []
        for name in changed:
            setattr(locked, name, values[name])
        locked.save(update_fields=[*changed, "updated_at"])
        record_event(
            locked,
            action="application.draft_saved",
            by=by,
            details={"fields": changed},
        )
    application.refresh_from_db()
    return changed


def withdraw(application: Application, *, by: User, reason: str = "") -> Application:
    """The candidate gives up the file. Withdrawing twice changes nothing."""
    with transaction.atomic():
        locked = locked_for(application, by)
        if locked.status == Status.WITHDRAWN:
            application.refresh_from_db()
            return application
        details = {"reason": reason.strip()} if reason.strip() else None
        transition(locked, action="withdraw", by=by, details=details)
    application.refresh_from_db()
    return application
