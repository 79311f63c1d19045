"""The enrolment export of confirmed candidates, for the admissions and finance officers of
the programmes they look after (CSV or XLSX, optionally one campaign)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids
from admissions.workflow import enrolment

EXPORTERS = enrolment.EXPORTERS


@login_required
@require_GET
def export(request: HttpRequest, extension: str) -> StreamingHttpResponse:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    programmes = allowed_programme_ids(user, EXPORTERS)
    if not programmes.exists():
        raise Http404
    campaign = request.GET.get("campaign", "")
    files = enrolment.confirmed_files(
        programmes, campaign_id=int(campaign) if campaign.isdigit() else None
    )
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    if extension == "csv":
        response = StreamingHttpResponse(
            enrolment.csv_lines(files, language), content_type="text/csv; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            enrolment.chunks(enrolment.xlsx_file(files, language)),
            content_type=enrolment.XLSX,
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="enrolment-{stamp}.{extension}"'
    return response
