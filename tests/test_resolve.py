"""Conflicts can be trusted, nothing lost between laptops (issue 31): `conflicts` lists
review and engagement conflicts together; `resolve` settles only a recorded conflict,
reads each side's value as typed input (junk refused, nothing written) and works on
every field the merge driver records; export and sign-off refuse a conflicted review;
`show`, `list` and the home screen mark it; rows added by hand get ids no other laptop
chooses (two real clones and a bare repository)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from . import cli_support as cli
from .test_team import git

OURS_ROW = {"title": "Architect leaves", "severity": "high", "contingency": "Backup hire"}


def gb(home: Path, *args: str) -> tuple[int, str, str]:
    return cli.gb("--home", str(home), *args)


def ok(home: Path, *args: str) -> str:
    return cli.ok("--home", str(home), *args)


def conflict(field: str, base: Any, ours: Any, theirs: Any) -> dict[str, Any]:
    return {"field": field, "base": base, "ours": ours, "theirs": theirs}


@pytest.fixture
def review(tmp_path: Path) -> tuple[Path, str]:
    """A workspace with one OQR review holding a register row added by hand before
    this change (`risk_1`), as a merge could leave it."""
    home = tmp_path / "ws"
    review_id = ok(home, "new", "oqr", "--title", "Shared")
    ok(home, "set", review_id, "customer=Acme", "tcv_usd=1M", "--note", "customer=from CRM")
    path = home / "reviews" / f"{review_id}.json"
    data = json.loads(path.read_text())
    data["review"]["1"]["risk_register"] = {"risk_1": dict(OURS_ROW)}
    path.write_text(json.dumps(data))
    return home, review_id


def record(home: Path, review_id: str, *conflicts: dict[str, Any]) -> Path:
    """Write conflicts into the review file, as the merge driver records them."""
    path = home / "reviews" / f"{review_id}.json"
    data = json.loads(path.read_text())
    data["review"]["1"]["conflicts"] = list(conflicts)
    path.write_text(json.dumps(data))
    return path


def stored(home: Path, review_id: str) -> dict[str, Any]:
    data = json.loads((home / "reviews" / f"{review_id}.json").read_text())
    review: dict[str, Any] = data["review"]["1"]
    return review


# ---- resolve settles only a recorded conflict, with a value `set` would take -----------------


def test_a_field_that_is_not_in_conflict_is_refused_and_nothing_written(
    review: tuple[Path, str],
) -> None:
    home, review_id = review
    path = record(home, review_id, conflict("answers.tcv_usd", 1000000, 2000000, 3000000))
    before = path.read_bytes()
    code, _, err = gb(home, "resolve", review_id, "version", "--take", "theirs")
    assert code == 2
    assert "version: not a conflict of" in err and "answers.tcv_usd" in err
    assert path.read_bytes() == before  # never "None" written into the version
    record(home, review_id)
    code, _, err = gb(home, "resolve", review_id, "answers.tcv_usd", "--take", "theirs")
    assert code == 2 and "It has no conflicts" in err


@pytest.mark.parametrize(
    ("entry", "argv", "said"),
    [
        (conflict("answers.tcv_usd", 1, 2, "lots"), ["--take", "theirs"], "cannot read 'lots'"),
        (conflict("answers.tcv_usd", 1, 2, {"a": [1]}), ["--take", "theirs"], "answers.tcv_usd"),
        (conflict("answers.contract_type", "tm", "ffp", "cheap"), ["--take", "theirs"], "cheap"),
        (conflict("answers.tcv_usd", 1, 2, 3), ["--value", "lots"], "cannot read 'lots'"),
        (conflict("notes.customer", "a", "b", ["not", "text"]), ["--take", "theirs"], "not text"),
        (conflict("title", "T", "T", "bad\u0000title"), ["--take", "theirs"], "control character"),
        (conflict("title", "T", "T", "bad\ud800"), ["--take", "theirs"], "lone surrogate"),
        (conflict("title", "T", "U", None), ["--take", "theirs"], "not text"),
        (conflict("subject", "", "x", 5), ["--take", "theirs"], "not text"),
        (conflict("version", "2.0.0", "2.0.0", None), ["--take", "theirs"], "not text"),
        (conflict("version", "2.0.0", "2.0.0", "3"), ["--value", "3"], "--take ours|theirs"),
        (conflict("escalation", None, None, {"to": "VP"}), ["--take", "theirs"], "decision"),
        (conflict("escalation", None, None, "yes"), ["--take", "theirs"], "not a record"),
        (conflict("escalation", None, None, None), ["--value", "x"], "not a JSON object"),
        (
            conflict("risk_register.risk_1", None, OURS_ROW, {"title": "x", "bogus": 1}),
            ["--take", "theirs"],
            "bogus",
        ),
        (
            conflict("risk_register.risk_1", None, OURS_ROW, None),
            ["--value", "x"],
            "not a JSON object",
        ),
        (conflict("risk_register.risk_1", None, OURS_ROW, [1]), ["--take", "theirs"], "not a row"),
        (
            conflict("risk_register.risk_1.status", "open", "open", "done"),
            ["--take", "theirs"],
            "status",
        ),
        (
            conflict("risk_register.risk_1.due", None, None, "2026-99-99"),
            ["--take", "theirs"],
            "2026-99-99",
        ),
        (
            conflict("risk_register.risk_1.due", None, None, None),
            ["--value", "2026-02-30"],
            "2026-02-30",
        ),
        (
            conflict("risk_register.risk_1.severity", "high", "high", "x"),
            ["--value", "huge"],
            "severity",
        ),
        (
            conflict("risk_register.risk_1.colour", "", "", "red"),
            ["--take", "theirs"],
            "not a register row field",
        ),
        (
            conflict("risk_register.bad-row", None, None, {}),
            ["--take", "theirs"],
            "not a register row id",
        ),
        (
            conflict("risk_register.risk_1.contingency", "", "", "\x07"),
            ["--take", "theirs"],
            "control character",
        ),
        (conflict("answers", 1, 2, 3), ["--take", "theirs"], "not a field gatebook settles"),
        (conflict("answers.customer", "A", "B", "C\x1b[2J"), ["--take", "theirs"], "control"),
        (
            conflict("risk_register.risk_1.owner", "", "Ana", "x" * 20_001),
            ["--take", "theirs"],
            "at most 20,000 characters",
        ),
        # ids `set` would refuse (no such question, flag or row), and a row left untitled
        (conflict("notes.nonexistent", None, "a", "b"), ["--take", "theirs"], "unknown question"),
        (conflict("not_applicable.zz", None, "a", "b"), ["--value", "x"], "unknown question"),
        (conflict("mitigations.zzz", None, "a", "b"), ["--take", "theirs"], "unknown flag"),
        (conflict("risk_register.risk_1.title", "T", "T", None), ["--take", "theirs"], "title"),
        (conflict("risk_register.risk_1.title", "", "T", "U"), ["--value", " "], "title"),
        (
            conflict("risk_register.risk_1", None, OURS_ROW, {"owner": "Bo"}),
            ["--take", "theirs"],
            "title",
        ),
        (conflict("risk_register.risk_7.owner", None, "A", "B"), ["--take", "ours"], "title"),
    ],
)
def test_a_value_that_would_be_refused_as_input_is_refused_and_nothing_written(
    review: tuple[Path, str], entry: dict[str, Any], argv: list[str], said: str
) -> None:
    home, review_id = review
    path = record(home, review_id, entry)
    before = path.read_bytes()
    code, _, err = gb(home, "resolve", review_id, entry["field"], *argv)
    assert code == 2, err
    assert said in err and "nothing written" in err, err
    assert path.read_bytes() == before
    assert cli.show(review_id, "--home", str(home))["conflicts"] == [entry]  # still readable


@pytest.mark.parametrize(
    ("entry", "argv", "check"),
    [
        (
            conflict("answers.tcv_usd", 1000000, 2000000, 3000000),
            ["--take", "theirs"],
            lambda r: r["answers"]["tcv_usd"] == 3000000,
        ),
        (
            conflict("answers.tcv_usd", 1000000, 2000000, 3000000),
            ["--value", "5.5M"],
            lambda r: r["answers"]["tcv_usd"] == 5500000,
        ),
        (
            conflict("answers.tcv_usd", None, 1000000, 3000000),
            ["--take", "base"],
            lambda r: "tcv_usd" not in r["answers"],
        ),
        (
            conflict("notes.customer", "x", "from CRM", "long " * 5_000),
            ["--take", "theirs"],
            lambda r: r["notes"]["customer"] == "long " * 5_000,  # as long as `set` takes
        ),
        (
            conflict("notes.customer", "x", "from CRM", "from the call"),
            ["--take", "theirs"],
            lambda r: r["notes"]["customer"] == "from the call",
        ),
        (
            conflict("not_applicable.partner_count", None, "no partners", "solo"),
            ["--value", "direct deal"],
            lambda r: r["not_applicable"]["partner_count"] == "direct deal",
        ),
        (
            conflict("mitigations.risk_1", None, "Pair up", "Document"),
            ["--take", "theirs"],
            lambda r: r["mitigations"]["risk_1"] == "Document",
        ),
        (
            conflict("risk_register.risk_1", None, OURS_ROW, None),
            ["--take", "theirs"],
            lambda r: "risk_1" not in r["risk_register"],
        ),
        (
            conflict("risk_register.risk_1", None, OURS_ROW, None),
            ["--value", '{"title": "Architect leaves", "owner": "Bo"}'],
            lambda r: r["risk_register"]["risk_1"]["owner"] == "Bo",
        ),
        (
            conflict("risk_register.risk_1.contingency", "Plan B", "Backup hire", "Plan C"),
            ["--take", "base"],
            lambda r: r["risk_register"]["risk_1"]["contingency"] == "Plan B",
        ),
        (
            conflict("risk_register.risk_1.contingency", "", "Backup hire", "Plan C"),
            ["--value", "Both"],
            lambda r: r["risk_register"]["risk_1"]["contingency"] == "Both",
        ),
        (
            conflict("risk_register.risk_1.due", None, "2026-12-01", "2026-12-15"),
            ["--value", "2027-01-31"],
            lambda r: r["risk_register"]["risk_1"]["due"] == "2027-01-31",
        ),
        (
            conflict("risk_register.risk_1.status", "open", "open", "accepted"),
            ["--take", "theirs"],
            lambda r: r["risk_register"]["risk_1"]["status"] == "accepted",
        ),
        (
            conflict(
                "escalation",
                None,
                None,
                {"to": "Maria Ortiz", "decision": "proceed", "date": "2026-12-01"},
            ),
            ["--take", "theirs"],
            lambda r: r["escalation"]["to"] == "Maria Ortiz",
        ),
        (
            conflict("escalation", None, None, None),
            ["--value", '{"to": "Bo", "decision": "stop", "date": "2026-12-02"}'],
            lambda r: r["escalation"]["decision"] == "stop",
        ),
        (
            conflict("title", "Shared", "Ours", "Theirs"),
            ["--take", "theirs"],
            lambda r: r["title"] == "Theirs",
        ),
        (
            conflict("subject", "", "a", "b"),
            ["--value", "Data platform"],
            lambda r: r["subject"] == "Data platform",
        ),
        (
            conflict("version", "2.0.0", "2.0.0", "1.9.0"),
            ["--take", "ours"],
            lambda r: r["version"] == "2.0.0",
        ),
    ],
)
def test_every_field_the_driver_records_settles_with_one_history_entry(
    review: tuple[Path, str], entry: dict[str, Any], argv: list[str], check: Any
) -> None:
    home, review_id = review
    record(home, review_id, entry)
    before = len(stored(home, review_id)["history"])
    code, _, err = gb(home, "resolve", review_id, entry["field"], *argv)
    assert code == 0, err
    after = stored(home, review_id)
    assert check(after), after
    assert "conflicts" not in after  # the last one settled: left out of the file
    assert len(after["history"]) == before + 1
    assert cli.show(review_id, "--home", str(home))["conflicts"] == []


def test_take_ours_is_on_record_and_the_other_conflicts_stay(review: tuple[Path, str]) -> None:
    home, review_id = review
    record(
        home,
        review_id,
        conflict("answers.tcv_usd", 1000000, 1000000, 3000000),
        conflict("title", "Shared", "Shared", "Other"),
    )
    ok(home, "resolve", review_id, "answers.tcv_usd", "--take", "ours")
    after = stored(home, review_id)
    last = after["history"][-1]
    assert (last["kind"], last["key"], last["old"], last["new"]) == (
        "answer", "tcv_usd", 1000000, 1000000,
    )  # fmt: skip
    assert [c["field"] for c in after["conflicts"]] == ["title"]
    code, _, err = gb(home, "resolve", review_id, "title")
    assert code == 2 and "--take" in err


# ---- engagements -------------------------------------------------------------------------


@pytest.fixture
def engagement(review: tuple[Path, str]) -> tuple[Path, str, str]:
    home, review_id = review
    engagement_id = ok(home, "engagement", "new", "Acme", "--customer", "Acme")
    ok(home, "engagement", "add", engagement_id, review_id)
    return home, review_id, engagement_id


def record_engagement(home: Path, engagement_id: str, *conflicts: dict[str, Any]) -> Path:
    path = home / "engagements" / f"{engagement_id}.json"
    data = json.loads(path.read_text())
    data["conflicts"] = list(conflicts)
    data["schema_version"] = 2
    path.write_text(json.dumps(data))
    return path


def test_conflicts_lists_reviews_and_engagements_together(
    engagement: tuple[Path, str, str],
) -> None:
    home, review_id, engagement_id = engagement
    record(home, review_id, conflict("answers.tcv_usd", 1000000, 2000000, 3000000))
    record_engagement(home, engagement_id, conflict("title", "Acme", "Acme A", "Acme B"))
    rows = json.loads(ok(home, "conflicts", "--format", "json"))
    assert rows == [
        {"kind": "review", "review": review_id, "field": "answers.tcv_usd", "base": 1000000,
         "ours": 2000000, "theirs": 3000000, "file": f"reviews/{review_id}.json"},
        {"kind": "engagement", "review": engagement_id, "field": "title", "base": "Acme",
         "ours": "Acme A", "theirs": "Acme B", "file": f"engagements/{engagement_id}.json"},
    ]  # fmt: skip
    only = json.loads(ok(home, "conflicts", engagement_id, "--format", "json"))
    assert [row["kind"] for row in only] == ["engagement"]
    text = ok(home, "conflicts")
    assert f"gatebook resolve {engagement_id} title" in text


def test_resolve_settles_an_engagement_field_checked_as_typed(
    engagement: tuple[Path, str, str],
) -> None:
    home, _, engagement_id = engagement
    path = record_engagement(
        home,
        engagement_id,
        conflict("title", "Acme", "Acme A", "Acme B"),
        conflict("start", "2026-01-01", "2026-02-01", "2026-99-99"),
        conflict("shared.tcv_usd", None, 1000000, "lots"),
        conflict("shared.customer", "Acme", "Acme", "Acme Corp"),
    )
    before = path.read_bytes()
    for field, argv, said in (
        ("start", ["--take", "theirs"], "2026-99-99"),
        ("start", ["--value", "soon"], "soon"),
        ("shared.tcv_usd", ["--take", "theirs"], "cannot read 'lots'"),
        ("title", ["--value", "  "], "empty"),
        ("members", ["--take", "theirs"], "not a conflict of engagement"),
    ):
        code, _, err = gb(home, "resolve", engagement_id, field, *argv)
        assert code == 2 and said in err and "nothing written" in err, (field, err)
        assert path.read_bytes() == before
    ok(home, "resolve", engagement_id, "title", "--take", "theirs")
    ok(home, "resolve", engagement_id, "start", "--value", "2026-03-01")
    ok(home, "resolve", engagement_id, "shared.tcv_usd", "--value", "2M")
    ok(home, "resolve", engagement_id, "shared.customer", "--take", "theirs")
    data = json.loads(path.read_text())
    assert (data["title"], data["start"]) == ("Acme B", "2026-03-01")
    assert data["shared"]["tcv_usd"] == 2000000 and data["shared"]["customer"] == "Acme Corp"
    assert "conflicts" not in data and data["schema_version"] == 2
    assert json.loads(ok(home, "conflicts", "--format", "json")) == []


# ---- a conflicted review is marked, and neither exported nor signed ------------------------


def test_export_and_signoff_refuse_a_review_with_open_conflicts(
    review: tuple[Path, str],
) -> None:
    home, review_id = review
    path = record(
        home,
        review_id,
        conflict("answers.tcv_usd", 1000000, 2000000, 3000000),
        conflict("risk_register.risk_1.owner", "", "Ana", "Bo"),
    )
    before = path.read_bytes()
    plan = home / "plans" / "shared.md"
    code, out, err = gb(home, "export", review_id, "-o", str(plan))
    assert code == 1 and not plan.exists() and out == ""
    assert "answers.tcv_usd" in err and "risk_register.risk_1.owner" in err
    assert f"gatebook resolve {review_id} FIELD" in err
    code, _, err = gb(home, "signoff", review_id, "--role", "reviewer", "--name", "Ana",
                      "--decision", "approved", "--no-sign")  # fmt: skip
    assert code == 1 and "answers.tcv_usd" in err and "risk_register.risk_1.owner" in err
    assert path.read_bytes() == before
    ok(home, "resolve", review_id, "answers.tcv_usd", "--take", "ours")
    ok(home, "resolve", review_id, "risk_register.risk_1.owner", "--value", "Ana")
    ok(home, "export", review_id, "-o", str(plan))
    assert plan.exists()


def test_show_and_list_mark_a_conflicted_review(review: tuple[Path, str]) -> None:
    home, review_id = review
    assert json.loads(ok(home, "list", "--format", "json"))[0]["conflicts"] == 0  # index made
    record(home, review_id, conflict("answers.tcv_usd", 1, 2, 3), conflict("title", "a", "b", "c"))
    shown = cli.show(review_id, "--home", str(home))
    assert [c["field"] for c in shown["conflicts"]] == ["answers.tcv_usd", "title"]
    assert "Open merge conflicts (2): answers.tcv_usd, title" in ok(home, "show", review_id)
    assert json.loads(ok(home, "list", "--format", "json"))[0]["conflicts"] == 2
    assert "conflicts 2  Shared" in ok(home, "list")


def test_an_index_row_from_before_conflicts_were_counted_is_read_again(
    review: tuple[Path, str],
) -> None:
    home, review_id = review
    record(home, review_id, conflict("answers.tcv_usd", 1, 2, 3))
    ok(home, "list")
    index = home / "index.json"
    data = json.loads(index.read_text())
    for row in data["reviews"].values():
        del row["conflicts"]  # as an older gatebook wrote it, the file's stat unchanged
    index.write_text(json.dumps(data))
    assert json.loads(ok(home, "list", "--format", "json"))[0]["conflicts"] == 1


def test_an_unreadable_review_is_named_and_the_others_still_list(
    review: tuple[Path, str],
) -> None:
    home, review_id = review
    record(home, review_id, conflict("answers.tcv_usd", 1, 2, 3))
    (home / "reviews" / "oqr-broken.json").write_text('{"review": ')
    code, out, err = gb(home, "conflicts", "--format", "json")
    assert code == 0 and "reviews/oqr-broken.json" in err
    assert [row["review"] for row in json.loads(out)] == [review_id]


# ---- nothing lost between laptops ---------------------------------------------------------


def test_two_consultants_each_add_a_risk_and_both_rows_survive_the_merge(
    tmp_path: Path,
) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    bare, seed = tmp_path / "team.git", tmp_path / "seed"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    ok(seed, "init", "--git")
    git(seed, "checkout", "-q", "-b", "main")
    review_id = ok(seed, "new", "oqr", "--title", "Shared")
    git(seed, "add", "-A")
    git(seed, "commit", "-qm", "start")
    git(seed, "push", "-q", str(bare), "main")
    one, two = tmp_path / "one", tmp_path / "two"
    added: dict[Path, str] = {}
    for clone, title, owner in ((one, "Architect leaves", "Ana"), (two, "Budget cut", "Bo")):
        git(tmp_path, "clone", "-q", "-b", "main", str(bare), clone.name)
        ok(clone, "init", "--git")
        added[clone] = ok(clone, "risk", review_id, "--add", title, "--severity", "high")
        ok(clone, "risk", review_id, added[clone], "--owner", owner, "--contingency", title[:6])
        ok(clone, "set", review_id, "--mitigation", f"{added[clone]}=by {owner}")
        git(clone, "commit", "-qam", f"risk by {owner}")
    assert all(re.fullmatch(r"risk_[a-z0-9]{6}", row) for row in added.values()), added
    assert added[one] != added[two]
    git(one, "push", "-q", "origin", "main")
    done = git(two, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    git(two, "push", "-q", "origin", "main")
    git(one, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main")
    for clone in (one, two):
        assert json.loads(ok(clone, "conflicts", "--format", "json")) == []
        rows = {r["id"]: r for r in cli.show(review_id, "--home", str(clone))["risk_register"]}
        assert (rows[added[one]]["title"], rows[added[one]]["owner"]) == ("Architect leaves", "Ana")
        assert (rows[added[two]]["title"], rows[added[two]]["owner"]) == ("Budget cut", "Bo")
        assert rows[added[one]]["mitigation"] == "by Ana"
        assert rows[added[two]]["mitigation"] == "by Bo"


async def test_the_home_screen_marks_a_conflicted_review_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gatebook.store.model import Conflict
    from gatebook.tui.screens.home import HomeScreen
    from gatebook.tui.widgets.review_list import ReviewList

    from .tui_support import deterministic_app

    monkeypatch.setenv("NO_COLOR", "1")
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    oqr = app.catalog.resolve("oqr")
    calm = app.store.create(oqr, "Globex security review").id
    merged = app.store.create(oqr, "Contoso data platform migration").id
    entries = [Conflict(field="answers.tcv_usd", ours=1, theirs=2), Conflict(field="title")]
    app.store.modify(merged, lambda review: setattr(review, "conflicts", entries))
    engagement = app.store.home / "engagements" / "eng-a1b2c3.json"
    engagement.parent.mkdir(parents=True, exist_ok=True)
    engagement.write_text(
        json.dumps(
            {"schema_version": 2, "id": "eng-a1b2c3", "title": "Acme", "start": "2026-01-05",
             "created": "2026-11-24T09:00:00Z", "updated": "2026-11-24T09:00:00Z",
             "members": [], "shared": {}, "overrides": [],
             "conflicts": [{"field": "start", "base": None, "ours": "2026-01-05",
                            "theirs": "2026-02-01"}]}
        )
    )  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        home = app.screen
        assert isinstance(home, HomeScreen)
        review_list = home.query_one(ReviewList)
        width = review_list.scrollable_content_region.width
        assert all(len(line) <= width for line in [review_list.header, *review_list.lines])
        lines = dict(zip(review_list.keys, review_list.lines, strict=True))
        assert "conflicts 2" in lines[merged], lines[merged]
        assert "conflict" not in lines[calm]
        assert "conflicts 1 · Acme" in lines["eng:eng-a1b2c3"]


async def test_the_app_does_not_write_the_plan_of_a_conflicted_review(tmp_path: Path) -> None:
    from gatebook.store.model import Conflict
    from gatebook.tui.screens.plan import ExportScreen

    from .tui_support import deterministic_app

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review_id = app.store.create(app.catalog.resolve("oqr"), "Merged").id
    entries = [Conflict(field="answers.tcv_usd", ours=1, theirs=2)]
    app.store.modify(review_id, lambda review: setattr(review, "conflicts", entries))
    app.open_review_id = review_id
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("f7")
        for _ in range(50):
            await pilot.pause(0.05)
            if isinstance(app.screen, ExportScreen) and app.screen.plan_text:
                break
        assert isinstance(app.screen, ExportScreen)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)  # no file prompt
        said = [n.message for n in app._notifications]
        assert any("answers.tcv_usd" in m and "gatebook resolve" in m for m in said), said


def test_register_row_fields_settle_after_a_real_merge(tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    origin = tmp_path / "origin"
    ok(origin, "init", "--git")
    git(origin, "checkout", "-q", "-b", "main")
    review_id = ok(origin, "new", "oqr", "--title", "Shared")
    ok(origin, "set", review_id, "tcv_usd=6M")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "start")
    one, two = tmp_path / "one", tmp_path / "two"
    for clone, text in ((one, "Stop after phase 1"), (two, "Cut scope")):
        git(tmp_path, "clone", "-q", str(origin), clone.name)
        ok(clone, "init", "--git")
        ok(clone, "risk", review_id, "large_deal_size", "--contingency", text, "--owner", "Ana")
        git(clone, "commit", "-qam", text)
    done = git(one, "pull", "-q", "--no-rebase", "--no-edit", str(two), "main", check=False)
    assert done.returncode != 0  # a conflict git reports
    rows = json.loads(ok(one, "conflicts", "--format", "json"))
    fields = [row["field"] for row in rows]
    assert fields == ["risk_register.large_deal_size.contingency"], rows
    code, _, err = gb(one, "resolve", review_id, fields[0], "--value", "\x00")
    assert code == 2 and "control character" in err
    before = len(stored(one, review_id)["history"])
    ok(one, "resolve", review_id, fields[0], "--take", "theirs")
    after = stored(one, review_id)
    assert after["risk_register"]["large_deal_size"]["contingency"] == "Cut scope"
    assert after["risk_register"]["large_deal_size"]["owner"] == "Ana"
    assert len(after["history"]) == before + 1
    ok(one, "export", review_id, "-o", str(one / "plans" / "shared.md"))
    git(one, "add", "-A")
    git(one, "commit", "-qm", "merged")
