"""The periodic thread of `serve` runs its command at once, then at each interval, and stops."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from admissions.core.worker import PeriodicThread


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    runs: list[str] = []

    def fake_call(name: str, **options: Any) -> None:
        runs.append(name)
        if len(runs) == 1:
            raise RuntimeError("a failing run must not stop the next ones")

    # The thread resolves call_command when it runs; the real command is tested elsewhere.
    monkeypatch.setattr("django.core.management.call_command", fake_call)
    return runs


def test_runs_again_after_a_failure_and_stops(recorded: list[str]) -> None:
    thread = PeriodicThread(minutes=0.001, command="periodic")
    thread.start()
    for _ in range(200):
        if len(recorded) >= 2:
            break
        threading.Event().wait(0.01)
    assert thread.stop(timeout=5)
    assert recorded[:2] == ["periodic", "periodic"]
