"""Layering: only the TUI imports Textual; questionnaire imports nothing of ours;
engine imports only questionnaire. Read from the source, so it cannot drift."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).parent.parent / "src" / "gatebook"

ALLOWED = {
    "questionnaire": {"gatebook.questionnaire"},
    "engine": {"gatebook.questionnaire", "gatebook.engine"},
    "store": {"gatebook.questionnaire", "gatebook.engine", "gatebook.store"},
    "plan": {"gatebook.questionnaire", "gatebook.engine", "gatebook.store", "gatebook.plan"},
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
