"""Every URL that names an object answers 404 to whoever is outside its scope.

The URLs are read from the resolver, so a new one is covered as soon as it exists: its
parameters are filled with the ids and references of real objects of one school's files
(the demonstration data and the rows the query budgets add, tests/budgets/world.py), then
each URL is requested by people outside that scope:

- a candidate who does not own the file;
- a staff member holding every role at the other school;
- an anonymous visitor, who is sent to the log-in page (the API answers 401) or gets 404.

Each URL is tried with GET and POST (and PUT and DELETE under /api/): every answer must be a
404 or a 405 (a method the URL does not take), at least one a 404: no page, no form error, no
403 that would tell the object exists. A parameter the test cannot fill fails it, naming
the URL: give it a value below.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
import time_machine
from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from admissions.catalog.models import Institution, JurySession, Programme
from admissions.documents.models import DocumentVersion
from admissions.jury.models import SessionMember
from admissions.notify.models import Notification, WebhookDelivery
from admissions.payments.models import DebitBatch, FinanceDocument, PaymentIssue, RefundRequest
from admissions.people.models import ApiToken, Role, StaffRole, User
from admissions.people.profile import Education, WorkPeriod
from admissions.workflow.messages import Upload, post_message
from tests.budgets.world import NORD, NOW, World, build
from tests.documents import corpus
from tests.factories import eligible_candidate, load_preset, staff_member

pytestmark = pytest.mark.django_db

BS = "imt-bs"
API = "/api/"
LOGIN = re.compile(r"^(/en)?/accounts/login/\?next=")


PAGE_METHODS = ("get", "post")


@dataclass(frozen=True)
class Route:
    name: str  # with its namespaces, as reverse() takes it
    pattern: str
    params: tuple[str, ...]
    methods: tuple[str, ...]  # a page's GET and POST; an API operation's own methods

    @property
    def api(self) -> bool:
        return self.methods != PAGE_METHODS or self.pattern.startswith(API.lstrip("/"))

    @property
    def label(self) -> str:
        return f"{self.name} ({self.pattern})"


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = "", outer: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, URLPattern, tuple[str, ...]]]:
    """Each URL pattern, with the parameters the patterns that include it take."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            params = outer + tuple(entry.pattern.regex.groupindex)
            yield from _walk(entry, prefix + str(entry.pattern), inner, params)
        else:
            yield prefix + str(entry.pattern), namespace, entry, outer


def _api_methods(entry: URLPattern) -> tuple[str, ...]:
    """The HTTP methods of the API operation a URL pattern is named after.

    django-ninja gives every operation of one path the same view, which picks the operation
    by method: the path view sits in the view's closure.
    """
    for cell in entry.callback.__closure__ or ():
        operations = getattr(cell.cell_contents, "operations", None)
        if operations is None:
            continue
        for operation in operations:
            name = getattr(operation, "url_name", None) or operation.view_func.__name__
            if name == entry.name:
                return tuple(method.lower() for method in operation.methods)
    raise LookupError(f"no API operation named {entry.name}")


def routes() -> list[Route]:
    """Every named URL pattern that takes a parameter, once per name."""
    found: dict[str, Route] = {}
    for pattern, namespace, entry, outer in _walk(get_resolver()):
        params = outer + tuple(entry.pattern.regex.groupindex)
        if not params or not entry.name:
            continue
        name = namespace + entry.name
        if name in found:
            continue
        methods = _api_methods(entry) if pattern.startswith(API.lstrip("/")) else PAGE_METHODS
        found[name] = Route(name, pattern, params, methods)
    return sorted(found.values(), key=lambda route: route.name)


# URLs that take a parameter but name no object of a person's file, each with why.
NOT_SCOPED = {
    "portal:programme": "the public catalogue",
    "portal:programme_form": "the public catalogue: a programme's application forms",
    "api:read_programme": "the public catalogue",
    "payment_hooks:provider": "the payment provider's webhook, checked by its signature",
    "account_confirm_email": "a secret key sent by email, not an object id",
    "account_reset_password_from_key": "a secret key sent by email, not an object id",
    "portal:application_start": "an open programme: anyone signed in may apply to it",
    # An institution's SAML addresses, known to its identity provider: public by design,
    # the answers they take are checked by the identity provider's signature.
    "saml_acs": "an institution's SAML assertion consumer",
    "saml_finish_acs": "an institution's SAML assertion consumer",
    "saml_login": "the way to an institution's identity provider",
    "saml_metadata": "an institution's public SAML metadata",
    "saml_sls": "an institution's SAML single logout",
    "mfa_edit_webauthn": "a security key's page: only its owner's keys (test_own_keys.py)",
    "mfa_remove_webauthn": "a security key's page: only its owner's keys (test_own_keys.py)",
}
# Django's admin site: only platform administrators reach it (tested separately below).
ADMIN = "admin:"


def _submitted(world: World) -> str:
    return world.files["submitted"].reference


def _version(world: World) -> str:
    version = DocumentVersion.objects.filter(document__application=world.files["submitted"])
    return str(version.order_by("pk").values_list("public_id", flat=True)[0])


def _attachment(world: World) -> str:
    submitted = world.files["submitted"]
    message = post_message(
        submitted,
        by=submitted.candidate,
        body="Please find my passport attached.",
        attachments=[Upload(stream=_pdf(), filename="passport.pdf")],
    )
    return str(message.attachments.get().public_id)


def _pdf() -> io.BytesIO:
    return io.BytesIO(corpus.pdf(text="Passport"))


def _outbox(world: World) -> str:
    found = Notification.objects.filter(application=world.files["submitted"]).order_by("pk")
    return str(found[0].pk)


def _session(world: World) -> JurySession:
    return JurySession.objects.filter(agenda__application__status="on_agenda").distinct().get()


def _nord(world: World) -> Institution:
    return world.campaigns[NORD].institution


def _finance_document(world: World) -> FinanceDocument:
    return FinanceDocument.objects.filter(application=world.files["admitted"]).order_by("pk")[0]


def _first(model: type[Model]) -> Callable[[World], str]:
    return lambda world: str(model._default_manager.order_by("pk")[0].pk)


def _pk(model_query: Callable[[World], object]) -> Callable[[World], str]:
    return lambda world: str(model_query(world).pk)  # type: ignore[attr-defined]


# A parameter's value by its name, for every URL that has it...
BY_PARAM: dict[str, Callable[[World], str]] = {
    "reference": _submitted,
    "code": lambda world: world.rows["document"].requirement_code,
    "campaign_id": lambda world: str(world.campaigns[NORD].pk),
    "programme_id": lambda world: str(world.files["submitted"].programme_id),
    "charge": lambda world: "application_fee",
    "instalment": lambda world: "0",
    "session_id": lambda world: str(_session(world).pk),
    "member_id": lambda world: str(SessionMember.objects.filter(session=_session(world))[0].pk),
    "delivery_id": lambda world: str(
        WebhookDelivery.objects.filter(endpoint=world.rows["endpoint"])[0].pk
    ),
    "endpoint_id": lambda world: str(world.rows["endpoint"].pk),
    "token_id": lambda world: str(ApiToken.objects.filter(user=world.people["submitted"])[0].pk),
    "entry_id": lambda world: str(
        Education.objects.filter(profile__user=world.people["submitted"])[0].pk
    ),
    "period_id": lambda world: str(
        WorkPeriod.objects.filter(profile__user=world.people["submitted"])[0].pk
    ),
    "public_id": _version,
    "language": lambda world: "fr",
    "kind": lambda world: "file_complete",
    "slug": lambda world: NORD,
    "section": lambda world: "fees",
    "extension": lambda world: "csv",
    "email_id": _outbox,
    "refund_id": _first(RefundRequest),
    "issue_id": _first(PaymentIssue),
    "institution_id": _pk(_nord),
    "debit_id": lambda world: str(DebitBatch.objects.order_by("pk")[0].items.order_by("pk")[0].pk),
}
# ... unless the URL's own entry says otherwise.
BY_ROUTE: dict[str, dict[str, Callable[[World], str]]] = {
    "portal:message_attachment": {"public_id": _attachment},
    "portal:education_edit": {"pk": lambda world: BY_PARAM["entry_id"](world)},
    "portal:education_delete": {"pk": lambda world: BY_PARAM["entry_id"](world)},
    "portal:work_edit": {"pk": lambda world: BY_PARAM["period_id"](world)},
    "portal:work_delete": {"pk": lambda world: BY_PARAM["period_id"](world)},
    "payments:document": {
        "pk": _pk(
            lambda world: FinanceDocument.objects.filter(application=world.files["admitted"])[0]
        ),
        "reference": lambda world: world.files["admitted"].reference,
    },
    "office:confirm_value": {"pk": lambda world: str(world.campaigns[NORD].pk)},
    "office:catalogue_edit_item": {
        "section": lambda world: "programme",
        "key": lambda world: world.files["submitted"].programme.slug,
    },
    "portal:token_revoke": {"pk": lambda world: BY_PARAM["token_id"](world)},
    "office:token_revoke": {"pk": lambda world: BY_PARAM["token_id"](world)},
    "office:outbox_detail": {"pk": _outbox},
    "office:outbox_html": {"pk": _outbox},
    "office:outbox_resend": {"pk": _outbox},
    "office:webhook_deliveries": {"pk": lambda world: str(world.rows["endpoint"].pk)},
    "office:webhook_disable": {"pk": lambda world: str(world.rows["endpoint"].pk)},
    "office:webhook_retry": {"pk": lambda world: str(world.rows["endpoint"].pk)},
    "payments:demo_checkout": {"session_id": lambda world: world.rows["checkout"].session_id},
    "office:finance:issue_resolve": {"pk": _first(PaymentIssue)},
    "office:finance:statement": {"pk": lambda world: str(world.rows["statement"].pk)},
    "office:finance:refund_decide": {
        "pk": _first(RefundRequest),
        "action": lambda world: "approve",
    },
    "office:finance:sepa_institution": {"pk": _pk(_nord)},
    "office:finance:sepa_creditor": {"pk": _pk(_nord)},
    "office:finance:sepa_export": {"pk": _pk(_nord)},
    "office:finance:sepa_batch": {"pk": _first(DebitBatch)},
    "office:finance:sepa_batch_file": {"pk": _first(DebitBatch)},
    "office:finance:sepa_reject": {
        "pk": _pk(lambda world: DebitBatch.objects.order_by("pk")[0].items.order_by("pk")[0])
    },
    "office:finance:balance_campaign": {"pk": lambda world: str(world.campaigns[NORD].pk)},
}
# The jury's pages name their session by its id.
for _name in (
    "session",
    "minutes",
    "validate",
    "publish",
    "add_member",
    "presence",
    "place",
    "decide",
    "conflict",
):
    BY_ROUTE.setdefault(f"office:jury_{_name}", {})["pk"] = _pk(_session)


def url_of(route: Route, world: World) -> str:
    own = BY_ROUTE.get(route.name, {})
    missing = [param for param in route.params if param not in own and param not in BY_PARAM]
    if missing:
        raise LookupError(f"{route.label}: no value for {', '.join(missing)}")
    values = {param: (own.get(param) or BY_PARAM[param])(world) for param in route.params}
    return reverse(route.name, kwargs=values)


# Bodies that pass an API operation's validation, so that the answer is the operation's own.
BODIES: dict[str, dict[str, object]] = {
    "api:add_note": {"text": "A note"},
    "api:judge_document": {"decision": "accept"},
    "api:record_admissibility": {"scores": {}, "outcome": "positive"},
    "api:record_interview": {"no_show": True},
    "api:post_message": {"body": "Hello"},
    "api:book_interview": {"slot_id": 1},
    "api:sign_mandate": {
        "holder": "Camille Martin",
        "iban": "FR1420041010050500013M02606",
        "consent": True,
    },
    "api:put_education": {
        "level": 5,
        "diploma_kind": "master_m2",
        "title": "Master",
        "country": "FR",
        "year": 2020,
    },
    "api:put_work": {"employer": "Entreprise", "start": "2020-01-01"},
    "api:update_application": {"cover_letter": "Changed"},
    "api:add_member": {"user_id": 1},
    "api:ask_document": {"reason": "Unreadable"},
    "api:declare_conflict": {"reason": "A relative"},
    "api:diploma": {"decision": "ask"},
    "api:enter_decision": {"outcome": "admitted"},
    "api:give_to_reviewer": {"reviewer_id": 1},
    "api:place_on_agenda": {"reference": "NE-2027-000001"},
    "api:publish_slot": {"starts_at": "2027-03-01T10:00:00", "interviewer_id": 1},
    "api:set_presence": {"present": True},
    "api:visa": {"outcome": "granted"},
    "api:campus_france": {"number": "FR24-012345"},
    "api:document_language": {"foreign_language": True},
    "api:decide_refund": {"decision": "approve"},
    "api:resolve_issue": {"status": "kept"},
    "api:confirm_rulebook_value": {"key": "campaign.opens_on"},
    "api:request_refund": {"charge_kind": "application_fee", "event": "any"},
    "api:plan_tuition": {},
    "api:set_creditor": {"creditor_id": "FR72ZZZ123456"},
    "api:export_debits": {"collection_date": "2030-01-15"},
    "api:reject_debit": {"reason": "AM04 insufficient funds"},
    "api:extend_campaign_deadline": {
        "which": "closes_on",
        "new_date": "2030-01-01",
        "reason": "An outage",
    },
    "api:check_rules_change": {"values": {"application": "60"}},
    "api:change_rules": {"values": {"application": "60"}},
    "api:put_email_template": {"subject": "Dossier {reference}", "body": "Bonjour."},
    "api:preview_email_template": {"subject": "Dossier {reference}", "body": "Bonjour."},
}


def answers(client: Client, route: Route, url: str) -> list[tuple[str, int, str]]:
    """(method, status, where it sends) for each method the URL is tried with."""
    found = []
    for method in route.methods:
        send = getattr(client, method)
        if route.api and method in ("post", "put", "patch"):
            response = send(url, BODIES.get(route.name, {}), content_type="application/json")
        else:
            response = send(url)
        found.append((method, response.status_code, response.get("Location", "")))
    return found


def refused(found: list[tuple[str, int, str]], *, anonymous: bool, api: bool) -> bool:
    """Whether every answer tells nothing: 404 (or the log-in, for an anonymous visitor)."""
    if anonymous and api:
        return all(status in (401, 404) for _method, status, _where in found)
    statuses = {status for _method, status, _where in found}
    if anonymous:
        logins = all(
            status in (404, 405) or (status == 302 and LOGIN.match(where))
            for _method, status, where in found
        )
        return logins and statuses != {405}
    return statuses <= {404, 405} and 404 in statuses


@dataclass(frozen=True)
class Outsider:
    label: str
    user: User | None
    routes: Callable[[Route], bool]


def _all_roles(institution: Institution, programme: Programme | None = None) -> User:
    user = User.objects.create_user(f"outsider-{uuid.uuid4().hex[:8]}@staff.example", None)
    for role in Role:
        if role != Role.PLATFORM_ADMIN:
            StaffRole.objects.create(
                user=user, role=role, institution=institution, programme=programme
            )
    return user


FILE_PARAMS = {"reference", "code", "public_id", "charge", "instalment", "programme_id"}


def outsiders(world: World) -> list[Outsider]:
    nord = _nord(world)
    other_programme = (
        Programme.objects.filter(institution=nord)
        .exclude(pk=world.files["submitted"].programme_id)
        .order_by("pk")[0]
    )
    return [
        # Sofia has her own file, at the other school.
        Outsider("a candidate who does not own the file", world.people["admissible"], _any),
        Outsider(
            "staff holding every role at the other school",
            _all_roles(world.campaigns[BS].institution),
            _any,
        ),
        # Within the school, a programme's staff see that programme's files only.
        Outsider(
            "staff holding every role on another programme of the school",
            _all_roles(nord, other_programme),
            lambda route: set(route.params) <= FILE_PARAMS,
        ),
        Outsider("an anonymous visitor", None, _any),
    ]


def _any(route: Route) -> bool:
    return True


INSIDERS = [
    ("submitted", "portal:application_status"),
    ("submitted", "api:read_application"),
    ("submitted", "documents:download"),
    ("submitted", "portal:message_attachment"),
    ("submitted", "portal:education_edit"),
    (f"officer@{NORD}", "office:file"),
    (f"officer@{NORD}", "office:preview"),
    (f"officer@{NORD}", "api:read_file"),
    (f"finance@{NORD}", "office:finance:statement"),
    (f"finance@{NORD}", "office:finance:sepa_batch"),
    (f"admin@{NORD}", "office:catalogue_campaign"),
    (f"admin@{NORD}", "office:webhook_deliveries"),
    (f"president@{NORD}", "office:jury_session"),
]


@time_machine.travel(NOW, tick=False)
def test_every_url_naming_an_object_answers_404_outside_its_scope() -> None:
    world = build()
    urls = {}
    for route in routes():
        if route.name in NOT_SCOPED or route.name.startswith(ADMIN):
            continue
        urls[route] = url_of(route, world)
    assert len(urls) > 100
    by_name = {route.name: url for route, url in urls.items()}
    # The values name real objects: their own people open them.
    for who, name in INSIDERS:
        response = world.client(who).get(by_name[name])
        assert response.status_code == 200, (who, name, response.status_code)
    problems = []
    for outsider in outsiders(world):
        client = Client()
        if outsider.user is not None:
            client.force_login(outsider.user)
        for route, url in urls.items():
            if not outsider.routes(route):
                continue
            found = answers(client, route, url)
            if not refused(found, anonymous=outsider.user is None, api=route.api):
                problems.append(f"{outsider.label}: {route.label} {url} answered {found}")
    assert not problems, "\n".join(problems)


def test_every_url_outside_the_matrix_is_named_with_its_reason() -> None:
    names = {route.name for route in routes()}
    assert set(NOT_SCOPED) <= names, set(NOT_SCOPED) - names


def test_the_admin_site_sends_everyone_but_platform_administrators_to_its_log_in() -> None:
    campaign = load_preset("imt-nord-europe")
    admin_routes = [route for route in routes() if "object_id" in route.params]
    assert len(admin_routes) > 20
    people = [
        eligible_candidate(),
        staff_member(Role.INSTITUTION_ADMIN, institution=campaign.institution),
        _all_roles(campaign.institution),
    ]
    problems = []
    for user in [*people, None]:
        client = Client()
        if user is not None:
            client.force_login(user)
        for route in admin_routes:
            url = reverse(route.name, kwargs=dict.fromkeys(route.params, "1"))
            response = client.get(url)
            if response.status_code != 302 or not response["Location"].startswith("/admin/login/"):
                problems.append(f"{user}: {url} answered {response.status_code}")
    assert not problems, "\n".join(problems)


CSRF_REFUSED = "This form could not be sent"


@time_machine.travel(NOW, tick=False)
def test_every_form_refuses_a_post_without_its_csrf_token() -> None:
    """CSRF everywhere: a POST from the object's own people, signed in by their session but
    without the form's token, is refused with the form-expired page (or the URL takes no
    POST at all). The API's session callers are held to it too; its tokens are no cookie."""
    world = build()
    insiders = [world.people["submitted"], world.people["platform"]]
    problems = []
    with translation.override("en"):
        urls = {
            route: url_of(route, world)
            for route in routes()
            if route.name not in NOT_SCOPED and not route.name.startswith(ADMIN)
        }
    for route, url in urls.items():
        if route.api:
            continue
        answers_seen = []
        for user in insiders:
            client = Client(enforce_csrf_checks=True)
            client.force_login(user)
            response = client.post(url)
            answers_seen.append(response.status_code)
            if response.status_code == 405 or (
                response.status_code == 403 and CSRF_REFUSED in response.content.decode()
            ):
                break
        else:
            problems.append(f"{route.label} {url} answered {answers_seen}")
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.people["submitted"])
    withdraw = client.post(
        reverse("api:withdraw_application", args=[world.files["submitted"].reference]),
        {},
        content_type="application/json",
    )
    assert withdraw.status_code == 403, withdraw.content
    assert not problems, "\n".join(problems)
