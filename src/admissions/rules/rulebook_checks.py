"""Checks that span several sections of a rulebook: references, unique codes, step order.

They read the rulebook as plain data (the parsed TOML, or a validated rulebook dumped to
JSON) and tolerate sections that are themselves malformed, so that a file with a bad amount
and an unknown site reference gets both reported at once. Each problem is one line,
"key.path: what is wrong".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

# The order of the steps a candidate sees; a rulebook lists a subset of them, in this order.
STEP_ORDER = ("apply", "fee", "review", "interview", "jury", "confirm")


def key_path(*parts: str | int) -> str:
    """("programmes", 2, "site") -> "programmes[2].site"."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif text:
            text += f".{part}"
        else:
            text = part
    return text


def consistency_problems(data: Mapping[str, Any]) -> list[str]:
    problems: list[str] = []
    for check in (
        _unique_codes,
        _programme_references,
        _route_references,
        _charges_and_payments,
        _steps,
        _jury,
        _documents_follow_routes,
        _conditions,
        _to_confirm_keys,
    ):
        problems.extend(check(data))
    return problems


def _table(value: Any, *keys: str) -> Mapping[str, Any]:
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value if isinstance(value, Mapping) else {}


def _tables(value: Any, *keys: str) -> list[tuple[int, Mapping[str, Any]]]:
    *parents, last = keys
    items = _table(value, *parents).get(last) if parents else _get(value, last)
    if not isinstance(items, list):
        return []
    return [(index, item) for index, item in enumerate(items) if isinstance(item, Mapping)]


def _get(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, Mapping) else None


def _strings(value: Any) -> list[tuple[int, str]]:
    if not isinstance(value, list):
        return []
    return [(index, item) for index, item in enumerate(value) if isinstance(item, str)]


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return None
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _expected(names: Sequence[str]) -> str:
    return ", ".join(sorted(names)) if names else "(none defined)"


LISTS_WITH_CODES = (
    (("sites",), "slug"),
    (("programmes",), "slug"),
    (("entry_routes",), "code"),
    (("financing_modes",), "code"),
    (("documents", "requirements"), "code"),
    (("jury_sessions",), "slug"),
    (("refunds",), "code"),
    (("international", "restrictions"), "code"),
    (("review", "criteria"), "code"),
    (("interview", "criteria"), "code"),
    (("jury", "criteria"), "code"),
)


def _unique_codes(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for keys, field in LISTS_WITH_CODES:
        first_seen: dict[str, int] = {}
        for index, item in _tables(data, *keys):
            code = item.get(field)
            if not isinstance(code, str):
                continue
            if code in first_seen:
                problems.append(
                    f'{key_path(*keys, index, field)}: "{code}" is already used by '
                    f"{key_path(*keys, first_seen[code])}; each {field} must be unique"
                )
            else:
                first_seen[code] = index
    return problems


def _codes(data: Mapping[str, Any], *keys: str, field: str) -> list[str]:
    return [code for _, item in _tables(data, *keys) if isinstance(code := item.get(field), str)]


def _programme_references(data: Mapping[str, Any]) -> list[str]:
    problems = []
    sites = _codes(data, "sites", field="slug")
    default_tuition = _table(data, "fees").get("tuition")
    for index, programme in _tables(data, "programmes"):
        site = programme.get("site")
        if isinstance(site, str) and site not in sites:
            problems.append(
                f'{key_path("programmes", index, "site")}: unknown site "{site}"; '
                f"expected one of: {_expected(sites)}"
            )
        if programme.get("tuition") is None and default_tuition is None:
            problems.append(
                f"{key_path('programmes', index, 'tuition')}: missing, and fees.tuition gives "
                "no default rates"
            )
    return problems


def _route_references(data: Mapping[str, Any]) -> list[str]:
    problems = []
    programmes = _codes(data, "programmes", field="slug")
    modes = _codes(data, "financing_modes", field="code")
    for index, route in _tables(data, "entry_routes"):
        for position, slug in _strings(route.get("programmes")):
            if slug not in programmes:
                problems.append(
                    f"{key_path('entry_routes', index, 'programmes', position)}: unknown "
                    f'programme "{slug}"; expected one of: {_expected(programmes)}'
                )
    documents = _codes(data, "documents", "requirements", field="code")
    for index, rule in _tables(data, "refunds"):
        for position, code in _strings(rule.get("financing_modes")):
            if code not in modes:
                problems.append(
                    f"{key_path('refunds', index, 'financing_modes', position)}: unknown "
                    f'financing mode "{code}"; expected one of: {_expected(modes)}'
                )
        proof = rule.get("proof_document")
        if isinstance(proof, str) and proof not in documents:
            problems.append(
                f"{key_path('refunds', index, 'proof_document')}: unknown document "
                f'"{proof}"; expected one of: {_expected(documents)}'
            )
        if (
            rule.get("event") == "funding_agreement_validated"
            and rule.get("allowed") is True
            and proof is None
        ):
            problems.append(
                f"{key_path('refunds', index, 'proof_document')}: missing; a refund on a "
                "validated funding agreement needs the documents.requirements code of that "
                "agreement"
            )
    return problems


def _charges_and_payments(data: Mapping[str, Any]) -> list[str]:
    problems = []
    fees = _table(data, "fees")
    plan = _table(data, "payment_plan")
    charged = {"application_fee": "", "tuition": ""}
    missing = {
        "deposit": "no fees.deposit",
        "cvec": "no fees.cvec",
        "tuition_first_instalment": "no payment_plan",
    }
    if fees.get("deposit") is not None:
        charged["deposit"] = ""
    if fees.get("cvec") is not None:
        charged["cvec"] = ""
    if plan:
        charged["tuition_first_instalment"] = ""
    for index, rule in _tables(data, "refunds"):
        charge = rule.get("charge")
        if isinstance(charge, str) and charge in missing and charge not in charged:
            problems.append(
                f'{key_path("refunds", index, "charge")}: "{charge}" is not charged by this '
                f"rulebook ({missing[charge]})"
            )
    for position, charge in _strings(_table(data, "confirmation").get("charges")):
        if charge in missing and charge not in charged:
            problems.append(
                f'{key_path("confirmation", "charges", position)}: "{charge}" is not charged '
                f"by this rulebook ({missing[charge]})"
            )
    if data.get("bank_account") is None:
        for keys in (("fees", "application", "methods"), ("payment_plan", "methods")):
            methods = _get(_table(data, *keys[:-1]), keys[-1])
            if isinstance(methods, list) and "bank_transfer" in methods:
                problems.append(
                    f"bank_account: missing, required because {'.'.join(keys)} includes "
                    '"bank_transfer"'
                )
    return problems


def _steps(data: Mapping[str, Any]) -> list[str]:
    problems = []
    listed: list[tuple[int, str, Mapping[str, Any]]] = [
        (index, step, item)
        for index, item in _tables(data, "steps")
        if isinstance(step := item.get("step"), str) and step in STEP_ORDER
    ]
    if listed and listed[0][0] == 0 and listed[0][1] != "apply":
        problems.append(f'steps[0].step: the first step must be "apply", got "{listed[0][1]}"')
    seen: dict[str, int] = {}
    for index, step, _ in listed:
        if step in seen:
            problems.append(
                f'{key_path("steps", index, "step")}: "{step}" is already listed at '
                f"{key_path('steps', seen[step])}"
            )
        seen.setdefault(step, index)
    ranks = [STEP_ORDER.index(step) for _, step, _ in listed]
    for (index, step, _), previous, rank in zip(listed[1:], ranks, ranks[1:], strict=False):
        if rank < previous:
            problems.append(
                f'{key_path("steps", index, "step")}: "{step}" cannot come after '
                f'"{STEP_ORDER[previous]}"; steps follow the order {", ".join(STEP_ORDER)}'
            )
    mandatory = _table(data, "interview").get("mandatory") is True
    if listed and mandatory and "interview" not in seen:
        problems.append('steps: interview.mandatory is true but no step is "interview"')
    for index, step, item in listed:
        if item.get("optional") is not True:
            continue
        if step != "interview":
            problems.append(
                f"{key_path('steps', index, 'optional')}: only the interview step can be optional"
            )
        elif mandatory:
            problems.append(
                f"{key_path('steps', index, 'optional')}: the interview step cannot be optional "
                "when interview.mandatory is true"
            )
    return problems


def _jury(data: Mapping[str, Any]) -> list[str]:
    problems = []
    opens_on = _date(_table(data, "campaign").get("opens_on"))
    sessions = _tables(data, "jury_sessions")
    for index, session in sessions:
        day = _date(session.get("date"))
        if day and opens_on and day < opens_on:
            problems.append(
                f"{key_path('jury_sessions', index, 'date')}: {day} is before the campaign "
                f"opens (campaign.opens_on {opens_on})"
            )
    jury = _table(data, "jury")
    if jury.get("rolling") is True and sessions:
        problems.append(
            "jury.rolling: true, but jury_sessions lists fixed sessions; keep one of the two"
        )
    decisions = _strings(jury.get("decisions"))
    if isinstance(jury.get("decisions"), list):
        names = [decision for _, decision in decisions]
        for needed in ("admitted", "not_admitted"):
            if needed not in names:
                problems.append(
                    f'jury.decisions: "{needed}" is missing; a jury must be able '
                    "to admit and to refuse"
                )
        for position, decision in decisions:
            if names.index(decision) != position:
                problems.append(
                    f'{key_path("jury", "decisions", position)}: "{decision}" is listed twice'
                )
        for index, route in _tables(data, "entry_routes"):
            in_progress = _table(route, "requires").get("in_progress_allowed") is True
            implies = _table(route, "implies")
            conditional = implies.get("conditional_admission_if_in_progress", True) is True
            if in_progress and conditional and "admitted_conditionally" not in names:
                problems.append(
                    'jury.decisions: "admitted_conditionally" is missing although '
                    f"{key_path('entry_routes', index)} admits a diploma still in progress"
                )
                break
    return problems


def _documents_follow_routes(data: Mapping[str, Any]) -> list[str]:
    problems = []
    conditions = {
        condition
        for _, item in _tables(data, "documents", "requirements")
        if isinstance(condition := item.get("condition", "always"), str)
    }
    documents_given = isinstance(_table(data, "documents").get("requirements"), list)
    for index, route in _tables(data, "entry_routes"):
        vapp = _table(route, "implies").get("vapp_file") is True
        if documents_given and vapp and "vapp_required" not in conditions:
            problems.append(
                f"{key_path('entry_routes', index, 'implies', 'vapp_file')}: true, but no "
                'documents.requirements entry has condition "vapp_required"'
            )
            break
    if data.get("language") is None:
        for index, item in _tables(data, "documents", "requirements"):
            if item.get("condition") == "french_certificate_needed":
                problems.append(
                    f"{key_path('documents', 'requirements', index, 'condition')}: "
                    '"french_certificate_needed" needs a [language] table saying which level '
                    "is required"
                )
    return problems


def values_at(data: Any, path: str) -> list[Any] | None:
    """The values a key path names ("programmes[*].tuition" names one per programme).

    None when the path names nothing: a key absent, an index out of range, a malformed path.
    A key the rulebook leaves to its default is absent.
    """
    current: list[Any] = [data]
    for segment in path.split("."):
        name, _, rest = segment.partition("[")
        if name:
            if not all(isinstance(value, Mapping) and name in value for value in current):
                return None
            current = [value[name] for value in current]
        while rest:
            index, closing, rest = rest.partition("]")
            if not closing or (rest and not rest.startswith("[")):
                return None
            rest = rest[1:]
            if not all(isinstance(value, list) for value in current):
                return None
            if index == "*":
                current = [item for value in current for item in value]
            elif index.isdigit() and all(int(index) < len(value) for value in current):
                current = [value[int(index)] for value in current]
            else:
                return None
    return current


def _conditions(data: Mapping[str, Any]) -> list[str]:
    """A conditional admission's diploma is sent as one of the rulebook's documents."""
    confirmation = _table(data, "confirmation")
    code = confirmation.get("condition_document")
    problems = []
    if isinstance(code, str):
        codes = [item.get("code") for _, item in _tables(data, "documents", "requirements")]
        if code not in codes:
            problems.append(
                f'confirmation.condition_document: "{code}" is not a code of documents.requirements'
            )
    conditional = "admitted_conditionally" in [
        decision for _, decision in _strings(_table(data, "jury").get("decisions"))
    ]
    for key in ("condition_document", "condition_deadline"):
        if confirmation.get(key) and not conditional:
            problems.append(
                f"confirmation.{key}: the jury admits on no condition (add "
                '"admitted_conditionally" to jury.decisions)'
            )
    return problems


def _to_confirm_keys(data: Mapping[str, Any]) -> list[str]:
    problems = []
    for index, item in _tables(data, "to_confirm"):
        path = item.get("key")
        if isinstance(path, str) and not values_at(data, path):
            problems.append(
                f'{key_path("to_confirm", index, "key")}: "{path}" names no value of this '
                "rulebook; write a key path such as campaign.opens_on or programmes[*].tuition"
            )
    return problems
