"""Interview slots of the programmes a staff member organises: publish, and see who booked."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admissions.catalog.models import Programme
from admissions.core.errors import DomainError
from admissions.people.models import Role, StaffRole, User
from admissions.people.permissions import allowed_programme_ids
from admissions.review import interviews
from admissions.review.models import DEFAULT_SLOT_MINUTES, InterviewSlot
from admissions.review.roles import INTERVIEW_ORGANISERS
from admissions.rules.deadlines import PARIS


class StaffChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        return obj.get_full_name() or obj.email


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Start (Paris time)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    duration_minutes = forms.IntegerField(
        label=gettext_lazy("Minutes"), initial=DEFAULT_SLOT_MINUTES, min_value=5, max_value=240
    )
    interviewer = StaffChoiceField(label=gettext_lazy("Interviewer"), queryset=User.objects.none())
    video_link = forms.URLField(
        label=gettext_lazy("Video link (empty: the programme's template)"),
        required=False,
        assume_scheme="https",
    )

    def __init__(self, programme: Programme, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["interviewer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            pk__in=StaffRole.objects.filter(
                role__in=[Role.INTERVIEWER, Role.PEDAGOGICAL_LEAD],
                institution_id=programme.institution_id,
            ).values("user_id")
        ).order_by("last_name", "email")


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _programme(user: User, programme_id: int) -> Programme:
    programme = (
        Programme.objects.filter(pk__in=allowed_programme_ids(user, INTERVIEW_ORGANISERS))
        .filter(pk=programme_id)
        .first()
    )
    if programme is None:
        raise Http404
    return programme


@login_required
def slots(request: HttpRequest, programme_id: int) -> HttpResponse:
    user = _user(request)
    programme = _programme(user, programme_id)
    form = SlotForm(programme, request.POST or None)
    if request.method == "POST" and form.is_valid():
        starts_at: dt.datetime = form.cleaned_data["starts_at"]
        if timezone.is_naive(starts_at):
            starts_at = starts_at.replace(tzinfo=PARIS)
        try:
            interviews.publish_slot(
                programme,
                by=user,
                starts_at=starts_at,
                interviewer=form.cleaned_data["interviewer"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                video_link=form.cleaned_data["video_link"] or "",
            )
            messages.success(request, _("The slot is published."))
            return redirect("office:slots", programme_id=programme.pk)
        except DomainError as error:
            messages.error(request, str(error.message))
    upcoming = (
        InterviewSlot.objects.filter(programme=programme, starts_at__gte=timezone.now())
        .select_related("interviewer", "interview__application__candidate")
        .order_by("starts_at", "pk")
    )
    return render(
        request,
        "office/slots.html",
        {"programme": programme, "form": form, "slots": upcoming},
    )
