"""Typed views between layers (issue 32): the engagement view and the portfolio report
are frozen dataclasses built once in the core, read by attribute, made JSON by their
own `to_json`; the helpers every view needs have one home each."""

from __future__ import annotations

import ast
import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from gatebook.engagement.lifecycle import EngagementRisk
from gatebook.engagement.store import EngagementStore
from gatebook.engagement.view import EngagementView, MemberRow, engagement_view
from gatebook.portfolio.report import PortfolioItem, PortfolioReport, build_report
from gatebook.workspace import make_catalog, open_store

from .cli_support import ok
from .test_views_golden import ENGAGEMENT, TODAY, WORKSPACE

SRC = Path(__file__).parent.parent / "src" / "gatebook"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    copy = tmp_path / "views"
    shutil.copytree(WORKSPACE, copy)
    return copy


def test_the_engagement_view_is_typed_frozen_and_is_what_show_prints(home: Path) -> None:
    store = open_store(home, make_catalog(home))
    view = engagement_view(store, EngagementStore(store).get(ENGAGEMENT))
    assert isinstance(view, EngagementView)
    assert all(isinstance(r, MemberRow) for r in view.reviews)
    assert all(isinstance(r, EngagementRisk) for r in view.risks)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.status = "green"  # type: ignore[misc]
    shown = json.loads(
        ok("--home", str(home), "engagement", "show", ENGAGEMENT, "--format", "json")
    )
    assert view.to_json() == shown


def test_the_portfolio_report_is_typed_frozen_and_is_what_report_prints(home: Path) -> None:
    store = open_store(home, make_catalog(home))
    report = build_report([home], lambda _home: store, TODAY)
    assert isinstance(report, PortfolioReport)
    assert all(isinstance(item, PortfolioItem) for item in report.items)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.items[0].figures.overdue = 0  # type: ignore[misc]
    assert report.overdue and report.damaged
    data = report.to_json()
    assert "_overdue" not in json.dumps(data)
    assert sum(item["overdue"] for item in data["items"]) == len(data["overdue"])


def _functions_returning_score_text() -> list[str]:
    """Every function whose body (but a docstring) is `return "-" if X is None else
    f"{X:g}"`."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.FunctionDef):
                continue
            if ast.get_docstring(node) is not None:
                body = node.body[1] if len(node.body) == 2 else None
            else:
                body = node.body[0] if len(node.body) == 1 else None
            if isinstance(body, ast.Return) and isinstance(body.value, ast.IfExp):
                text = ast.unparse(body.value)
                if text.startswith("'-' if") and ":g}" in text:
                    found.append(f"{path.relative_to(SRC)}:{node.name}")
    return found


def test_the_shared_helpers_have_one_home_each() -> None:
    assert _functions_returning_score_text() == ["engine/formatting.py:score_text"]
    sources = {
        path.relative_to(SRC).as_posix(): path.read_text(encoding="utf-8")
        for path in SRC.rglob("*.py")
    }
    assert [name for name, text in sources.items() if "● RED" in text] == ["tui/marks.py"]
    assert [name for name, text in sources.items() if '".gatebook"' in text] == ["workspace.py"]
    counting = [n for n, text in sources.items() if '== "high")' in text or "'high')" in text]
    assert counting == []
    overdue = [n for n, t in sources.items() if '("open", "mitigating")' in t]
    assert overdue == []
    assert "-> Any" not in sources["cli/engagements.py"]
    assert "_overdue" not in sources["portfolio/report.py"]
