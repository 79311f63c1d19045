"""Every action a person can take on a page can be taken through the API.

The page actions are read from the resolver: every URL (outside the API and Django's admin
site) whose view takes a POST. Each is listed below with the API operations that do the same
through the same service, or with the reason it has no meaning for an API. A new page action
missing from the table fails the test, and so does an entry naming an operation the OpenAPI
document does not have, or a URL that is no longer a page action.

Operations are written `module.function` of admissions/api/ (their OpenAPI id is
`admissions_api_<module>_<function>`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.module_loading import import_string

from admissions.api.router import api

ALLAUTH = "allauth's own account form: its API is allauth's, not ours"

# The page action (URL name) -> the API operations doing the same.
ACTIONS: dict[str, tuple[str, ...]] = {
    # The candidate's profile.
    "portal:profile_identity": ("profile.put_identity",),
    "portal:profile_residence": ("profile.put_residence",),
    "portal:profile_french": ("profile.put_french",),
    "portal:education_add": ("profile.add_education",),
    "portal:education_edit": ("profile.put_education",),
    "portal:education_delete": ("profile.delete_education",),
    "portal:work_add": ("profile.add_work",),
    "portal:work_edit": ("profile.put_work",),
    "portal:work_delete": ("profile.delete_work",),
    "portal:self_check": ("eligibility.check", "eligibility.check_my_profile"),
    # The candidate's applications.
    "portal:application_start": ("applications.create_application",),
    "portal:application": ("applications.update_application", "applications.submit_application"),
    "portal:application_withdraw": ("applications.withdraw_application",),
    "portal:application_interview_book": ("file_parts.book_interview",),
    "portal:application_interview_cancel": ("file_parts.cancel_interview",),
    "portal:application_confirm": ("offer.confirm",),
    "portal:application_decline": ("offer.decline",),
    "portal:application_messages": ("file_parts.post_message",),
    "portal:application_declare_transfer": ("applications.declare_transfer",),
    "portal:application_campus_france": ("offer.campus_france",),
    "portal:application_mark_fee_paid": ("fees.mark_fee_paid",),
    # Paying.
    "payments:invoice": ("file_payments.request_invoice",),
    "payments:card_start": ("file_payments.start_card_payment",),
    "payments:mandate": ("file_payments.sign_mandate",),
    # Documents.
    "documents:upload": ("documents.upload_document",),
    "documents:upload_translation": ("documents.upload_translation",),
    "documents:delete": ("documents.delete_document",),
    "documents:import": ("document_import.import_documents",),
    "documents:import_new": ("new_file.open_file_from_archive",),
    "documents:language": ("documents.document_language",),
    "documents:ask": ("review.ask_document",),
    "documents:review": ("staff.judge_document",),
    # Personal data.
    "privacy:export": ("privacy.export",),
    "privacy:erase": ("privacy.erase",),
    # Tokens and webhooks.
    "portal:tokens": ("tokens.create_token",),
    "portal:token_revoke": ("tokens.revoke_token",),
    "office:tokens": ("tokens.create_token",),
    "office:token_revoke": ("tokens.revoke_token",),
    "office:webhooks": ("webhooks.register",),
    "office:webhook_disable": ("webhooks.disable",),
    "office:webhook_retry": ("webhooks.retry",),
    # The office's list and files.
    "office:queue_bulk": ("bulk.bulk_reviewer", "bulk.bulk_message"),
    "office:judge_document": ("staff.judge_document",),
    "office:mark_complete": ("staff.mark_complete",),
    "office:admissibility": ("staff.record_admissibility",),
    "office:invite": ("staff.invite",),
    "office:interview": ("staff.record_interview",),
    "office:note": ("staff.add_note",),
    "office:file_messages": ("file_parts.post_message",),
    "office:slots": ("review.publish_slot",),
    # The jury.
    "office:jury_sessions": ("jury.create_session",),
    "office:jury_validate": ("jury.validate",),
    "office:jury_publish": ("jury.publish",),
    "office:jury_add_member": ("jury.add_member",),
    "office:jury_presence": ("jury.set_presence",),
    "office:jury_place": ("jury.place_on_agenda",),
    "office:jury_decide": ("jury.enter_decision",),
    "office:jury_conflict": ("jury.declare_conflict",),
    # After the jury.
    "office:release_place": ("places.release",),
    "office:diploma": ("places.diploma",),
    "office:lift_condition": ("places.lift_condition",),
    "office:visa": ("places.visa",),
    # The finance office.
    "office:finance:issue_resolve": ("finance.resolve_issue",),
    "office:finance:refund_decide": ("finance.decide_refund",),
    "office:finance:statements": ("statements.import_bank_statement",),
    "office:finance:file_refund": ("finance.request_refund",),
    "office:finance:file_tuition": ("finance.plan_tuition",),
    "office:finance:sepa_creditor": ("sepa.set_creditor",),
    "office:finance:sepa_export": ("sepa.export_debits",),
    "office:finance:sepa_reject": ("sepa.reject_debit",),
    # The rulebook's values a school confirms.
    "office:confirm_value": ("confirmations.confirm_rulebook_value",),
    # The office's outbox.
    "office:outbox_resend": ("outbox.resend",),
    # The catalogue's administration.
    "office:catalogue_extend": ("catalogue_admin.extend_campaign_deadline",),
    "office:catalogue_edit": ("catalogue_admin.check_rules_change", "catalogue_admin.change_rules"),
    "office:catalogue_edit_item": (
        "catalogue_admin.check_rules_change",
        "catalogue_admin.change_rules",
    ),
    # An institution's wording of its emails.
    "office:email_template": (
        "email_templates.put_email_template",
        "email_templates.delete_email_template",
    ),
    "office:email_template_preview": ("email_templates.preview_email_template",),
}

# Page actions that have no meaning for an API, each with why.
NO_API: dict[str, str] = {
    "set_language": "the language switch: the API reads Accept-Language (docs/api.md)",
    "payment_hooks:provider": "the payment provider's callback, checked by its signature",
    "payments:demo_checkout": "the demonstration provider's own checkout page, not the site's",
    "account_login": ALLAUTH,
    "mfa_add_webauthn": ALLAUTH,
    "mfa_edit_webauthn": ALLAUTH,
    "mfa_reauthenticate_webauthn": ALLAUTH,
    "mfa_remove_webauthn": ALLAUTH,
    "socialaccount_connections": ALLAUTH,
    "socialaccount_signup": ALLAUTH,
    # A change of bank details asks for a second factor at that moment: a personal token,
    # made once and used for months, cannot give one.
    "office:bank_details": "needs the staff member's second factor at the moment of the change",
    "account_logout": ALLAUTH,
    "account_signup": ALLAUTH,
    "account_reauthenticate": ALLAUTH,
    "account_email": ALLAUTH,
    "account_change_password": ALLAUTH,
    "account_set_password": ALLAUTH,
    "account_reset_password": ALLAUTH,
    "account_confirm_login_code": ALLAUTH,
    "account_confirm_email": ALLAUTH,
    "account_reset_password_from_key": ALLAUTH,
    "mfa_authenticate": ALLAUTH,
    "mfa_reauthenticate": ALLAUTH,
    "mfa_activate_totp": ALLAUTH,
    "mfa_deactivate_totp": ALLAUTH,
    "mfa_generate_recovery_codes": ALLAUTH,
}

# Page actions whose API operation is still to be written: each one is owed, and leaves this
# list for ACTIONS when its operation exists. Nothing may be added here.
OWED: frozenset[str] = frozenset()
OWED_AT_MOST = 0

# Pages that only show figures, with the operation that gives the same figures.
READS: dict[str, tuple[str, ...]] = {
    "office:report": ("reports.read_report",),
    "office:queue": ("staff.list_files",),
    "office:file": ("staff.read_file",),
    "privacy:my_data": ("privacy.my_data",),
    "office:places": ("places.read_places",),
    "office:jury_session": ("jury.read_session",),
    "office:to_confirm": ("confirmations.read_to_confirm",),
    "office:email_template": ("email_templates.read_email_template",),
}


def _walk(
    resolver: URLResolver, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner)
        else:
            yield prefix + str(entry.pattern), namespace, entry


def _methods(view: Callable[..., Any]) -> tuple[str, ...] | None:
    """The methods a view is limited to by Django's require_http_methods, if it is."""
    seen: set[int] = set()
    current: Any = view
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        for cell in getattr(current, "__closure__", None) or ():
            value = cell.cell_contents
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(item, str) and item.isupper() for item in value)
            ):
                return tuple(value)
        current = getattr(current, "__wrapped__", None)
    return None


def _takes_post(view: Callable[..., Any]) -> bool:
    loads = getattr(view, "loads", None)  # a view imported at first use (people/auth_urls.py)
    if loads is not None:
        view = import_string(loads)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    methods = _methods(view)
    if methods is not None:
        return "POST" in methods
    # A view limited to no method acts on a POST only where it reads one.
    return "POST" in inspect.getsource(inspect.unwrap(view))


def page_actions() -> dict[str, str]:
    """Every URL name of a page that takes a POST, with its pattern."""
    found: dict[str, str] = {}
    for pattern, namespace, entry in _walk(get_resolver()):
        if pattern.startswith(("api/", "admin/")) or namespace.startswith("admin:"):
            continue
        if entry.name and _takes_post(entry.callback):
            found.setdefault(namespace + entry.name, pattern)
    return found


def operation_ids() -> set[str]:
    schema = api.get_openapi_schema()
    paths = schema["paths"].values()
    return {operation["operationId"] for path in paths for operation in path.values()}


def _operation_id(short: str) -> str:
    module, function = short.split(".")
    return f"admissions_api_{module}_{function}"


def test_the_walk_sees_the_page_actions() -> None:
    actions = page_actions()
    assert len(actions) > 80
    assert {"office:queue_bulk", "privacy:erase", "portal:profile_identity"} <= set(actions)
    assert "office:queue" not in actions
    assert "portal:programmes" not in actions


def test_every_page_action_has_its_api_operation_or_a_reason() -> None:
    actions = page_actions()
    listed = set(ACTIONS) | set(NO_API) | OWED
    missing = sorted(f"{name} ({actions[name]})" for name in set(actions) - listed)
    assert not missing, "page actions without an API operation: " + ", ".join(missing)
    assert not set(ACTIONS) & set(NO_API)
    assert not (set(ACTIONS) | set(NO_API)) & OWED


def test_every_entry_is_a_page_action() -> None:
    actions = page_actions()
    stale = sorted((set(ACTIONS) | set(NO_API) | OWED) - set(actions))
    assert not stale, "listed, but no page action: " + ", ".join(stale)


def test_every_operation_named_exists() -> None:
    known = operation_ids()
    named = {short for shorts in [*ACTIONS.values(), *READS.values()] for short in shorts}
    unknown = sorted(short for short in named if _operation_id(short) not in known)
    assert not unknown, "no such API operation: " + ", ".join(unknown)


def test_the_pages_read_are_pages() -> None:
    names = {namespace + (entry.name or "") for _p, namespace, entry in _walk(get_resolver())}
    assert set(READS) <= names


def test_the_owed_list_only_shrinks() -> None:
    assert len(OWED) <= OWED_AT_MOST
