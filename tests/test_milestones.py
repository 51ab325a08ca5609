"""Milestones and diff (issue: freeze a review, compare any two points, show the trend):
the commands and their JSON, names, damaged files, the engagement's all-or-nothing
milestone, the milestone before a questionnaire upgrade, plan format 4, and the app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .cli_support import gb, ok, show
from .conftest import write

DIFF_KEYS = [
    "from", "to", "answers", "na", "flags", "scores", "gates", "register", "outcomes", "signoffs",
]  # fmt: skip
DEAL = """\
id: deal
title: Deal
version: "{version}"
target: 80
dimensions:
  - {{id: Q, title: Quality}}
sections:
  - id: facts
    title: Facts
    questions:
      - {{id: tcv, type: money, prompt: Total value}}
      - {{id: quality, type: rating, prompt: Quality, dimension: Q}}
{extra}
risks:
  - {{id: big, title: Big deal, category: financial, severity: high, when: tcv > 5000000}}
  - {{id: mid, title: Mid deal, category: financial, severity: medium, when: tcv > 1000000}}
gates:
  - {{id: ready, title: Ready, items: [done]}}
signoff:
  - {{id: lead, title: Lead, required: true}}
"""


def deal(version: str = "1", *, legacy: bool = True) -> str:
    extra = "      - {id: done, type: boolean, prompt: Done}"
    if legacy:
        extra += "\n      - {id: legacy, type: text, prompt: Legacy question}"
    return DEAL.format(version=version, extra=extra)


@pytest.fixture(autouse=True)
def deal_questionnaire(isolated_home: Path) -> Path:
    return write(isolated_home / "questionnaires" / "deal.yaml", deal())


def diff(*args: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(ok("diff", *args, "--format", "json"))
    return data


def test_a_milestone_freezes_the_review_and_changes_nothing(isolated_home: Path) -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=2M", "quality=3", "legacy=old")
    ok("signoff", review, "--role", "lead", "--name", "Ana", "--decision", "approved",
       "--no-sign", "--override", "test")  # fmt: skip
    before = show(review)
    ok("milestone", review, "day-1", "--note", "first look")
    after = show(review)
    assert after["digest"] == before["digest"] and after["status"] == before["status"]
    path = isolated_home / "milestones" / review / "day-1.json"
    assert path.exists()
    assert not (path.stat().st_mode & 0o222)
    listed = json.loads(ok("milestones", review, "--format", "json"))
    assert [list(m) for m in listed] == [
        ["name", "time", "author", "note", "digest", "overall", "high", "medium"]
    ]
    assert listed[0]["note"] == "first look" and listed[0]["medium"] == 1
    assert listed[0]["overall"] == 75.0 and listed[0]["author"] == "tester"


def test_milestones_list_oldest_first_even_in_the_same_second() -> None:
    review = ok("new", "deal", "--title", "Acme")
    for name in ("zeta", "alpha", "mid"):
        ok("milestone", review, name)
    names = [m["name"] for m in json.loads(ok("milestones", review, "--format", "json"))]
    assert names == ["zeta", "alpha", "mid"]


@pytest.mark.parametrize("name", ["now", "../x", "two words", "x" * 65])
def test_a_bad_or_reserved_name_exits_2_and_writes_nothing(name: str, isolated_home: Path) -> None:
    review = ok("new", "deal", "--title", "Acme")
    code, _, err = gb("milestone", review, name)
    assert code == 2, err
    assert (
        not list((isolated_home / "milestones").rglob("*.json"))
        if (isolated_home / "milestones").exists()
        else True
    )


def test_a_duplicate_name_exits_2() -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("milestone", review, "day-1")
    code, _, err = gb("milestone", review, "day-1")
    assert code == 2 and "already" in err


def test_diff_json_keys_defaults_and_every_kind_of_change() -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=2M", "quality=2")
    ok("milestone", review, "start")
    ok("set", review, "tcv=6M", "quality=4", "done=yes", "--na", "legacy=not used")
    ok("risk", review, "big", "--owner", "Ana")
    data = diff(review)  # FROM: the last milestone, TO: now
    assert list(data) == DIFF_KEYS
    assert data["from"] == "start" and data["to"] == "now"
    assert [a["id"] for a in data["answers"]] == ["done", "quality", "tcv"]
    tcv = data["answers"][2]
    assert tcv == {"id": "tcv", "prompt": "Total value", "from": 2000000, "to": 6000000}
    assert data["na"] == [{"id": "legacy", "from": None, "to": "not used"}]
    assert data["flags"] == {"raised": ["big"], "cleared": [], "changed_level": []}
    assert data["scores"]["overall"] == {"from": 50.0, "to": 100.0}
    assert data["scores"]["dimensions"] == [{"id": "Q", "from": 50.0, "to": 100.0}]
    assert data["gates"] == [{"id": "ready", "from": False, "to": True}]
    assert {"row": "big", "field": "owner", "from": None, "to": "Ana"} in data["register"]
    assert data["signoffs"] == {"added": [], "voided": []}
    assert diff(review, "start", "start")["answers"] == []
    code, out, _ = gb("diff", review, "start")
    assert code == 0 and "Total value [tcv]: $2,000,000 -> $6,000,000" in out


def test_diff_names_signoffs_added_and_voided() -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("milestone", review, "blank")
    ok("signoff", review, "--role", "lead", "--name", "Ana", "--decision", "approved",
       "--no-sign", "--override", "early")  # fmt: skip
    ok("milestone", review, "signed")
    ok("set", review, "tcv=1")
    assert diff(review, "blank", "signed")["signoffs"]["added"] == [
        {"role": "lead", "name": "Ana", "decision": "approved"}
    ]
    assert diff(review, "signed", "now")["signoffs"]["voided"] == [
        {"role": "lead", "name": "Ana", "decision": "approved"}
    ]


def test_diff_exit_statuses() -> None:
    review = ok("new", "deal", "--title", "Acme")
    code, _, err = gb("diff", review)
    assert code == 1 and f"gatebook milestone {review} NAME" in err
    ok("milestone", review, "day-1")
    code, _, err = gb("diff", review, "day-2")
    assert code == 1 and "Did you mean 'day-1'" in err
    code, _, err = gb("diff", review, "day-1", "now", "extra")
    assert code == 2
    code, _, err = gb("diff", review + "x")
    assert code == 1
    code, _, err = gb("diff", review, "../x")
    assert code == 2


@pytest.mark.parametrize(
    "damage",
    ["edit", "truncate", "not-json", "reshape"],
)
def test_a_damaged_milestone_is_named_never_a_traceback(damage: str, isolated_home: Path) -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=2M")
    ok("milestone", review, "day-1")
    path = isolated_home / "milestones" / review / "day-1.json"
    path.chmod(0o644)
    text = path.read_text()
    if damage == "edit":
        text = text.replace("2000000", "3000000")
    elif damage == "truncate":
        text = text[: len(text) // 2]
    elif damage == "not-json":
        text = "\x00\x01garbage"
    else:
        data = json.loads(text)
        data["evaluation"]["flags"] = "nope"
        from gatebook.milestone.point import digest_of_frozen

        data["digest"] = digest_of_frozen(data)
        text = json.dumps(data)
    path.write_text(text)
    code, _, err = gb("diff", review, "day-1")
    assert code == 1 and str(path) in err and "damaged" in err
    code, _, err = gb("milestones", review)
    assert code == 0 and "damaged" in err
    code, _, err = gb("export", review, "--since", "day-1")
    assert code == 1 and "damaged" in err


def test_the_engagement_milestone_is_all_or_nothing(isolated_home: Path) -> None:
    engagement = ok("engagement", "new", "Acme")
    first = ok("new", "deal", "--title", "One", "--engagement", engagement)
    second = ok("new", "deal", "--title", "Two", "--engagement", engagement)
    ok("milestone", second, "sow-signed")
    code, _, err = gb("engagement", "milestone", engagement, "sow-signed")
    assert code == 2 and second in err
    assert not (isolated_home / "milestones" / first / "sow-signed.json").exists()
    ok("engagement", "milestone", engagement, "kickoff")
    for review in (first, second):
        assert (isolated_home / "milestones" / review / "kickoff.json").exists()


def test_an_upgrade_takes_a_milestone_first_and_diff_lists_the_removed_question(
    isolated_home: Path,
) -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=2M", "legacy=kept")
    write(isolated_home / "questionnaires" / "deal.yaml", deal("2", legacy=False))
    code, _, err = gb("set", review, "tcv=3M")
    assert code == 0 and "before-upgrade-1" in err
    data = show(review)
    assert data["version"] == "2" and data["answers"]["legacy"] == "kept"  # stored as is
    changed = diff(review, "before-upgrade-1", "now")
    legacy = next(a for a in changed["answers"] if a["id"] == "legacy")
    assert legacy == {"id": "legacy", "prompt": "legacy", "from": "kept", "to": None}
    code, out, _ = gb("diff", review, "before-upgrade-1")
    assert "no longer in the questionnaire" in out
    ok("set", review, "tcv=4M")  # upgraded once: no second milestone
    names = [m["name"] for m in json.loads(ok("milestones", review, "--format", "json"))]
    assert names == ["before-upgrade-1"]


def test_export_since_is_plan_format_5_deterministic_and_verified(tmp_path: Path) -> None:
    review = ok("new", "deal", "--title", "Acme")
    ok("set", review, "tcv=2M", "quality=2")
    ok("milestone", review, "m1")
    ok("set", review, "tcv=6M", "quality=3")
    ok("milestone", review, "m2")
    plain_before = ok("export", review)
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    ok("export", review, "--since", "m1", "-o", str(first))
    ok("export", review, "--since", "m1", "-o", str(second))
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text()
    assert '"gatebook_plan": 5' in text and "## Since milestone m1" in text
    assert 'x-axis ["m1", "now"]' in text and "line [50, 75]" in text and "line [80, 80]" in text
    assert "| Flag | `big` | not raised | raised |" in text
    code, out, err = gb("verify", str(first))
    assert code == 0, out + err
    assert ok("export", review) == plain_before  # a milestone never changes a plain export
    forged = text.replace(
        "| Flag | `big` | not raised | raised |", "| Flag | `big` | raised | raised |"
    )
    first.write_text(forged)
    code, out, _ = gb("verify", str(first))
    assert code == 1
    block_start = text.index("```json gatebook-data\n") + len("```json gatebook-data\n")
    block_end = text.index("\n```", block_start)
    data = json.loads(text[block_start:block_end])
    data["since"]["name"] = "`evil`"
    from gatebook.plan.document import block_digest, data_block

    data["block_digest"] = block_digest(data)
    first.write_text(
        text[: text.index("```json gatebook-data")] + data_block(data) + text[block_end + 5 :]
    )
    code, _, err = gb("verify", str(first))  # a milestone that is not one fails the check
    assert code == 1 and "since chapter: milestone (unnamed): its `name` is not a" in err


async def test_f7_marks_the_answers_changed_since_the_last_milestone(tmp_path: Path) -> None:
    from gatebook.milestone.store import MilestoneStore
    from gatebook.tui.screens.review import ReviewScreen

    from .tui_support import deterministic_app

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    oqr = app.catalog.resolve("oqr")
    review = app.store.create(oqr, "Marks", answers={"customer": "Acme", "tcv_usd": 1000})
    MilestoneStore(app.store).take(review, oqr, "day-1")
    app.store.update(review.id, [])
    from gatebook.store import Change, ChangeKind

    app.store.update(review.id, [Change(ChangeKind.ANSWER, "tcv_usd", 6000000)])
    app.open_review_id = review.id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("f7")
        await pilot.pause()
        assert "Δ since day-1" in (screen.field("tcv_usd").marks or "")  # type: ignore[union-attr]
        assert "Δ" not in (screen.field("customer").marks or "")  # type: ignore[union-attr]
        await pilot.press("f7")
        await pilot.pause()
        assert "Δ" not in (screen.field("tcv_usd").marks or "")  # type: ignore[union-attr]
