"""The enrolment export: the confirmed candidates, with what a student information system
needs to register them, as CSV or XLSX.

Rows are read in chunks (`iterator` with its prefetches), so memory stays the same whatever
the number of candidates: the CSV is streamed line by line, the XLSX is written row by row
(openpyxl's write-only mode) to a temporary file that is then streamed. Text cells a
spreadsheet would read as a formula are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from admissions.applications.choices import financing_label, track_label
from admissions.applications.lifecycle import Status
from admissions.applications.models import Application
from admissions.catalog.models import Campaign
from admissions.documents.models import Document
from admissions.people.models import Role
from admissions.people.profile import Education
from admissions.rules.vocabulary import DocumentCondition
from admissions.workflow.models import InternationalFile

CONFIRMED = [Status.CONFIRMED, Status.CONFIRMED_CONDITIONALLY]
CHUNK = 500
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

COLUMNS = [
    ("reference", _("Application")),
    ("status", _("Status")),
    ("confirmed_at", _("Confirmed on")),
    ("family_name", _("Family name")),
    ("given_names", _("Given names")),
    ("email", _("Email")),
    ("phone", _("Phone")),
    ("birth_date", _("Date of birth")),
    ("birth_place", _("Place of birth")),
    ("nationality", _("Nationality")),
    ("residence_country", _("Country of residence")),
    ("address", _("Postal address")),
    ("institution", _("Institution")),
    ("programme_code", _("Programme code")),
    ("programme", _("Programme")),
    ("site", _("Site")),
    ("campaign", _("Campaign")),
    ("academic_year", _("Academic year")),
    ("track", _("Track")),
    ("financing_code", _("Financing code")),
    ("financing", _("Financing")),
    ("on_condition", _("Diploma still to obtain")),
    ("diploma", _("Highest diploma")),
    ("diploma_level", _("Level (years after the baccalauréat)")),
    ("diploma_school", _("Awarded by")),
    ("diploma_country", _("Country of the diploma")),
    ("diploma_year", _("Year of the diploma")),
    ("diplomas", _("All diplomas")),
    ("cvec_number", _("CVEC certificate number")),
    ("campus_france_number", _("Études en France number")),
    ("visa", _("Visa")),
]


# Who exports the confirmed candidates of their programmes.
EXPORTERS = (Role.ADMISSIONS_OFFICER, Role.FINANCE_OFFICER, Role.INSTITUTION_ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def confirmed_files(programme_ids: Any, *, campaign_id: int | None = None) -> QuerySet[Application]:
    files = Application.objects.filter(programme_id__in=programme_ids, status__in=CONFIRMED)
    if campaign_id is not None:
        files = files.filter(campaign_id=campaign_id)
    return (
        files.select_related(
            "candidate",
            "candidate__profile",
            "programme",
            "programme__site",
            "programme__institution",
            "campaign",
            "international",
        )
        .prefetch_related(
            Prefetch(
                "candidate__profile__education",
                queryset=Education.objects.order_by("-level", "-year", "pk"),
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.filter(translation_of__isnull=True).exclude(number=""),
                to_attr="numbered_documents",
            ),
        )
        .order_by("programme_id", "pk")
    )


def _cvec_codes(campaign: Campaign, cache: dict[int, frozenset[str]]) -> frozenset[str]:
    if campaign.pk not in cache:
        cache[campaign.pk] = frozenset(
            requirement.code
            for requirement in campaign.rules.documents.requirements
            if requirement.condition == DocumentCondition.CVEC_DUE
        )
    return cache[campaign.pk]


def _international(application: Application) -> InternationalFile | None:
    try:
        return application.international
    except InternationalFile.DoesNotExist:
        return None


def rows(files: QuerySet[Application], language: str) -> Iterator[list[Any]]:
    cvec: dict[int, frozenset[str]] = {}
    for application in files.iterator(chunk_size=CHUNK):
        candidate = application.candidate
        profile = getattr(candidate, "profile", None)
        diplomas = list(profile.education.all()) if profile is not None else []
        highest = diplomas[0] if diplomas else None
        codes = _cvec_codes(application.campaign, cvec)
        cvec_number = next(
            (d.number for d in application.numbered_documents if d.requirement_code in codes),  # type: ignore[attr-defined]
            "",
        )
        international = _international(application)
        programme = application.programme
        yield [
            application.reference,
            str(Status(application.status).label),
            timezone.localtime(application.status_changed_at).date().isoformat(),
            profile.family_name if profile else candidate.last_name,
            profile.given_names if profile else candidate.first_name,
            candidate.email,
            profile.phone if profile else "",
            profile.birth_date.isoformat() if profile and profile.birth_date else "",
            profile.birth_place if profile else "",
            profile.nationality if profile else "",
            profile.residence_country if profile else "",
            profile.address if profile else "",
            programme.institution.name,
            programme.slug,
            programme.name,
            programme.site.name if programme.site_id else "",
            application.campaign.name,
            application.campaign.academic_year,
            str(track_label(application.track)),
            application.financing_mode,
            financing_label(application.campaign, application.financing_mode, language),
            "yes" if application.status == Status.CONFIRMED_CONDITIONALLY else "no",
            highest.title if highest else "",
            highest.level if highest else "",
            highest.school if highest else "",
            highest.country if highest else "",
            highest.year if highest else "",
            " | ".join(f"{d.title} ({d.school}, {d.country}, {d.year})" for d in diplomas),
            cvec_number,
            international.campus_france_number if international else "",
            international.get_visa_outcome_display() if international else "",
        ]


def headers() -> list[str]:
    return [str(label) for _code, label in COLUMNS]


class _Line:
    """A file-like that hands back what csv writes, one line at a time."""

    def write(self, value: str) -> str:
        return value


def csv_lines(files: QuerySet[Application], language: str) -> Iterator[str]:
    """The export's lines, in `language`: they are written as the answer is sent, after its
    view has returned, when the API has already set the thread's language back."""
    writer = csv.writer(_Line())
    with translation.override(language):
        # The byte-order mark makes spreadsheet programs read the accents right.
        yield "\ufeff" + writer.writerow(headers())
        for row in rows(files, language):
            yield writer.writerow(["" if value is None else safe(value) for value in row])


def xlsx_file(files: QuerySet[Application], language: str) -> IO[bytes]:
    """The export as an XLSX in a temporary file, rewound; the caller closes it."""
    from openpyxl import Workbook  # a large library, loaded only by those who export

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Enrolment"))[:31])
    sheet.append(headers())
    for row in rows(files, language):
        sheet.append([safe(value) for value in row])
    output: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response
    workbook.save(output)
    output.seek(0)
    return output


def chunks(stream: IO[bytes], size: int = 64 * 1024) -> Iterable[bytes]:
    while block := stream.read(size):
        yield block
    stream.close()
