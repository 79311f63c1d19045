"""The layers of docs/architecture.md, kept by reading every module's imports.

Every import of the project's own modules counts, wherever it sits: at module level, inside a
function, or behind `TYPE_CHECKING`. A package may import its own layer's packages only where
the table below says so, and any lower layer; never a higher one. An import inside a
function is allowed only in an app's `ready()` (Django's place for wiring receivers), so a
piece that would need one to dodge a cycle has to move to the right layer instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "admissions"

# Lowest first. Each package belongs to exactly one layer.
LAYERS: list[set[str]] = [
    {"rules", "rulebooks"},  # pure policy and the presets it reads
    {"core"},  # errors, counters, middleware, tasks, health, backups: no domain
    {"catalog", "people"},  # what a school offers; who takes part
    {"applications"},  # the file's core: Application, life cycle, transition, history
    {"notify"},  # the outbox: what every part of a file enqueues in its own transaction
    {"documents", "payments"},  # parts of a file
    {"workflow", "review", "jury"},  # moves across parts
    {"privacy"},  # personal data: export, erasure, retention, across every part
    {"portal", "office", "api"},  # screens, by audience
    {"demo"},  # demonstration data, made through the screens' services
]
# Imports allowed between two packages of one layer (importer, imported).
SIDEWAYS = {("people", "catalog"), ("jury", "workflow")}
# Top-level modules that wire the project together and may import anything.
WIRING = {"settings", "urls", "wsgi", "asgi", "manage", "env", "safety"}
# Modules that Python or Django load before the project's apps, and what they may import.
LAYER_OF = {package: level for level, packages in enumerate(LAYERS) for package in packages}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    target: str  # the imported module, dotted
    line: int
    in_function: str  # the enclosing function's name, or ""


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(SOURCE).with_suffix("").parts
        if "migrations" in parts:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(("admissions", *parts)), path


def _imports(module: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"))

    def visit(node: ast.AST, function: str) -> Iterator[Import]:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            if isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                if child.module == "admissions" or child.module.startswith("admissions."):
                    names = [f"{child.module}.{alias.name}" for alias in child.names]
                    for name in names if child.module == "admissions" else [child.module]:
                        yield Import(module, name, child.lineno, function)
            elif isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("admissions."):
                        yield Import(module, alias.name, child.lineno, function)
            yield from visit(child, inner)

    yield from visit(tree, "")


def _package(dotted: str) -> str:
    return dotted.split(".")[1] if dotted.count(".") >= 1 else ""


ALL_IMPORTS = [found for module, path in _modules() for found in _imports(module, path)]


def test_every_package_has_a_layer() -> None:
    packages = {
        path.name
        for path in SOURCE.iterdir()
        if path.is_dir() and not path.name.startswith(("_", ".")) and path.name != "static"
        if path.name not in {"templates", "locale"}
    }
    assert packages - set(LAYER_OF) == set()


def test_the_walk_sees_the_imports() -> None:
    # A walk that found nothing would pass every other test here.
    assert len(ALL_IMPORTS) > 500
    assert any(found.target.startswith("admissions.applications.") for found in ALL_IMPORTS)


def _violation(found: Import) -> str | None:
    source, target = _package(found.module), _package(found.target)
    if source == target or source in WIRING or target in WIRING - {"env", "safety"}:
        return None
    if source not in LAYER_OF or target not in LAYER_OF:
        return f"{found.target} is outside the layers"
    if LAYER_OF[target] > LAYER_OF[source]:
        return f"{source} (layer {LAYER_OF[source]}) imports {target} (layer {LAYER_OF[target]})"
    if LAYER_OF[target] == LAYER_OF[source] and (source, target) not in SIDEWAYS:
        return f"{source} imports {target}, of its own layer"
    return None


def test_imports_run_downwards() -> None:
    wrong = [
        f"{found.module}:{found.line}: {message}"
        for found in ALL_IMPORTS
        if (message := _violation(found)) is not None
    ]
    assert wrong == []


def test_no_project_import_hides_inside_a_function() -> None:
    hidden = [
        f"{found.module}:{found.line} imports {found.target} inside {found.in_function}()"
        for found in ALL_IMPORTS
        if found.in_function and found.in_function != "ready"
    ]
    assert hidden == []


def test_rules_import_nothing_of_django_or_the_project() -> None:
    wrong: list[str] = []
    for module, path in _modules():
        if _package(module) != "rules":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            for name in names:
                top = name.split(".")[0]
                if top == "django" or (top == "admissions" and _package(name) != "rules"):
                    wrong.append(f"{module}:{node.lineno} imports {name}")
    assert wrong == []


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for found in ALL_IMPORTS:
        source, target = _package(found.module), _package(found.target)
        if source != target and source not in WIRING and target not in WIRING:
            graph.setdefault(source, set()).add(target)
    visiting: set[str] = set()
    done: set[str] = set()

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        if node in visiting:
            return [*path, node]
        if node in done:
            return None
        visiting.add(node)
        for successor in sorted(graph.get(node, ())):
            found = cycle_from(successor, [*path, node])
            if found:
                return found
        visiting.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        assert cycle_from(start, []) is None


@pytest.mark.parametrize(
    ("importer", "imported", "allowed"),
    [
        ("admissions.documents.services", "admissions.applications.models", True),
        ("admissions.applications.models", "admissions.documents.models", False),
        ("admissions.payments.ledger", "admissions.documents.models", False),
        ("admissions.workflow.checks", "admissions.payments.ledger", True),
        ("admissions.documents.services", "admissions.portal.views", False),
        ("admissions.people.models", "admissions.catalog.models", True),
        ("admissions.catalog.models", "admissions.people.models", False),
        ("admissions.payments.ledger", "admissions.notify.outbox", True),
        ("admissions.notify.outbox", "admissions.applications.history", True),
        ("admissions.notify.outbox", "admissions.documents.models", False),
        ("admissions.workflow.messages", "admissions.notify.outbox", True),
    ],
)
def test_the_rule_itself(importer: str, imported: str, allowed: bool) -> None:
    assert (_violation(Import(importer, imported, 1, "")) is None) is allowed
