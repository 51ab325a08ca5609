"""The CLI's JSON, text and Markdown of engagements, reviews and the portfolio stay
byte-identical while the views behind them change shape (issue 32, "Typed views,
JSON only at the edges"): the outputs were captured from the workspace in
tests/golden/views/workspace/ (written by make_views.py there) before the views
became typed, and are compared byte for byte.

`GATEBOOK_GOLDEN_WRITE=1` captures them again (only when an output is meant to
change: say why in the commit)."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest

from .cli_support import run_gatebook

GOLDEN = Path(__file__).parent / "golden" / "views"
WORKSPACE = GOLDEN / "workspace"
TODAY = "2026-12-01"
ENGAGEMENT = "eng-9f74d5"
DAMAGED = "eng-935f8c"
LOOSE = "oqr-36b867"
MEMBER = "oqr-d2663d"
DQI = "dqi-3eebcc"

COMMANDS: dict[str, tuple[str, ...]] = {
    "engagement_list.json": ("engagement", "list", "--format", "json"),
    "engagement_list.txt": ("engagement", "list"),
    "engagement_show.json": ("engagement", "show", ENGAGEMENT, "--format", "json"),
    "engagement_show.txt": ("engagement", "show", ENGAGEMENT),
    "engagement_show_damaged.json": ("engagement", "show", DAMAGED, "--format", "json"),
    "engagement_show_damaged.txt": ("engagement", "show", DAMAGED),
    "report.json": ("report", "--today", TODAY, "--format", "json"),
    "report.md": ("report", "--today", TODAY, "--format", "md"),
    "report.txt": ("report", "--today", TODAY),
    "report_oqr.json": ("report", "--today", TODAY, "--questionnaire", "oqr", "--format", "json"),
    "report_dqi.md": ("report", "--today", TODAY, "--questionnaire", "dqi", "--format", "md"),
    "show_loose.json": ("show", LOOSE, "--format", "json"),
    "show_member.json": ("show", MEMBER, "--format", "json"),
    "show_dqi.json": ("show", DQI, "--format", "json"),
    "list.json": ("list", "--format", "json"),
}


def captured(home: Path, args: tuple[str, ...]) -> str:
    """Exit status, stdout and stderr of one command, the workspace path as `{home}`."""
    done = run_gatebook("--home", str(home), *args)
    text = f"exit {done.returncode}\n--- stdout\n{done.stdout}--- stderr\n{done.stderr}"
    return text.replace(str(home), "{home}")


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the captured workspace (reading it may write its index)."""
    copy = tmp_path_factory.mktemp("views") / "home"
    shutil.copytree(WORKSPACE, copy)
    return copy


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_output_is_byte_identical_to_the_captured_one(name: str, home: Path) -> None:
    text = captured(home, COMMANDS[name])
    assert "Traceback" not in text
    path = GOLDEN / "out" / name
    if os.environ.get("GATEBOOK_GOLDEN_WRITE") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def plan_normalized(text: str) -> str:
    """The combined plan with its render date and the digest that binds it as
    placeholders (`as_of` is today: a plan is rendered as of the day it is written)."""
    found = re.search(r'^as_of: "([0-9-]{10})"\ndigest: "(sha256:[0-9a-f]{64})"$', text, re.M)
    assert found is not None, text[:400]
    as_of, digest = found.groups()
    text = text.replace(digest, "{digest}")
    for shape in ('as_of: "{}"', "· as of {}", '"as_of": "{}"'):
        text = text.replace(shape.format(as_of), shape.format("{as_of}"))
    return text


def test_the_combined_plan_is_byte_identical_and_verifies(home: Path) -> None:
    out = home / "plans" / "acme.md"
    done = run_gatebook("--home", str(home), "engagement", "plan", ENGAGEMENT, "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    path = GOLDEN / "out" / "engagement_plan.md"
    if os.environ.get("GATEBOOK_GOLDEN_WRITE") == "1":
        path.write_text(plan_normalized(text), encoding="utf-8")
    assert plan_normalized(text) == path.read_text(encoding="utf-8")
    checked = run_gatebook("--home", str(home), "verify", str(out))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_workspace_covers_what_the_views_show(home: Path) -> None:
    """The captured workspace holds what the issue lists: every delivery stage, two
    DQIs, carried risks, a damaged member, an unreadable engagement, a loose review."""
    shown = json.loads(captured(home, COMMANDS["engagement_show.json"]).split("--- stdout\n")[1]
                       .split("--- stderr\n")[0])  # fmt: skip
    stages = [r["questionnaire"] for r in shown["reviews"]]
    assert stages == ["oqr", "pesa", "s2d", "kickoff", "dqi", "dqi", "close"]
    assert any(row["origin"] for row in shown["risks"])
    report = json.loads(
        captured(home, COMMANDS["report.json"]).split("--- stdout\n")[1].split("--- stderr\n")[0]
    )
    assert report["damaged"] and report["overdue"] and report["escalations_awaiting"]
    assert {i["kind"] for i in report["items"]} == {"engagement", "review"}
