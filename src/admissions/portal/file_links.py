"""Where the candidate goes from a page of their file: each document, the costs, the next step.

The candidate should never have to type an address: every page of a file links to the
others, and the status page's "what you need to do next" links to where it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from admissions.applications.models import Application
from admissions.applications.steps import NextAction
from admissions.payments import ledger


@dataclass(frozen=True)
class Link:
    url: str
    label: str


def simulator_url(programme_id: int, *, track: str = "", financing_mode: str = "") -> str:
    """The cost simulator, showing the costs at once when the choices are known."""
    query: dict[str, object] = {"programme": programme_id}
    if track and financing_mode:
        query.update(financing_mode=financing_mode, track=track)
    return f"{reverse('payments:simulator')}?{urlencode(query)}"


def document_url(application: Application, code: str) -> str:
    """The documents page at one checklist item, where its file is sent."""
    return f"{reverse('documents:list', args=[application.reference])}#doc-{code}"


def amount_owed(application: Application) -> int:
    return sum(max(line.outstanding, 0) for line in ledger.lines(application.pk))


def next_action_link(
    application: Application, action: NextAction, *, late: bool = False
) -> Link | None:
    """Where the next action is done; None where it is not done on this platform's pages.

    `late`: the deadline of the action has passed.
    """
    reference = application.reference
    if action == NextAction.COMPLETE_AND_SUBMIT:
        label = _("See my application") if late else _("Complete my application")
        return Link(reverse("portal:application", args=[reference]), label)
    if action == NextAction.REPLACE_DOCUMENTS:
        return Link(reverse("documents:list", args=[reference]), _("Replace my documents"))
    if action == NextAction.SEND_DIPLOMA:
        return Link(reverse("documents:list", args=[reference]), _("Send my diploma"))
    if action == NextAction.CONFIRM_PLACE and amount_owed(application) > 0:
        return Link(reverse("payments:overview", args=[reference]), _("Pay what is due"))
    return None
