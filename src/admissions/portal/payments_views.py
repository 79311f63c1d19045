"""The candidates' payment pages: cost simulator, what a file owes, how to pay it.

Pages parse input, check that the file is the candidate's own, call a payment service and
render. A refusal of a service comes back as a message on the page, never as an error page.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from admissions.applications.models import Application
from admissions.catalog.confirmations import indicative_tuition
from admissions.catalog.models import without_rulebooks
from admissions.core.errors import DomainError
from admissions.core.middleware import POLICY
from admissions.payments import checkout, ledger, mandates, receipts
from admissions.payments.instructions import BankDetails, bank_details
from admissions.payments.ledger import ChargeLine
from admissions.payments.models import (
    CardCheckout,
    CheckoutStatus,
    FinanceDocument,
)
from admissions.payments.pdf import render_pdf
from admissions.payments.providers.base import get_provider
from admissions.payments.simulator import Simulation, rules_for, simulate
from admissions.portal.payments_forms import MandateForm, ProgrammeForm, SimulatorForm
from admissions.rules import fees
from admissions.rules.fees import CostEstimate, FeeError, payment_methods
from admissions.rules.schema import FinancingMode
from admissions.rules.vocabulary import ChargeKind, PaymentMethod, Track
from admissions.workflow import declared_transfers

# Stripe's hosted page is reached by a redirect after our form: the page holding the
# form must allow it as a form target.
STRIPE_FORM_ACTION = "https://checkout.stripe.com"


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _own(request: HttpRequest, reference: str) -> Application:
    return get_object_or_404(
        Application.objects.select_related("campaign", "programme__institution", "candidate").defer(
            *without_rulebooks("campaign", "programme__institution")
        ),
        reference=reference,
        candidate_id=request.user.pk,
    )


def _line(application: Application, charge: str, instalment: int) -> ChargeLine:
    line = ledger.charged_line(application.pk, charge, instalment or None)
    if line is None:
        raise Http404
    return line


@dataclass(frozen=True)
class LineView:
    line: ChargeLine
    card: bool
    transfer: bool
    debit: bool
    funder: str = ""  # the funder billed for this line, "" when the candidate owes it

    @property
    def slug(self) -> str:
        return self.line.charge_kind

    @property
    def number(self) -> int:
        return self.line.instalment or 0


def simulator(request: HttpRequest) -> HttpResponse:
    """Pick a programme, then a financing mode and a track: the total and the instalments."""
    form: ProgrammeForm = ProgrammeForm(request.GET or None)
    simulation: Simulation | None = None
    if form.is_valid():
        programme = form.cleaned_data["programme"]
        rules = rules_for(programme)
        form = SimulatorForm(
            request.GET if "track" in request.GET else None,
            rules=rules,
            programme_slug=programme.slug,
            initial={"programme": programme},
        )
        if form.is_bound and form.is_valid():
            try:
                simulation = simulate(
                    programme,
                    financing_mode=form.cleaned_data["financing_mode"],
                    track=form.cleaned_data["track"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
    return render(
        request,
        "payments/simulator.html",
        {"form": form, "simulation": simulation, "language": _language()},
    )


@login_required
def overview(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own(request, reference)
    rules = application.rules
    provider = get_provider()
    bank = _safe_bank_details(request, application)
    rows = []
    for line in ledger.lines(application.pk):
        methods = payment_methods(rules, ChargeKind(line.charge_kind))
        funder = _funder_of(application, ChargeKind(line.charge_kind))
        # A line the funder owes is invoiced to it: the candidate is offered no way to pay.
        owed = line.outstanding > 0 and not funder
        rows.append(
            LineView(
                line=line,
                card=owed and PaymentMethod.CARD in methods,
                transfer=owed and bank is not None and PaymentMethod.BANK_TRANSFER in methods,
                debit=owed and PaymentMethod.SEPA_DIRECT_DEBIT in methods,
                funder=funder,
            )
        )
    mandate = mandates.active_mandate(application.pk)
    funding = _funding(application)
    response = render(
        request,
        "payments/overview.html",
        {
            "application": application,
            "rows": rows,
            "balance": sum(row.line.outstanding for row in rows),
            "documents": FinanceDocument.objects.filter(application=application).order_by(
                "issued_at", "pk"
            ),
            "mandate": mandate,
            # Offered once instalments are charged that may be debited.
            "offers_debit": any(row.debit for row in rows) or mandate is not None,
            "provider": provider,
            # The demo banner speaks of card payments: only where a card may be used.
            "card_offered": any(row.card for row in rows),
            "simulator_url": _simulator_url(application),
            **funding,
        },
    )
    if provider.name == "stripe":
        response.headers["Content-Security-Policy"] = _csp_with_form_action(STRIPE_FORM_ACTION)
    return response


def _mode(application: Application) -> FinancingMode | None:
    try:
        return application.rules.financing_mode(application.financing_mode)
    except KeyError:
        return None


def _funder_of(application: Application, kind: ChargeKind) -> str:
    mode = _mode(application)
    rules = application.rules
    if mode is None or mode.funder is None:
        return ""
    if fees.payer_of(rules, mode.code, kind) != fees.Payer.FUNDER:
        return ""
    return mode.funder.get(_language())


def _estimate(application: Application) -> CostEstimate | None:
    try:
        return fees.estimate(
            application.rules,
            programme=application.programme.slug,
            financing_mode=application.financing_mode,
            track=Track(application.track),
        )
    except (FeeError, ValueError):
        return None


def _funding(application: Application) -> dict[str, object]:
    """Who pays what on this file: the candidate's share, the funder's, the quote to ask."""
    mode = _mode(application)
    estimate = _estimate(application)
    if mode is None or estimate is None:
        return {"estimate": None}
    return {
        "estimate": estimate,
        "funder": mode.funder.get(_language()) if mode.funder else "",
        "quote": mode.region_funded,
        "request_by": fees.request_by(
            application.rules,
            programme=application.programme.slug,
            financing_mode=mode.code,
        ),
        "indicative": indicative_tuition(application.campaign, application.programme.slug),
    }


@login_required
def quote(request: HttpRequest, reference: str) -> HttpResponse:
    """The training quote a candidate hands to the adviser of a regional funding scheme."""
    application = _own(request, reference)
    mode = _mode(application)
    estimate = _estimate(application)
    if mode is None or not mode.region_funded or estimate is None or mode.funder is None:
        raise Http404
    rules = application.rules
    language = _language()
    programme = application.programme
    try:
        rule = rules.programme(programme.slug)
        site = rules.site(rule.site)
    except KeyError:
        raise Http404 from None
    pdf = render_pdf(
        "payments/pdf/quote.html",
        {
            "application": application,
            "rules": rules,
            "programme": programme,
            "programme_name": rule.name.get(language),
            "site": site,
            "starts_on": rule.starts_on,
            "profile": getattr(application.candidate, "profile", None),
            "mode_label": mode.label.get(language),
            "funder": mode.funder.get(language),
            "conditions": mode.conditions.get(language) if mode.conditions else "",
            "tuition_note": rules.fees.tuition_note.get(language)
            if rules.fees.tuition_note
            else "",
            "estimate": estimate,
            "request_by": fees.request_by(
                rules, programme=programme.slug, financing_mode=mode.code
            ),
            "today": timezone.localdate(),
        },
        language=language,
    )
    return _pdf_response(pdf, f"{application.reference}-devis.pdf")


def _simulator_url(application: Application) -> str:
    query = urlencode(
        {
            "programme": application.programme_id,
            "financing_mode": application.financing_mode,
            "track": application.track,
        }
    )
    return f"{reverse('payments:simulator')}?{query}"


def _csp_with_form_action(origin: str) -> str:
    return POLICY.replace("form-action 'self'", f"form-action 'self' {origin}")


def _safe_bank_details(request: HttpRequest, application: Application) -> BankDetails | None:
    try:
        return bank_details(application.bank_account)
    except DomainError as error:
        messages.error(request, error.message)
        return None


@login_required
def transfer(request: HttpRequest, reference: str, charge: str, instalment: int) -> HttpResponse:
    application = _own(request, reference)
    line = _line(application, charge, instalment)
    bank = _safe_bank_details(request, application)
    if bank is None:
        return redirect("payments:overview", reference=application.reference)
    is_fee = line.charge_kind == ChargeKind.APPLICATION_FEE
    declaration = declared_transfers.declaration(application) if is_fee else None
    return render(
        request,
        "payments/transfer.html",
        {
            "application": application,
            "line": line,
            "bank": bank,
            "bank_phone": application.bank_account.phone if application.bank_account else "",
            "declaration": declaration,
            "declarable": is_fee
            and declaration is None
            and line.outstanding > 0
            and application.status == "draft"
            and declared_transfers.allowed_days(application) is not None,
        },
    )


@login_required
def transfer_pdf(
    request: HttpRequest, reference: str, charge: str, instalment: int
) -> HttpResponse:
    application = _own(request, reference)
    line = _line(application, charge, instalment)
    bank = _safe_bank_details(request, application)
    if bank is None:
        return redirect("payments:overview", reference=application.reference)
    language = _language()
    programme = application.programme
    pdf = render_pdf(
        "payments/pdf/instructions.html",
        {
            "application": application,
            "line": line,
            "bank": bank,
            "institution_name": application.rules.institution.name,
            "programme_name": programme.name_en if language == "en" else programme.name_fr,
        },
        language=language,
    )
    return _pdf_response(pdf, f"{application.reference}-{line.key.replace(':', '-')}.pdf")


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_POST
def card_start(request: HttpRequest, reference: str, charge: str, instalment: int) -> HttpResponse:
    application = _own(request, reference)
    line = _line(application, charge, instalment)
    done = reverse("payments:card_done", args=[application.reference, line.charge_kind, instalment])
    try:
        _checkout, target = checkout.start_card_checkout(
            application,
            charge_kind=line.charge_kind,
            instalment=line.instalment,
            by=request.user,  # type: ignore[arg-type]
            success_url=request.build_absolute_uri(done),
            cancel_url=request.build_absolute_uri(
                reverse("payments:overview", args=[application.reference])
            ),
            language=_language(),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("payments:overview", reference=application.reference)
    return redirect(target)


@login_required
def card_done(request: HttpRequest, reference: str, charge: str, instalment: int) -> HttpResponse:
    """Where the provider sends the candidate back; the notification may arrive later."""
    application = _own(request, reference)
    line = _line(application, charge, instalment)
    session = request.GET.get("session_id", "")
    attempt = CardCheckout.objects.filter(application=application, session_id=session).first()
    return render(
        request,
        "payments/card_done.html",
        {
            "application": application,
            "line": line,
            "checkout": attempt,
            "paid": attempt is not None and attempt.status == CheckoutStatus.PAID,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def demo_checkout(request: HttpRequest, session_id: str) -> HttpResponse:
    attempt = get_object_or_404(
        CardCheckout.objects.select_related("application"),
        session_id=session_id,
        provider="demo",
        application__candidate_id=request.user.pk,
    )
    application = attempt.application
    done = reverse(
        "payments:card_done",
        args=[application.reference, attempt.charge_kind, attempt.instalment or 0],
    )
    if request.method == "POST":
        if attempt.status == CheckoutStatus.OPEN:
            checkout.pay_demo(attempt, by=request.user)  # type: ignore[arg-type]
        return redirect(f"{done}?session_id={attempt.session_id}")
    return render(
        request,
        "payments/demo_checkout.html",
        {"checkout": attempt, "application": application},
    )


@login_required
@require_http_methods(["GET", "POST"])
def mandate(request: HttpRequest, reference: str) -> HttpResponse:
    application = _own(request, reference)
    form = MandateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mandates.sign_mandate(
                application,
                holder=form.cleaned_data["holder"],
                iban=form.cleaned_data["iban"],
                bic=form.cleaned_data["bic"],
                by=request.user,  # type: ignore[arg-type]
            )
        except DomainError as error:
            field = error.details.get("field") if isinstance(error.details, dict) else None
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("Your direct-debit mandate is recorded."))
            return redirect("payments:overview", reference=application.reference)
    return render(
        request,
        "payments/mandate.html",
        {
            "application": application,
            "form": form,
            "mandate": mandates.active_mandate(application.pk),
            "institution_name": application.rules.institution.name,
        },
    )


@login_required
@require_POST
def invoice(request: HttpRequest, reference: str, charge: str, instalment: int) -> HttpResponse:
    application = _own(request, reference)
    document = receipts.invoice_of_line(
        application,
        charge_kind=charge,
        instalment=instalment or None,
        by=request.user,  # type: ignore[arg-type]
    )
    if document is None:
        raise Http404
    return redirect("payments:document", reference=application.reference, pk=document.pk)


@login_required
def document(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    application = _own(request, reference)
    found = get_object_or_404(FinanceDocument, pk=pk, application=application)
    language = request.GET.get("lang", _language())
    if language not in ("fr", "en"):
        language = _language()
    pdf = receipts.render_document(found, language=language)
    return _pdf_response(pdf, f"{found.display_number}.pdf")
