"""The jury's pages: the sessions in scope, a session's deliberation, its minutes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from admissions.applications.models import Application
from admissions.catalog.models import Campaign, JurySession, Programme
from admissions.core.errors import DomainError
from admissions.documents.models import Document
from admissions.jury import agenda, decisions, documents, publication, sessions
from admissions.jury.access import (
    JURY_ROLES,
    ORGANISERS,
    holds_role_at,
    is_organiser,
    readable_session,
    visible_sessions,
)
from admissions.jury.decisions import diploma_in_progress
from admissions.jury.models import Conflict, Decision, Seat, SessionMember
from admissions.jury.places import places_of
from admissions.people.models import StaffRole, User
from admissions.rules.deadlines import PARIS
from admissions.rules.vocabulary import JuryDecision

PAGE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def _session(user: User, pk: int) -> JurySession:
    """The session, if the user sits on it or organises its institution's juries; else 404."""
    session = readable_session(user, pk)
    if session is None:
        raise Http404
    return session


class SessionForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"), queryset=Campaign.objects.none()
    )
    date = forms.DateField(
        label=gettext_lazy("Day of the session"), widget=forms.DateInput(attrs={"type": "date"})
    )
    files_cutoff = forms.DateField(
        label=gettext_lazy("Files ready by (end of day, Paris time)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    visible = visible_sessions(user)
    if visible is None:
        raise Http404
    rows = list(
        visible.select_related("campaign__institution", "publication")
        .annotate(files=Count("agenda", distinct=True))
        .order_by("-campaign__opens_on", "month", "date", "pk")[:200]
    )
    organising = [
        campaign
        for campaign in Campaign.objects.select_related("institution").order_by("-opens_on")[:20]
        if holds_role_at(user, campaign.institution_id, ORGANISERS)
    ]
    organised = [campaign for campaign in organising if campaign.rules.jury.rolling]
    names = {campaign.pk: campaign for campaign in organising}
    flagged = [
        (names[found.campaign_id], found)
        for found in agenda.waiting([campaign.pk for campaign in organising])
    ]
    form = SessionForm(request.POST or None)
    form.fields["campaign"].queryset = Campaign.objects.filter(pk__in=[c.pk for c in organised])  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        try:
            created = sessions.create_session(
                form.cleaned_data["campaign"],
                by=user,
                date=form.cleaned_data["date"],
                files_cutoff=form.cleaned_data["files_cutoff"],
            )
            messages.success(request, _("The jury session is set."))
            return redirect("office:jury_session", pk=created.pk)
        except DomainError as error:
            messages.error(request, str(error.message))
    for row in rows:
        row.cutoff = sessions.cutoff_of(row)  # type: ignore[attr-defined]
        row.closed = sessions.is_closed(row)  # type: ignore[attr-defined]
    return render(
        request,
        "office/jury/sessions.html",
        {"sessions": rows, "form": form if organised else None, "flagged": flagged},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Decision"))
    waitlist_rank = forms.IntegerField(label=gettext_lazy("Rank"), min_value=1, required=False)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=2000)
    diploma_obtained = forms.BooleanField(
        label=gettext_lazy("The diploma in progress has been obtained since"), required=False
    )

    def __init__(
        self,
        choices: list[tuple[str, str]],
        *args: Any,
        in_progress: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "—"), *choices]  # type: ignore[attr-defined]
        if not in_progress:
            # Only a file submitted with its diploma in progress asks the question.
            del self.fields["diploma_obtained"]


def decision_labels() -> dict[str, str]:
    return {
        JuryDecision.ADMITTED: _("Admitted"),
        JuryDecision.ADMITTED_CONDITIONALLY: _("Admitted on condition (diploma to be obtained)"),
        JuryDecision.WAITLISTED: _("Waiting list"),
        JuryDecision.NOT_ADMITTED: _("Not admitted"),
    }


def _years(value: str) -> str:
    try:
        return f"{float(value):.1f}"
    except (TypeError, ValueError):
        return ""


def _average(scores: dict[str, Any]) -> str:
    values: list[float] = [
        v["score"] for v in scores.values() if isinstance(v, dict) and v.get("score") is not None
    ]
    if not values:
        return "—"
    return f"{sum(values) / len(values):.1f}/20"


@login_required
def session_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    campaign = session.campaign
    rules = campaign.rules
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    after = int(request.GET.get("after", "0") or 0)
    items, more = agenda.agenda_page(session, after=after, size=PAGE)
    members = list(SessionMember.objects.filter(session=session).select_related("user__profile"))
    mine = next((m for m in members if m.user_id == user.pk), None)
    conflicts = set(
        Conflict.objects.filter(application_id__in=[i.application_id for i in items]).values_list(
            "application_id", "member_id"
        )
    )
    accepted = dict(
        Document.objects.filter(
            application_id__in=[i.application_id for i in items],
            translation_of__isnull=True,
            state__in=["accepted_by_staff", "accepted_on_arrival"],
        )
        .values("application_id")
        .annotate(n=Count("pk"))
        .values_list("application_id", "n")
    )
    labels = decision_labels()
    choices = [(str(d), labels[d]) for d in rules.jury.decisions]
    rows = []
    for item in items:
        application = item.application
        decision = getattr(application, "jury_decision", None)
        eligibility = application.eligibility or {}
        route = eligibility.get("route_label") or {}
        review = getattr(application, "admissibility_review", None)
        interview = getattr(application, "interview", None)
        rows.append(
            {
                "item": item,
                "application": application,
                "route": route.get(language, "") if isinstance(route, dict) else "",
                "derogatory": eligibility.get("route_kind") == "derogatory",
                "experience": _years(eligibility.get("experience_years", "")),
                "conditional": eligibility.get("conditional_admission", False),
                "documents": item.documents,  # type: ignore[attr-defined]
                "accepted": accepted.get(application.pk, 0),
                "review": review,
                "review_average": _average(review.scores) if review else "—",
                "interview": interview,
                "interview_average": _average(interview.scores) if interview else "—",
                "decision": decision,
                "decision_label": labels.get(decision.outcome, "") if decision else "",
                "in_conflict": mine is not None and (application.pk, user.pk) in conflicts,
                "conflicted_members": [
                    m for m in members if (application.pk, m.user_id) in conflicts
                ],
                "form": DecisionForm(
                    choices,
                    prefix=f"f{application.pk}",
                    in_progress=diploma_in_progress(application),
                    initial={
                        "outcome": decision.outcome if decision else "",
                        "waitlist_rank": decision.waitlist_rank if decision else None,
                        "reason": decision.reason if decision else "",
                        "diploma_obtained": bool(decision and decision.diploma_obtained),
                    },
                ),
            }
        )
    programmes = list(
        Programme.objects.filter(institution_id=campaign.institution_id, is_active=True).order_by(
            "slug"
        )
    )
    places = places_of(campaign, programmes)
    present = sum(1 for m in members if m.present)
    pending = Decision.objects.filter(session=session, published_at__isnull=True).aggregate(
        entered=Count("pk", filter=Q(validated_at__isnull=True)),
        validated=Count("pk", filter=Q(validated_at__isnull=False)),
    )
    organiser = is_organiser(user, session)
    president = mine is not None and mine.seat == Seat.PRESIDENT
    candidates = []
    if organiser:
        candidates = list(
            User.objects.filter(
                pk__in=StaffRole.objects.filter(
                    Q(institution_id=campaign.institution_id)
                    | Q(programme__institution_id=campaign.institution_id),
                    role__in=list(JURY_ROLES),
                ).values("user_id")
            )
            .exclude(pk__in=[m.user_id for m in members])
            .select_related("profile")
            .order_by("last_name", "email")[:100]
        )
    return render(
        request,
        "office/jury/session.html",
        {
            "session": session,
            "cutoff": sessions.cutoff_of(session),
            "rules": rules,
            "members": members,
            "mine": mine,
            "president": president,
            "organiser": organiser,
            "present": present,
            "quorum": rules.jury.quorum,
            "rows": rows,
            "more": more,
            "next_after": items[-1].pk if items else 0,
            "first_page": after == 0,
            "places": [places[p.pk] for p in programmes],
            "cap": rules.jury.derogation_cap,
            "pending": pending,
            "publication": getattr(session, "publication", None),
            "candidates": candidates,
            "reasons_for": [labels[d] for d in rules.jury.reasons_required_for],
            "can_publish": president or organiser,
        },
    )


def _back(session: JurySession) -> HttpResponse:
    return redirect("office:jury_session", pk=session.pk)


@login_required
@require_POST
def decide(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    application = get_object_or_404(
        Application.objects.select_related("programme", "campaign"),
        reference=reference,
        agenda_item__session=session,
    )
    rules = session.campaign.rules
    labels = decision_labels()
    form = DecisionForm(
        [(str(d), labels[d]) for d in rules.jury.decisions],
        request.POST,
        prefix=f"f{application.pk}",
        in_progress=diploma_in_progress(application),
    )
    if not form.is_valid():
        messages.error(request, _("%(file)s: check the decision.") % {"file": reference})
        return _back(session)
    try:
        decisions.enter_decision(
            application,
            by=user,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"] or "",
            waitlist_rank=form.cleaned_data["waitlist_rank"],
            diploma_obtained=bool(form.cleaned_data.get("diploma_obtained")),
            via="deliberation page",
        )
        messages.success(request, _("%(file)s: decision entered.") % {"file": reference})
    except DomainError as error:
        messages.error(request, f"{reference}: {error.message}")
    return _back(session)


@login_required
@require_POST
def declare_conflict(request: HttpRequest, pk: int, reference: str) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    application = get_object_or_404(Application, reference=reference, agenda_item__session=session)
    member_id = request.POST.get("member") or str(user.pk)
    member = get_object_or_404(SessionMember, session=session, user_id=member_id).user
    try:
        sessions.declare_conflict(
            application,
            member=member,
            reason=request.POST.get("reason", ""),
            by=user,
            session=session,
        )
        messages.success(
            request, _("%(file)s: conflict of interest recorded.") % {"file": reference}
        )
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(session)


@login_required
@require_POST
def validate(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    try:
        done = decisions.validate_decisions(session, by=user)
        messages.success(
            request, _("%(count)d decisions validated.") % {"count": len(done.validated)}
        )
        if done.left_for_another:
            messages.warning(
                request,
                _(
                    "%(count)d decisions you entered yourself wait: another member must enter "
                    "them for you to validate."
                )
                % {"count": len(done.left_for_another)},
            )
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(session)


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=gettext_lazy("Publish at (Paris time; empty: at once)"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    form = PublishForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the time of publication."))
        return _back(session)
    at: dt.datetime | None = form.cleaned_data["publish_at"]
    if at is not None and timezone.is_naive(at):
        at = at.replace(tzinfo=PARIS)
    try:
        done = publication.schedule_publication(session, by=user, at=at)
        if done.done_at:
            messages.success(request, _("The decisions are published and the candidates told."))
        else:
            messages.success(request, _("The decisions will be published at the time set."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(session)


@login_required
@require_POST
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    member = get_object_or_404(User, pk=request.POST.get("user") or 0)
    seat = Seat.PRESIDENT if request.POST.get("seat") == Seat.PRESIDENT else Seat.MEMBER
    try:
        sessions.add_member(session, user=member, seat=seat, by=user)
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(session)


@login_required
@require_POST
def presence(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    member = get_object_or_404(SessionMember, session=session, pk=member_id)
    try:
        sessions.set_presence(member, present=request.POST.get("present") == "1", by=user)
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(session)


@login_required
@require_POST
def place(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    application = get_object_or_404(
        Application.objects.select_related("campaign"),
        reference=request.POST.get("reference", "").strip(),
        campaign=session.campaign,
    )
    try:
        agenda.place_explicitly(application, session, by=user)
        messages.success(request, _("The file is on the agenda."))
    except DomainError as error:
        messages.error(request, str(error.message))
    return _back(session)


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    session = _session(user, pk)
    language = "en" if (get_language() or "fr").startswith("en") else "fr"
    pdf = documents.minutes(session, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = "proces-verbal" if language == "fr" else "minutes"
    response["Content-Disposition"] = f'attachment; filename="{name}-{session.slug}.pdf"'
    return response
