"""/api/v1/staff/exports: the office's exports, streamed as the pages stream them.

The list of files with the list's filters (CSV and XLSX, both written row by row as sent), as
the office's export buttons (applications.staff_files); the confirmed candidates for
enrolment, for the roles the enrolment export page allows (workflow.enrolment.EXPORTERS).
Outside those roles, 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from ninja import Field, Query, Router, Schema

from admissions.api.auth import caller, token_institution, user_auth
from admissions.api.schemas import ErrorOut
from admissions.api.staff import FilterQuery
from admissions.applications.models import Application
from admissions.applications.queue import EXPORT_HEADER, csv_rows
from admissions.applications.staff_files import XLSX, exported_files, xlsx_chunks
from admissions.people.models import User
from admissions.people.permissions import allowed_programme_ids, is_staff_member
from admissions.workflow import enrolment

router = Router(tags=["exports"], auth=user_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CSV = "text/csv; charset=utf-8"


def _staff(request: HttpRequest) -> User:
    user = caller(request)
    if not is_staff_member(user):
        raise Http404
    return user


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@router.get(
    "/files.csv",
    response={200: None, **ERRORS},
    summary="The list of my files as CSV, with the list's filters (streamed)",
)
def files_csv(request: HttpRequest, query: Query[FilterQuery]) -> StreamingHttpResponse:
    files = exported_files(_staff(request), request.GET, institution_id=token_institution(request))
    response = StreamingHttpResponse(
        csv_rows(files, [str(h) for h in EXPORT_HEADER]), content_type=CSV
    )
    response["Content-Disposition"] = 'attachment; filename="files.csv"'
    return response


@router.get(
    "/files.xlsx",
    response={200: None, **ERRORS},
    summary="The list of my files as a spreadsheet, with the list's filters (streamed)",
)
def files_xlsx(request: HttpRequest, query: Query[FilterQuery]) -> StreamingHttpResponse:
    files = exported_files(_staff(request), request.GET, institution_id=token_institution(request))
    chunks = xlsx_chunks(files, [str(h) for h in EXPORT_HEADER])
    response = StreamingHttpResponse(chunks, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="files.xlsx"'
    return response


class EnrolmentQuery(Schema):
    campaign: str = Field(default="", max_length=20, description="campaign id; empty: all")


def _enrolment_files(request: HttpRequest, query: EnrolmentQuery) -> QuerySet[Application]:
    user = _staff(request)
    programmes = allowed_programme_ids(user, enrolment.EXPORTERS)
    bound = token_institution(request)
    if bound is not None:
        programmes = programmes.filter(institution_id=bound)
    if not programmes.exists():
        raise Http404
    campaign = query.campaign
    return enrolment.confirmed_files(
        programmes, campaign_id=int(campaign) if campaign.isdigit() else None
    )


def _stamped(response: StreamingHttpResponse, extension: str) -> StreamingHttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="enrolment-{stamp}.{extension}"'
    return response


@router.get(
    "/enrolment.csv",
    response={200: None, **ERRORS},
    summary="The confirmed candidates for enrolment, as CSV (streamed)",
)
def enrolment_csv(request: HttpRequest, query: Query[EnrolmentQuery]) -> StreamingHttpResponse:
    files = _enrolment_files(request, query)
    lines = enrolment.csv_lines(files, _language())
    return _stamped(StreamingHttpResponse(lines, content_type=CSV), "csv")


@router.get(
    "/enrolment.xlsx",
    response={200: None, **ERRORS},
    summary="The confirmed candidates for enrolment, as a spreadsheet",
)
def enrolment_xlsx(request: HttpRequest, query: Query[EnrolmentQuery]) -> StreamingHttpResponse:
    files = _enrolment_files(request, query)
    spool = enrolment.xlsx_file(files, _language())
    response = StreamingHttpResponse(enrolment.chunks(spool), content_type=enrolment.XLSX)
    return _stamped(response, "xlsx")
