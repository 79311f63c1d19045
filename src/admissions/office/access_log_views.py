"""The log of staff's views and downloads of candidates' documents, for the institution's
administrators: newest first, a page at a time, for one staff member or one file.

An institution the reader does not administer does not exist for them (404).
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from admissions.applications.models import Application
from admissions.catalog.models import Institution, without_rulebooks
from admissions.core.keyset import keyset_page
from admissions.documents.models import DocumentAccess
from admissions.people.models import StaffRole, User
from admissions.people.permissions import (
    administered_institution_ids,
    administers,
    has_platform_role,
)

PAGE_SIZE = 50


class FilterForm(forms.Form):
    staff = forms.TypedChoiceField(
        label=gettext_lazy("Staff member"), required=False, coerce=int, empty_value=None
    )
    file = forms.CharField(label=gettext_lazy("File reference"), required=False, max_length=40)

    def __init__(self, institution: Institution, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.institution = institution
        staff = (
            User.objects.filter(
                pk__in=StaffRole.objects.filter(institution=institution).values("user_id")
            )
            .order_by("email")
            .values_list("pk", "email")
        )
        self.fields["staff"].choices = [  # type: ignore[attr-defined]
            ("", _("Everyone")),
            *[(pk, email) for pk, email in staff],
        ]

    def clean_file(self) -> Application | None:
        reference = (self.cleaned_data.get("file") or "").strip()
        if not reference:
            return None
        found = (
            Application.objects.filter(
                reference__iexact=reference, programme__institution=self.institution
            )
            .only("pk", "reference")
            .first()
        )
        if found is None:
            raise forms.ValidationError(_("No file of this institution has this reference."))
        return found


def _institution(request: HttpRequest, slug: str) -> Institution:
    user = request.user
    institution = Institution.objects.defer(*without_rulebooks("")).filter(slug=slug).first()
    if institution is None or not isinstance(user, User) or not administers(user, institution.pk):
        raise Http404
    return institution


def _rows(institution: Institution, form: FilterForm) -> QuerySet[DocumentAccess]:
    rows = DocumentAccess.objects.filter(institution=institution).select_related(
        "user", "user__profile"
    )
    if not form.is_bound:
        return rows
    if not form.is_valid():
        return rows.none()
    if form.cleaned_data.get("staff"):
        rows = rows.filter(user_id=form.cleaned_data["staff"])
    if form.cleaned_data.get("file") is not None:
        rows = rows.filter(application_id=form.cleaned_data["file"].pk)
    return rows


@login_required
@require_GET
def institutions(request: HttpRequest) -> HttpResponse:
    """The institutions whose log the reader may see: straight to the log when one."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    found = Institution.objects.defer(*without_rulebooks("")).order_by("name")
    if not has_platform_role(user):
        found = found.filter(pk__in=administered_institution_ids(user))
    listed = list(found)
    if not listed:
        raise Http404
    if len(listed) == 1:
        return redirect("office:access_log", slug=listed[0].slug)
    return render(request, "office/access_logs.html", {"institutions": listed})


@login_required
@require_GET
def access_log(request: HttpRequest, slug: str) -> HttpResponse:
    institution = _institution(request, slug)
    filters = {key: request.GET[key] for key in ("staff", "file") if key in request.GET}
    form = FilterForm(institution, filters or None)
    page = keyset_page(_rows(institution, form), field="at", size=PAGE_SIZE, query=request.GET)
    context = {"institution": institution, "form": form, "page": page}
    status = 422 if filters and not form.is_valid() else 200
    return render(request, "office/access_log.html", context, status=status)
