"""An institution's administrators reword its emails, with a preview on sample data.

The form posts "preview" into a frame of the same page (no script needed): the frame shows
the email as it would be sent, or why the text is refused. Saving checks the text again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from admissions.catalog.models import Institution
from admissions.core.errors import DomainError, ValidationFailed
from admissions.notify import overrides
from admissions.notify.context import LANGUAGES
from admissions.notify.kinds import KINDS, PLACEHOLDERS, Kind
from admissions.notify.models import TemplateOverride
from admissions.notify.render import Rendered
from admissions.office.outbox_views import EMAIL_POLICY
from admissions.people.models import User


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _target(request: HttpRequest, slug: str, code: str, language: str) -> tuple[Institution, Kind]:
    institution = get_object_or_404(Institution, slug=slug)
    if not overrides.may_edit(_user(request), institution) or language not in LANGUAGES:
        raise Http404
    try:
        return institution, overrides.overridable(code)
    except ValidationFailed:
        raise Http404 from None


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    institutions = list(overrides.editable_institutions(_user(request)))
    if not institutions:
        raise Http404
    existing = {
        (o.institution_id, o.kind, o.language)
        for o in TemplateOverride.objects.filter(institution__in=institutions)
    }
    rows = [
        {
            "institution": institution,
            "kinds": [
                {
                    "kind": kind,
                    "languages": [
                        (language, (institution.pk, kind.code, language) in existing)
                        for language in LANGUAGES
                    ],
                }
                for kind in KINDS.values()
            ],
        }
        for institution in institutions
    ]
    return render(request, "office/emails/list.html", {"rows": rows})


def _context(institution: Institution, kind: Kind, language: str, **extra: Any) -> dict[str, Any]:
    return {
        "institution": institution,
        "kind": kind,
        "language": language,
        "placeholders": [(name, PLACEHOLDERS[name].label) for name in kind.placeholders],
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, slug: str, code: str, language: str) -> HttpResponse:
    institution, kind = _target(request, slug, code, language)
    current = overrides.current(institution, kind, language)
    subject = current.subject if current else ""
    body = current.body if current else ""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if "reset" in request.POST:
            overrides.delete_override(institution, kind, language, by=_user(request))
            messages.success(request, _("The email is back to the platform's wording."))
            return redirect("office:email_template", slug=slug, code=code, language=language)
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "")
        try:
            overrides.save_override(
                institution, kind, language, subject=subject, body=body, by=_user(request)
            )
        except ValidationFailed as refused:
            errors = refused.details if isinstance(refused.details, dict) else {}
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The institution's wording of this email was saved."))
            return redirect("office:email_template", slug=slug, code=code, language=language)
    context = _context(
        institution,
        kind,
        language,
        subject=subject,
        body=body,
        errors=errors,
        overridden=current is not None,
    )
    return render(request, "office/emails/edit.html", context, status=422 if errors else 200)


def framed(rendered: Rendered) -> str:
    """The email's HTML with its subject above and its text part below, for the frame."""
    above = render_to_string("office/emails/_preview_subject.html", {"rendered": rendered})
    below = render_to_string("office/emails/_preview_text.html", {"rendered": rendered})
    html = rendered.html.replace("<body>", f"<body>{above}", 1)
    return html.replace("</body>", f"{below}</body>", 1)


@login_required
@require_POST
@xframe_options_sameorigin
def template_preview(request: HttpRequest, slug: str, code: str, language: str) -> HttpResponse:
    """The email on sample values, as an HTML document for the preview frame."""
    institution, kind = _target(request, slug, code, language)
    subject = request.POST.get("subject", "")
    body = request.POST.get("body", "")
    try:
        rendered = overrides.sample(institution, kind, language, subject=subject, body=body)
    except ValidationFailed as refused:
        details = refused.details if isinstance(refused.details, dict) else {}
        html = render_to_string(
            "office/emails/refused.html",
            {"problems": [p for found in details.values() for p in found]},
            request=request,
        )
        response = HttpResponse(html, status=422)
    else:
        response = HttpResponse(framed(rendered))
    response["Content-Security-Policy"] = EMAIL_POLICY
    return response
