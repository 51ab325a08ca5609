"""Layering: only the TUI imports Textual; each core layer (questionnaire, engine,
store, plan, milestone, engagement, portfolio) imports only itself and those below
it; the TUI never imports the CLI; no import circle, not even under TYPE_CHECKING.
Read from the source, so it cannot drift."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "gatebook"
ARCHITECTURE = Path(__file__).parent.parent / "docs" / "architecture.md"

LAYERS = [
    "questionnaire",
    "engine",
    "store",
    "plan",
    "milestone",
    "engagement",
    "portfolio",
]
"""The core, lowest first: each layer imports only itself and those below it
(docs/architecture.md; `lint-imports` checks the same in `pyproject.toml`)."""

ALLOWED = {
    layer: {f"gatebook.{below}" for below in LAYERS[: index + 1]}
    for index, layer in enumerate(LAYERS)
}
ALLOWED["tui"] = {
    name
    for name in (f"gatebook.{path.with_suffix('').name}" for path in SRC.iterdir())
    if name not in ("gatebook.cli", "gatebook.entry", "gatebook.__main__", "gatebook.__init__")
}


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def modules() -> list[Path]:
    return sorted(SRC.rglob("*.py"))


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_layering(path: Path) -> None:
    package = path.relative_to(SRC).parts[0]
    names = imports(path)
    if package != "tui":
        assert not {n for n in names if n.split(".")[0] in ("textual", "rich")}, path
    allowed = ALLOWED.get(package)
    if allowed is not None:
        ours = {n for n in names if n.startswith("gatebook")}
        bad = {n for n in ours if not any(n == a or n.startswith(a + ".") for a in allowed)}
        assert not bad, f"{path} imports {bad}"


def _module_name(path: Path, root: Path = SRC) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph(root: Path = SRC) -> dict[str, set[str]]:
    """Every import of our modules: at module and function level, and under
    `TYPE_CHECKING` too (a circle the type checker needs is still a circle)."""
    paths = sorted(root.rglob("*.py"))
    names = {_module_name(path, root) for path in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        module = _module_name(path, root)
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                while target and target not in names:
                    target = target.rpartition(".")[0]
                if target and target != module:
                    found.add(target)
        # a package's __init__ may re-export its own modules; only cycles between
        # modules count, not a package and what it contains
        graph[module] = {t for t in found if not t.startswith(module + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_not_even_for_the_type_checker() -> None:
    graph = import_graph()
    assert len(graph) > 40
    assert cycles(graph) == []


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_import_graph_counts_type_checking_and_function_imports(tmp_path: Path) -> None:
    """The app/screens circle this check caught ran only under TYPE_CHECKING."""
    root = tmp_path / "pkg"
    (root / "screens").mkdir(parents=True)
    for init in (root / "__init__.py", root / "screens" / "__init__.py"):
        init.write_text("")
    (root / "app.py").write_text("from pkg.screens.base import Screen\n")
    (root / "screens" / "base.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.app import App\n"
    )
    (root / "screens" / "home.py").write_text("def f():\n    from ..app import App\n")
    graph = import_graph(root)
    assert graph["pkg.screens.home"] == {"pkg.app"}
    assert cycles(graph) == [["pkg.app", "pkg.screens.base"]]


def code_lines(source: str) -> int:
    """Lines that hold code: not blank, not a comment, not inside a docstring."""
    import ast
    import io
    import tokenize

    docstrings: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                first = body[0]
                docstrings.update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
        constant = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if constant and isinstance(node.value.value, str):  # type: ignore[attr-defined]
            docstrings.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))  # type: ignore[attr-defined]
    code: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT):
            continue
        if token.type in (tokenize.DEDENT, tokenize.ENDMARKER):
            continue
        for line in range(token.start[0], token.end[0] + 1):
            if line not in docstrings:
                code.add(line)
    return len(code)


def test_code_lines_leave_out_docstrings_comments_and_blank_lines() -> None:
    source = 'def f() -> int:\n    """Doc\n    string."""\n\n    # a comment\n    return 1\n'
    assert code_lines(source) == 2


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_over_400_lines_of_code(path: Path) -> None:
    assert code_lines(path.read_text()) <= 400, path


def documented_modules(text: str) -> set[str]:
    """The modules docs/architecture.md's tree names, as paths under src/gatebook: an
    entry at the tree's first level (`  store/`, `  tui/screens/`, `  entry.py`) sets
    the folder its lines and the lines indented under it name `NAME.py` in."""
    block = text.split("```\nsrc/gatebook/\n", 1)[1].split("```", 1)[0]
    found: set[str] = set()
    folder = ""
    for line in block.splitlines():
        entry = re.match(r"  (\S+)", line)
        if entry:
            folder = entry.group(1) if entry.group(1).endswith("/") else ""
        for name in re.findall(r"(?<![\w/.])([a-z_][a-z0-9_]*(?:/[a-z_][a-z0-9_]*)*\.py)\b", line):
            found.add(name if "/" in name else folder + name)
    return found


def test_the_architecture_doc_names_every_module_and_only_those() -> None:
    documented = documented_modules(ARCHITECTURE.read_text(encoding="utf-8"))
    package = {path.relative_to(SRC).as_posix() for path in modules()}
    assert {"cli/plan.py", "engagement/plan.py", "tui/screens/plan.py", "entry.py"} <= documented
    assert {m for m in package if not m.endswith("__init__.py")} - documented == set(), (
        "name these modules in docs/architecture.md"
    )
    assert documented - package == set(), "docs/architecture.md names modules that do not exist"


def test_the_module_list_reader_keeps_folders_apart() -> None:
    text = (
        "```\nsrc/gatebook/\n  plan/            render.py (the plan),\n"
        "                   verify.py\n  tui/screens/     plan.py; cli/x.py\n"
        "  entry.py         the console script\n```\n"
    )
    assert documented_modules(text) == {
        "plan/render.py",
        "plan/verify.py",
        "tui/screens/plan.py",
        "cli/x.py",
        "entry.py",
    }
