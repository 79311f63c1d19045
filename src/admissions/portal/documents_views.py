"""The documents pages: the checklist with a form per item, downloads, the bundle, the import.

Views find the file (404 for anyone who may not read it), parse input and call the services;
every refusal comes back as a message on the page. Upload views put the size limit in front
of Django's upload handlers before the CSRF check reads the body, so an over-size file is
cut off as it arrives.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db.models import prefetch_related_objects
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions.applications.models import Application
from admissions.catalog.programmes import form_link
from admissions.core.errors import DomainError
from admissions.documents import access, history, review, services
from admissions.documents.bundle import bundle_file, bundle_filename
from admissions.documents.errors import UnknownRequirementError
from admissions.documents.lifecycle import SATISFIED, DocumentState
from admissions.documents.models import Document, DocumentVersion, QuarantinedFile
from admissions.documents.refusals import Refusal, RefusalCode
from admissions.documents.serving import attachment, serve_version
from admissions.documents.status import ChecklistRow, application_checklist, checklist_with_states
from admissions.documents.uploadlimit import (
    UNREADABLE_FORM,
    declared_too_large,
    import_max_bytes,
    limit_upload,
    parse_upload,
)
from admissions.documents.zipimport import import_zip, may_import
from admissions.people.models import User
from admissions.portal.documents_forms import ImportForm, UploadForm
from admissions.rules.schema import DocumentRequirement


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _language(request: HttpRequest) -> str:
    return "en" if (getattr(request, "LANGUAGE_CODE", "fr") or "fr").startswith("en") else "fr"


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _back(request: HttpRequest, application: Application, code: str = "") -> HttpResponse:
    """Back to the checklist (at the item), as a redirect or, for the upload script, JSON."""
    url = reverse("documents:list", args=[application.reference])
    if code:
        url += f"#doc-{code}"
    if _wants_json(request):
        return JsonResponse({"redirect": url})
    return redirect(url)


def _requirement(application: Application, code: str) -> DocumentRequirement:
    try:
        return services.requirement_for(application, code)
    except UnknownRequirementError:
        raise Http404 from None


# The checklist page ---------------------------------------------------------------------


@dataclass
class Card:
    """One checklist item as the page shows it."""

    row: ChecklistRow
    label: str
    help: str
    why: str
    requirement: DocumentRequirement | None
    form: UploadForm | None = None
    translation_form: UploadForm | None = None
    versions: list[DocumentVersion] = field(default_factory=list)
    translation_versions: list[DocumentVersion] = field(default_factory=list)
    can_delete: bool = False
    can_review: bool = False
    can_mark_language: bool = False
    optional: bool = False
    form_link: str = ""  # the school's form to fill in, when it provides one
    form_external: bool = False
    number_label: str = ""  # a number typed with the file (CVEC attestation)

    @property
    def code(self) -> str:
        return self.row.code

    @property
    def badge(self) -> str:
        return _badge(self.row.state)

    @property
    def translation_badge(self) -> str:
        state = self.row.translation_state
        return _badge(state) if state is not None else ""


def _badge(state: DocumentState) -> str:
    if state in SATISFIED:
        return "success"
    if state in (
        DocumentState.REFUSED_ON_ARRIVAL,
        DocumentState.REJECTED_BY_STAFF,
        DocumentState.REQUESTED_BY_STAFF,
    ):
        return "danger"
    return "warning"


def _may_upload(
    user: User, application: Application, requirement: DocumentRequirement, doc: Document | None
) -> bool:
    try:
        services.check_may_upload(user, application, requirement, doc)
    except DomainError:
        return False
    return True


def _card(
    request: HttpRequest, application: Application, row: ChecklistRow, *, staff: bool
) -> Card:
    user = _user(request)
    language = _language(request)
    item = row.item
    requirement: DocumentRequirement | None
    try:
        requirement = services.requirement_for(application, row.code)
    except UnknownRequirementError:
        requirement = None
    card = Card(
        row=row,
        label=item.label.get(language),
        help=item.help.get(language) if item.help else "",
        why=item.why.get(language) if getattr(item, "why", None) else "",
        requirement=requirement,
    )
    if requirement is None:
        return card
    card.optional = requirement.optional
    card.form_link = form_link(application.programme.institution.slug, requirement)
    card.form_external = bool(requirement.form_url)
    if requirement.number_label is not None:
        card.number_label = requirement.number_label.get(language)
    policy = services.translation_policy(application)
    if _may_upload(user, application, requirement, row.document):
        card.form = UploadForm(
            formats=[str(f) for f in requirement.formats],
            max_bytes=requirement.max_bytes,
            needs_validity_date=requirement.needs_validity_date,
            translation_policy=policy
            if services.asks_translation(application, requirement)
            else None,
            foreign_language=bool(row.document and row.document.foreign_language),
            number_label=card.number_label,
            auto_id=f"id_{row.code}_%s",
        )
    if row.translation is not None and _may_upload(user, application, requirement, row.translation):
        card.translation_form = UploadForm(
            formats=[str(f) for f in requirement.formats],
            max_bytes=requirement.max_bytes,
            file_label=_("Certified translation")
            if policy.value == "certified"
            else _("Translation"),
            auto_id=f"id_{row.code}_translation_%s",
        )
    card.can_mark_language = bool(
        card.form is not None
        and row.document is not None
        and row.document.current_version_id
        and services.asks_translation(application, requirement)
    )
    if row.document is not None:
        versions = list(row.document.versions.all())
        card.versions = versions if staff else versions[:1]
        card.can_delete = access.is_owner(user, application) and (history.is_draft(application))
    if row.translation is not None:
        versions = list(row.translation.versions.all())
        card.translation_versions = versions if staff else versions[:1]
    card.can_review = (
        staff and access.is_officer_on(user, application) and not history.is_draft(application)
    )
    return card


class _ExtraItem:
    """A document sent for a requirement that is not on this candidate's checklist."""

    def __init__(self, requirement: DocumentRequirement) -> None:
        self.code = requirement.code
        self.label = requirement.label
        self.help = requirement.help
        self.why = None


@login_required
@require_GET
def document_list(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = access.readable_application(user, reference)
    staff = access.is_staff_on(user, application)
    items: list[Any] = list(application_checklist(application))
    listed = {item.code for item in items}
    for document in Document.objects.filter(application=application, translation_of=None):
        if document.requirement_code not in listed:
            try:
                requirement = services.requirement_for(application, document.requirement_code)
            except UnknownRequirementError:
                continue
            items.append(_ExtraItem(requirement))
            listed.add(requirement.code)
    rows = checklist_with_states(application, items)
    # Every document's versions in one query, not one per card.
    sent = [doc for row in rows for doc in (row.document, row.translation) if doc is not None]
    prefetch_related_objects(sent, "versions")
    cards = [_card(request, application, row, staff=staff) for row in rows]
    rulebook = application.rules
    context = {
        "application": application,
        "cards": cards,
        "staff": staff,
        "can_import": may_import(user, application),
        # An officer may ask for a piece the file has no copy of, once it is sent.
        "ask_choices": review.askable(application)
        if staff
        and access.is_officer_on(user, application)
        and not history.is_draft(application)
        and not history.is_closed(application)
        and not history.is_awaiting_fee(application)
        else [],
        "single_zip": rulebook.documents.bundle == "single_zip",
        "quarantined": QuarantinedFile.objects.filter(application=application).count()
        if staff
        else 0,
    }
    return render(request, "documents/list.html", context)


# Uploads --------------------------------------------------------------------------------


@csrf_exempt  # the check runs in `_receive`, once the size limit is in place
@login_required
@require_POST
def upload(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    return _upload(request, reference, code, translation=False)


@csrf_exempt  # the check runs in `_receive`, once the size limit is in place
@login_required
@require_POST
def upload_translation(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    return _upload(request, reference, code, translation=True)


def _upload(request: HttpRequest, reference: str, code: str, *, translation: bool) -> HttpResponse:
    user = _user(request)
    application = access.readable_application(user, reference)
    requirement = _requirement(application, code)
    limit = requirement.max_bytes
    if declared_too_large(request, limit):
        return _too_large(request, application, code, translation)
    handler = limit_upload(request, limit)
    if not parse_upload(request):
        messages.error(request, str(UNREADABLE_FORM))
        return _back(request, application, code)
    return _receive(request, application, requirement, translation, handler)


@csrf_protect
def _receive(
    request: HttpRequest,
    application: Application,
    requirement: DocumentRequirement,
    translation: bool,
    handler: Any,
) -> HttpResponse:
    code = requirement.code
    request.FILES  # noqa: B018 - parse the body now, with the limit in place
    if handler.exceeded:
        return _too_large(request, application, code, translation)
    form = UploadForm(
        request.POST,
        request.FILES,
        formats=[str(f) for f in requirement.formats],
        needs_validity_date=requirement.needs_validity_date and not translation,
        number_label=str(requirement.number_label.get(_language(request)))
        if requirement.number_label is not None and not translation
        else "",
        translation_policy=None
        if translation or not services.asks_translation(application, requirement)
        else services.translation_policy(application),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(request, application, code)
    uploaded: UploadedFile[bytes] = form.cleaned_data["file"]
    try:
        result = services.upload_document(
            application=application,
            requirement_code=code,
            stream=uploaded.file,  # type: ignore[arg-type]
            filename=uploaded.name or "",
            by=_user(request),
            translation=translation,
            valid_until=form.cleaned_data.get("valid_until"),
            foreign_language=form.cleaned_data.get("foreign_language")
            if "foreign_language" in form.fields
            else None,
            number=form.cleaned_data.get("number", ""),
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request, application, code)
    if result.refusal is not None:
        messages.error(request, result.message)
    elif result.deferred:
        messages.warning(request, result.message)
    else:
        messages.success(request, result.message)
    return _back(request, application, code)


def _too_large(
    request: HttpRequest, application: Application, code: str, translation: bool
) -> HttpResponse:
    requirement = _requirement(application, code)
    declared = request.META.get("CONTENT_LENGTH") or "0"
    size = int(declared) if declared.isdigit() else 0
    refusal = Refusal(RefusalCode.TOO_LARGE, size=size, limit=requirement.max_bytes)
    try:
        # The name is unknown: the body was not read. The size is the request's own.
        services.record_refusal(
            application, code, translation, refusal, _user(request), filename="", size=size
        )
    except DomainError as error:
        messages.error(request, str(error.message))
        return _back(request, application, code)
    messages.error(request, refusal.message)
    return _back(request, application, code)


# Other changes ----------------------------------------------------------------------------


def _document(application: Application, code: str, *, translation: bool = False) -> Document:
    document = services.find_document(application, code, translation=translation)
    if document is None:
        raise Http404
    return document


@login_required
@require_POST
def delete(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    application = access.readable_application(_user(request), reference)
    document = _document(application, code)
    try:
        services.delete_document(document, by=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The document was deleted."))
    return _back(request, application, code)


@login_required
@require_POST
def language(request: HttpRequest, reference: str, code: str) -> HttpResponse:
    application = access.readable_application(_user(request), reference)
    document = _document(application, code)
    foreign = request.POST.get("foreign_language") in ("on", "true", "1")
    try:
        services.set_foreign_language(document, foreign=foreign, by=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("A translation is now asked for this document.")
            if foreign
            else _("No translation is asked for this document any more."),
        )
    return _back(request, application, code)


# Downloads ------------------------------------------------------------------------------


@login_required
@require_GET
def download(request: HttpRequest, public_id: str) -> HttpResponseBase:
    return serve_version(request, public_id)


@login_required
@require_GET
def bundle(request: HttpRequest, reference: str) -> HttpResponseBase:
    application = access.readable_application(_user(request), reference)
    response = FileResponse(
        bundle_file(application, request),
        as_attachment=True,
        filename=bundle_filename(application),
        content_type="application/zip",
    )
    return attachment(response)


# ZIP import -----------------------------------------------------------------------------


@csrf_exempt  # the check runs in `_import`, once the size limit is in place
@login_required
@require_http_methods(["GET", "POST"])
def import_archive(request: HttpRequest, reference: str) -> HttpResponse:
    user = _user(request)
    application = access.readable_application(user, reference)
    if not may_import(user, application):
        raise Http404
    context: dict[str, Any] = {"application": application, "max_bytes": import_max_bytes()}
    if request.method == "POST":
        if declared_too_large(request, import_max_bytes()):
            context["too_large"] = True
            return render(request, "documents/import.html", context | {"form": ImportForm()})
        handler = limit_upload(request, import_max_bytes())
        if not parse_upload(request):
            messages.error(request, str(UNREADABLE_FORM))
            return _import_page(request, context, ImportForm(), status=400)
        return _import(request, application, handler, context)
    return _import_page(request, context, ImportForm())


@csrf_protect
def _import(
    request: HttpRequest, application: Application, handler: Any, context: dict[str, Any]
) -> HttpResponse:
    request.FILES  # noqa: B018 - parse the body now, with the limit in place
    if handler.exceeded:
        context["too_large"] = True
        return _import_page(request, context, ImportForm())
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, context, form)
    try:
        report = import_zip(application, form.cleaned_data["archive"].file, by=_user(request))
    except DomainError as error:
        messages.error(request, str(error.message))
        return _import_page(request, context, form)
    if report.ok:
        messages.success(
            request,
            _("%(count)s documents were imported.") % {"count": len(report.imported)},
        )
        return _back(request, application)
    context["report"] = report
    return _import_page(request, context, ImportForm(), status=422)


def _import_page(
    request: HttpRequest, context: dict[str, Any], form: ImportForm, status: int = 200
) -> HttpResponse:
    rulebook = context["application"].rules
    context["form"] = form
    context["requirements"] = rulebook.documents.requirements
    return render(request, "documents/import.html", context, status=status)
