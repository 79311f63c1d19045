"""The candidate's profile: identity, nationality, residence, French level, education, career."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from admissions.rules.vocabulary import DiplomaKind, PermitKind

# What a candidate types is bounded; the forms and the API's schemas use the same lengths.
NAME_MAX_LENGTH = 150
PHONE_MAX_LENGTH = 40
ADDRESS_MAX_LENGTH = 500
TITLE_MAX_LENGTH = 200  # a diploma's title, a school, an employer, a position


class PermitChoice(models.TextChoices):
    NONE = "", _("No residence permit")
    STUDENT = PermitKind.STUDENT.value, _("Student residence permit")
    OTHER = PermitKind.OTHER.value, _("Other residence permit")


class FrenchCertificate(models.TextChoices):
    NONE = "", _("None")
    DELF = "DELF", "DELF"
    DALF = "DALF", "DALF"
    TCF = "TCF", "TCF"
    TEF = "TEF", "TEF"


class CefrLevel(models.TextChoices):
    NONE = "", "-"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    B1 = "B1", "B1"
    B2 = "B2", "B2"
    C1 = "C1", "C1"
    C2 = "C2", "C2"


class CandidateProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    given_names = models.CharField(_("given names"), max_length=NAME_MAX_LENGTH, blank=True)
    family_name = models.CharField(_("family name"), max_length=NAME_MAX_LENGTH, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    # Asked by a student information system at enrolment, and printed on the visa certificate.
    birth_place = models.CharField(_("place of birth"), max_length=NAME_MAX_LENGTH, blank=True)
    phone = models.CharField(_("phone"), max_length=PHONE_MAX_LENGTH, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    residence_country = models.CharField(_("country of residence"), max_length=2, blank=True)
    address = models.TextField(_("postal address"), blank=True)
    permit_kind = models.CharField(
        _("residence permit in France"), max_length=10, choices=PermitChoice.choices, blank=True
    )
    permit_valid_until = models.DateField(_("permit valid until"), null=True, blank=True)
    in_france_since = models.DateField(_("living in France since"), null=True, blank=True)
    # Some funding (a place paid by a region) is open only to registered job seekers.
    france_travail_registered = models.BooleanField(
        _("registered with France Travail as a job seeker"), default=False
    )
    french_certificate = models.CharField(
        _("French certificate"), max_length=4, choices=FrenchCertificate.choices, blank=True
    )
    french_level = models.CharField(
        _("French level"), max_length=2, choices=CefrLevel.choices, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("candidate profile")

    def __str__(self) -> str:
        return f"{self.given_names} {self.family_name}".strip() or str(self.user)


class DiplomaKindChoice(models.TextChoices):
    # Stated, not a docstring: the API's schema shows it, and the server drops docstrings.
    __doc__ = "The rules' diploma kinds with the names candidates know them by."

    CTI_ENGINEERING = DiplomaKind.CTI_ENGINEERING.value, _("Engineering diploma (CTI accredited)")
    MASTER_M2 = DiplomaKind.MASTER_M2.value, _("University master, second year (M2)")
    MASTER_M1 = DiplomaKind.MASTER_M1.value, _("University master, first year (M1) or maîtrise")
    MANAGEMENT_SCHOOL = (
        DiplomaKind.MANAGEMENT_SCHOOL.value,
        _("Business school diploma (grande école)"),
    )
    RNCP_LEVEL_7 = DiplomaKind.RNCP_LEVEL_7.value, _("Title registered at RNCP level 7")
    LICENCE = DiplomaKind.LICENCE.value, _("Licence (bachelor's degree)")
    BACHELOR_OTHER = DiplomaKind.BACHELOR_OTHER.value, _("Other Bac+3 diploma (BUT, bachelor…)")
    FOREIGN = DiplomaKind.FOREIGN.value, _("Foreign diploma")
    OTHER = DiplomaKind.OTHER.value, _("Other diploma")


class EducationStatus(models.TextChoices):
    OBTAINED = "obtained", _("Obtained")
    EXPECTED = "expected", _("Expected this year")


class Education(models.Model):
    profile = models.ForeignKey(
        CandidateProfile, on_delete=models.CASCADE, related_name="education"
    )
    level = models.PositiveSmallIntegerField(
        _("level"), choices=[(n, f"Bac+{n}") for n in range(2, 9)]
    )
    diploma_kind = models.CharField(
        _("kind of diploma"), max_length=30, choices=DiplomaKindChoice.choices
    )
    title = models.CharField(_("diploma title"), max_length=TITLE_MAX_LENGTH)
    school = models.CharField(_("institution"), max_length=TITLE_MAX_LENGTH, blank=True)
    country = models.CharField(_("country"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=EducationStatus.choices,
        default=EducationStatus.OBTAINED,
    )
    # The status page's version follows the diplomas by it (workflow/status_version.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "-level"]

    def __str__(self) -> str:
        return f"{self.title} ({self.year})"


class WorkPeriod(models.Model):
    profile = models.ForeignKey(
        CandidateProfile, on_delete=models.CASCADE, related_name="work_periods"
    )
    employer = models.CharField(_("employer"), max_length=TITLE_MAX_LENGTH)
    position = models.CharField(_("position"), max_length=TITLE_MAX_LENGTH, blank=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"), null=True, blank=True, help_text=_("Empty if ongoing."))
    # The status page's version follows the jobs by it (workflow/status_version.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                name="work_period_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employer} {self.start}"
