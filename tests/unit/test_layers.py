"""The import graph of the source tree keeps its layers: the pure core imports no I/O adapter
and no CLI module, only the CLI imports click, nothing imports the CLI, and there is no import
cycle (function-local imports count; only ``if TYPE_CHECKING:`` imports do not).

Every module must be placed in exactly one layer below, so a new module is a decision, not an
accident."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("newswatch", "feeds", "agents")

# Pure: no network, database, subprocess or Apprise; reading the analysts' own files is fine.
CORE = (
    "newswatch",
    "newswatch.article",
    "newswatch.constants",
    "newswatch.errors",
    "newswatch.jsonlines",
    "newswatch.links",
    "newswatch.yamlguard",
    "newswatch.redaction",
    "newswatch.matching.*",
    "newswatch.rules.*",
    "newswatch.stories",
    "newswatch.stories.batch",
    "newswatch.stories.features",
    "newswatch.stories.grouping",
    "newswatch.stories.neardup",
    "newswatch.alerts",
    "newswatch.alerts.message",
    "newswatch.alerts.render",
    "newswatch.alerts.firing",
    "newswatch.alerts.story",
    "newswatch.inbox",
    "newswatch.inbox.engine",
    "newswatch.inbox.notices",
    "newswatch.inbox.preview",
    "newswatch.inbox.routes",
    "newswatch.inbox.schedule",
    "newswatch.inbox.silences",
    "newswatch.inbox.split",
    "newswatch.archive",
    "newswatch.archive.base",
    "newswatch.workflow",
    "newswatch.workflow.check",
    "newswatch.workflow.lint",
    "newswatch.workflow.diff",
    "newswatch.workflow.dryrun",
    "newswatch.workflow.explain",
    "newswatch.kafka",
    "newswatch.kafka.config",
    "newswatch.kafka.deskindex",
    "newswatch.kafka.records",
    "newswatch.web",
    "newswatch.web.desk",
    "newswatch.web.highlight",
    "newswatch.web.ruleform",
    "newswatch.web.security",
    "newswatch.web.views",
    "feeds",
    "feeds.config",
    "feeds.language",
    "feeds.parse",
    "feeds.progress",
    "feeds.watch",
)
# I/O: HTTP, SQLite, Kafka, Faust, Apprise, git, and the runtimes that wire them.
ADAPTERS = (
    "newswatch.alerts.outbox",
    "newswatch.alerts.notifier",
    "newswatch.alerts.targets",
    "newswatch.archive.sqlite",
    "newswatch.stories.store",
    "newswatch.inbox.store",
    "newswatch.workflow.edit",
    "newswatch.workflow.git",
    "newswatch.workflow.sources",
    "newswatch.embedded.*",
    "newswatch.kafka.admin",
    "newswatch.kafka.archive",
    "newswatch.kafka.deadletters",
    "newswatch.kafka.delivery",
    "newswatch.kafka.desk",
    "newswatch.kafka.health",
    "newswatch.kafka.inboxfeed",
    "newswatch.kafka.metrics",
    "newswatch.kafka.poll",
    "newswatch.kafka.producer",
    "newswatch.kafka.publish",
    "newswatch.kafka.reading",
    "newswatch.kafka.rulefeed",
    "newswatch.kafka.sending",
    "newswatch.web.app",
    "newswatch.web.editing",
    "newswatch.web.server",
    "feeds.discover",
    "feeds.fetch",
    "feeds.fulltext",
    "feeds.listing",
    "feeds.once",
    "feeds.opml",
    "feeds.poller",
    "feeds.state",
    "agents.*",
)
CLI = ("newswatch.cli.*",)
# Third-party and standard modules that do I/O: the core may not import them.
IO_LIBRARIES = (
    "aiokafka",
    "apprise",
    "faust",
    "httpx",
    "kafka",
    "prometheus_client",
    "socket",
    "sqlite3",
    "starlette",
    "subprocess",
    "urllib.request",
    "uvicorn",
)
# Core modules that read a library's packaged, read-only data with an I/O module: gruut's English
# lexicon is an SQLite file, opened immutable and read once (no state, no network, no writes).
PACKAGED_DATA_READERS = {"newswatch.matching.pronounce": {"sqlite3"}}


def _within(module: str, layer: tuple[str, ...]) -> bool:
    """Whether ``module`` is in ``layer``: named in it, or below a ``package.*`` entry."""
    return any(
        module == entry
        or (entry.endswith(".*") and module.startswith(entry[:-1]))
        or module == entry.removesuffix(".*")
        for entry in layer
    )


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """Line numbers of the imports under ``if TYPE_CHECKING:``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _imports(module: str, path: Path) -> Iterator[str]:
    """Every module ``module`` imports, anywhere in it (function bodies included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_only(tree)
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            # ``from package import module`` imports that module too.
            for alias in node.names:
                yield f"{target}.{alias.name}"


MODULES = _modules()


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        graph[module] = {name for name in _imports(module, path) if name in MODULES}
        graph[module].discard(module)
    return graph


GRAPH = _graph()


def _third_party(module: str) -> set[str]:
    return set(_imports(module, MODULES[module])) - set(MODULES)


def test_every_module_is_in_exactly_one_layer() -> None:
    unplaced, doubly = [], []
    for module in MODULES:
        layers = [_within(module, layer) for layer in (CORE, ADAPTERS, CLI)]
        if sum(layers) == 0:
            unplaced.append(module)
        elif sum(layers) > 1:
            doubly.append(module)
    assert not unplaced, f"place these modules in CORE, ADAPTERS or CLI: {unplaced}"
    assert not doubly, f"in more than one layer: {doubly}"


def _core_violations(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _within(module, CORE)
        for target in sorted(targets)
        if _within(target, ADAPTERS) or _within(target, CLI)
    ]


def test_the_core_imports_no_adapter_and_no_cli_module() -> None:
    wrong = _core_violations(GRAPH)
    assert not wrong, "\n".join(wrong)


def test_the_core_imports_no_io_library() -> None:
    wrong = [
        f"{module} imports {name}"
        for module in MODULES
        if _within(module, CORE)
        for name in sorted(_third_party(module))
        if any(name == lib or name.startswith(lib + ".") for lib in IO_LIBRARIES)
        and name not in PACKAGED_DATA_READERS.get(module, set())
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_cli_imports_click_and_nothing_imports_the_cli() -> None:
    wrong = []
    for module, targets in GRAPH.items():
        if _within(module, CLI):
            continue
        if any(n == "click" or n.startswith("click.") for n in _third_party(module)):
            wrong.append(f"{module} imports click")
        wrong += [f"{module} imports {t}" for t in sorted(targets) if _within(t, CLI)]
    assert not wrong, "\n".join(wrong)


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the list of modules around it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_import_cycle() -> None:
    cycle = _cycle(GRAPH)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_checks_see_a_wrong_import() -> None:
    # The same checks on the real graph plus one wrong edge each: they must report it.
    core_to_adapter = {**GRAPH, "newswatch.matching.matcher": {"newswatch.alerts.outbox"}}
    assert _core_violations(core_to_adapter) == [
        "newswatch.matching.matcher imports newswatch.alerts.outbox"
    ]
    back_edge = {**GRAPH, "newswatch.article": GRAPH["newswatch.article"] | {"newswatch.cli"}}
    cycle = _cycle(back_edge)
    assert cycle is not None and "newswatch.article" in cycle and "newswatch.cli" in cycle


def test_every_module_has_a_line_in_the_architecture_page() -> None:
    page = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [
        str(path.relative_to(ROOT))
        for path in MODULES.values()
        if path.name not in ("__init__.py", "__main__.py") and f"`{path.name}`" not in page
    ]
    assert not missing, f"docs/architecture.md does not mention: {missing}"
