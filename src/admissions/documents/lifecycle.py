"""The states of a supporting document and the one table of moves between them.

Drawn in docs/documents.md. Only `documents.services` changes a state, through `move_to`,
which refuses a move this table does not list.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from admissions.core.errors import IllegalTransition


class DocumentState(models.TextChoices):
    MISSING = "missing", _("Missing")
    CHECKING = "checking", _("Being checked")
    ACCEPTED_ON_ARRIVAL = "accepted_on_arrival", _("Received, checks passed")
    REFUSED_ON_ARRIVAL = "refused_on_arrival", _("Refused on arrival")
    ACCEPTED_BY_STAFF = "accepted_by_staff", _("Accepted by the admissions office")
    REJECTED_BY_STAFF = "rejected_by_staff", _("Rejected by the admissions office: to replace")
    # Asked by the admissions office after submission, the file never having had a copy.
    REQUESTED_BY_STAFF = "requested_by_staff", _("Asked by the admissions office: to send")


D = DocumentState
ANY = frozenset(DocumentState)
# States in which the document holds no file that passed the checks.
WITHOUT_FILE = frozenset({D.MISSING, D.CHECKING, D.REFUSED_ON_ARRIVAL, D.REQUESTED_BY_STAFF})
# States that count towards a complete file.
SATISFIED = frozenset({D.ACCEPTED_ON_ARRIVAL, D.ACCEPTED_BY_STAFF})
# States in which staff may judge the file the document holds (and change their mind).
REVIEWABLE = frozenset({D.ACCEPTED_ON_ARRIVAL, D.ACCEPTED_BY_STAFF, D.REJECTED_BY_STAFF})
# States in which the admissions office waits for the candidate to send a new file.
ASKED_BY_STAFF = frozenset({D.REJECTED_BY_STAFF, D.REQUESTED_BY_STAFF})


@dataclass(frozen=True)
class Move:
    action: str  # history name: document.<action>
    sources: frozenset[DocumentState]
    target: DocumentState


MOVES: dict[str, Move] = {
    move.action: move
    for move in [
        # A new version that passed every check replaces whatever was there.
        Move("uploaded", ANY, D.ACCEPTED_ON_ARRIVAL),
        # A refused upload changes the state only where no good file would be hidden by it.
        Move("refused_on_arrival", WITHOUT_FILE, D.REFUSED_ON_ARRIVAL),
        Move("scan_deferred", WITHOUT_FILE, D.CHECKING),
        Move("accepted_by_staff", REVIEWABLE - {D.ACCEPTED_BY_STAFF}, D.ACCEPTED_BY_STAFF),
        Move("rejected_by_staff", REVIEWABLE - {D.REJECTED_BY_STAFF}, D.REJECTED_BY_STAFF),
        # A piece the file never had a good copy of, asked for after submission.
        Move(
            "requested_by_staff",
            frozenset({D.MISSING, D.REFUSED_ON_ARRIVAL}),
            D.REQUESTED_BY_STAFF,
        ),
    ]
}


def can_move(state: DocumentState | str, action: str) -> bool:
    return DocumentState(state) in MOVES[action].sources


def target_of(state: DocumentState | str, action: str) -> DocumentState:
    move = MOVES[action]
    current = DocumentState(state)
    if current not in move.sources:
        raise IllegalTransition(
            gettext("This is not possible for a document in the state “%(state)s”.")
            % {"state": current.label},
            details={"from": current.value, "action": action},
        )
    return move.target
