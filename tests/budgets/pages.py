"""What a query budget checks, and how: each page loaded before and after `world.grow()`.

A page's budget is the number of queries it makes, the same whatever the number of rows it
shows: the second load, after `grow()` added rows of every kind, must cost exactly what the
first did, and no more than the budget written next to the page. A page that needs more
queries says so by raising its budget here, in the open.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.budgets.world import World, grow


@dataclass(frozen=True)
class Page:
    label: str
    who: str  # a key of World.people, or "anonymous"
    url: Callable[[World], str]
    budget: int
    method: str = "get"
    data: Callable[[World], Any] | None = None
    status: int = 200

    def load(self, world: World) -> tuple[int, int]:
        """(status, queries) of one load; the first load of a page, not counted, warms it up
        (templates compiled, rulebooks parsed once per process)."""
        client = world.client(self.who)
        send = getattr(client, self.method)
        body = self.data(world) if self.data else None
        options: dict[str, Any] = {}
        if self.method != "get" and body is not None:
            options["content_type"] = "application/json"
        url = self.url(world)
        send(url, body, **options) if body is not None else send(url)
        with CaptureQueriesContext(connection) as captured:
            response = send(url, body, **options) if body is not None else send(url)
        return response.status_code, len(captured)


def check_budgets(world: World, pages: list[Page]) -> None:
    """Every page answers as expected, within its budget, before and after `grow()`."""
    before = {page.label: page.load(world) for page in pages}
    grow(world)
    after = {page.label: page.load(world) for page in pages}
    problems = []
    for page in pages:
        (status, few), (status_after, many) = before[page.label], after[page.label]
        if status != page.status or status_after != page.status:
            problems.append(f"{page.label}: answered {status} then {status_after}")
        elif few != many:
            problems.append(f"{page.label}: {few} queries, {many} with more rows")
        elif many > page.budget:
            problems.append(f"{page.label}: {many} queries, budget {page.budget}")
    assert not problems, "\n".join(problems)
