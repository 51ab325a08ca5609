"""A workspace a team shares in git (issue: team workspace and portfolio): init, the
marker, canonical files, the merge driver driven by real git over two clones,
conflicts and resolve, hostile merge input, and the portfolio report."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from . import cli_support as cli
from .cli_support import run_gatebook
from .conftest import write

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def gb(home: Path, *args: str) -> tuple[int, str, str]:
    return cli.gb("--home", str(home), *args)


def ok(home: Path, *args: str) -> str:
    return cli.ok("--home", str(home), *args)


def git(where: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="Ana",
        GIT_AUTHOR_EMAIL="ana@example.com",
        GIT_COMMITTER_NAME="Ana",
        GIT_COMMITTER_EMAIL="ana@example.com",
    )
    env.pop("GATEBOOK_HOME", None)
    done = subprocess.run(
        ["git", *args], cwd=where, capture_output=True, text=True, env=env, check=False
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def answers(home: Path, review: str) -> dict[str, Any]:
    return cli.show(review, "--home", str(home))


@pytest.fixture
def team(tmp_path: Path) -> tuple[Path, Path, str]:
    """An origin workspace with one OQR review, and two clones of it, both initialised."""
    origin = tmp_path / "origin"
    ok(origin, "init", "--git")
    git(origin, "checkout", "-q", "-b", "main")
    review = ok(origin, "new", "oqr", "--title", "Shared")
    ok(origin, "set", review, "customer=Acme", "tcv_usd=1M")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "start")
    one, two = tmp_path / "one", tmp_path / "two"
    for clone in (one, two):
        git(tmp_path, "clone", "-q", str(origin), clone.name)
        ok(clone, "init", "--git")  # git config is not cloned: register the driver
    return one, two, review


def pull(into: Path, other: Path) -> subprocess.CompletedProcess[str]:
    return git(into, "pull", "-q", "--no-rebase", "--no-edit", str(other), "main", check=False)


# ---- init and the marker ----------------------------------------------------------------


def test_init_git_writes_the_marker_attributes_ignores_and_the_driver(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    ok(home, "init", "--git")
    ok(home, "init", "--git")  # idempotent
    assert (home / ".gatebook").is_file()
    attributes = (home / ".gitattributes").read_text()
    assert attributes.count("reviews/*.json merge=gatebook") == 1
    assert "engagements/*.json merge=gatebook" in attributes
    ignored = (home / ".gitignore").read_text().splitlines()
    for name in ("index.json", "locks/", "*.gbtmp", "recovery/", "trash/", "settings.json"):
        assert ignored.count(name) == 1
    driver = git(home, "config", "--get", "merge.gatebook.driver").stdout
    assert "merge-file %O %A %B %P" in driver and sys.executable in driver


def test_commands_inside_a_marked_folder_use_it(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    ok(home, "init")
    below = home / "plans" / "deep"
    below.mkdir(parents=True)
    env = dict(os.environ)
    env.pop("GATEBOOK_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "gatebook", "new", "oqr", "--title", "Found"],
        cwd=below, capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert (home / "reviews" / f"{done.stdout.strip()}.json").exists()


def test_review_files_are_canonical_and_an_old_compact_file_keeps_its_digest(
    tmp_path: Path,
) -> None:
    home = tmp_path / "ws"
    review = ok(home, "new", "oqr", "--title", "Canon")
    ok(home, "set", review, "tcv_usd=6M", "regulated_data=pii,phi")
    path = home / "reviews" / f"{review}.json"
    text = path.read_text()
    data = json.loads(text)
    assert text == json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    assert '        "tcv_usd": 6000000\n' in text
    digest = answers(home, review)["digest"]
    path.write_text(json.dumps(data, separators=(",", ":")))  # as older gatebook wrote it
    assert answers(home, review)["digest"] == digest
    ok(home, "set", review, "--note", "tcv_usd=from CRM")
    assert path.read_text().startswith('{\n  "review": {\n')


# ---- merging with real git -------------------------------------------------------------------


def test_different_answers_merge_clean_and_both_are_kept(team: tuple[Path, Path, str]) -> None:
    one, two, review = team
    ok(one, "set", review, "opportunity=Data platform")
    git(one, "commit", "-qam", "one")
    ok(two, "set", review, "total_hours=1200")
    git(two, "commit", "-qam", "two")
    done = pull(one, two)
    assert done.returncode == 0, done.stdout + done.stderr
    merged = answers(one, review)
    assert merged["answers"]["opportunity"] == "Data platform"
    assert merged["answers"]["total_hours"] == 1200
    assert json.loads(ok(one, "conflicts", review, "--format", "json")) == []
    history = json.loads(ok(one, "history", review, "--format", "json"))
    keys = [json.dumps(h, sort_keys=True) for h in history]
    assert len(keys) == len(set(keys))
    ok(one, "undo", review)  # the latest change (by time) is undone, the file stays valid
    assert answers(one, review)["status"] == "draft"


def test_the_same_answer_is_one_conflict_resolve_settles_it(team: tuple[Path, Path, str]) -> None:
    one, two, review = team
    ok(one, "set", review, "tcv_usd=2M")
    git(one, "commit", "-qam", "one")
    ok(two, "set", review, "tcv_usd=3M")
    git(two, "commit", "-qam", "two")
    done = pull(one, two)
    assert done.returncode != 0
    status = git(one, "status", "--porcelain").stdout
    assert f"UU reviews/{review}.json" in status
    text = (one / "reviews" / f"{review}.json").read_text()
    assert "<<<<<<<" not in text and json.loads(text)  # a valid review file, never markers
    conflicts = json.loads(ok(one, "conflicts", "--format", "json"))
    assert conflicts == [
        {"kind": "review", "review": review, "field": "answers.tcv_usd", "base": 1000000,
         "ours": 2000000, "theirs": 3000000, "file": f"reviews/{review}.json"}
    ]  # fmt: skip
    assert answers(one, review)["answers"]["tcv_usd"] == 2000000  # ours kept
    code, _, err = gb(one, "signoff", review, "--role", "reviewer", "--name", "Ana",
                      "--decision", "rejected", "--no-sign")  # fmt: skip
    assert code == 1 and "answers.tcv_usd" in err
    code, _, err = gb(one, "resolve", review, "answers.tcv_usd", "--value", "lots")
    assert code == 2
    ok(one, "resolve", review, "answers.tcv_usd", "--take", "theirs")
    assert answers(one, review)["answers"]["tcv_usd"] == 3000000
    assert json.loads(ok(one, "conflicts", "--format", "json")) == []
    git(one, "add", "-A")
    git(one, "commit", "-qm", "merged")


def test_register_rows_added_on_both_sides_are_both_present(
    team: tuple[Path, Path, str],
) -> None:
    one, two, review = team
    ok(one, "set", review, "tcv_usd=6M")
    ok(one, "risk", review, "large_deal_size", "--owner", "Ana")
    git(one, "commit", "-qam", "one")
    ok(two, "set", review, "production_access=yes")
    ok(two, "risk", review, "production_access", "--owner", "Bo")
    git(two, "commit", "-qam", "two")
    done = pull(one, two)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {r["id"]: r for r in answers(one, review)["risk_register"]}
    assert rows["large_deal_size"]["owner"] == "Ana" and rows["production_access"]["owner"] == "Bo"


def test_a_sign_off_is_voided_by_a_merged_change(team: tuple[Path, Path, str]) -> None:
    one, two, review = team
    ok(one, "signoff", review, "--role", "reviewer", "--name", "Ana", "--decision",
       "rejected", "--no-sign")  # fmt: skip
    git(one, "commit", "-qam", "signed")
    ok(two, "set", review, "opportunity=Changed")
    git(two, "commit", "-qam", "two")
    done = pull(one, two)
    assert done.returncode == 0, done.stdout + done.stderr
    merged = answers(one, review)
    assert merged["status"] == "void" and len(merged["signoffs"]) == 1


@pytest.mark.parametrize("theirs", ["not json", "[]", '{"review": {"1": {"id": 5}}}'])
def test_hostile_merge_input_exits_2_and_leaves_ours(theirs: str, tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review = ok(home, "new", "oqr", "--title", "Ours")
    ours_path = home / "reviews" / f"{review}.json"
    before = ours_path.read_bytes()
    base = write(tmp_path / "base.json", ours_path.read_text())
    bad = write(tmp_path / "theirs.json", theirs)
    done = run_gatebook("merge-file", str(base), str(ours_path), str(bad), "reviews/x.json")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert ours_path.read_bytes() == before


def test_a_milestone_taken_on_both_sides_keeps_both(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    review = ok(home, "new", "oqr", "--title", "M")
    ok(home, "milestone", review, "day-1")
    ours = home / "milestones" / review / "day-1.json"
    ok(home, "set", review, "tcv_usd=9M")
    other = json.loads(ours.read_text())
    from gatebook.milestone.point import digest_of_frozen

    other["note"] = "taken elsewhere"
    other["digest"] = digest_of_frozen(other)
    theirs = write(tmp_path / "theirs.json", json.dumps(other))
    cwd = Path.cwd()
    os.chdir(home)
    try:
        done = run_gatebook("merge-file", str(ours), str(ours), str(theirs),
                            f"milestones/{review}/day-1.json")  # fmt: skip
    finally:
        os.chdir(cwd)
    assert done.returncode == 0, done.stderr
    assert "day-1-2" in done.stderr
    listed = json.loads(ok(home, "milestones", review, "--format", "json"))
    assert {m["name"] for m in listed} == {"day-1", "day-1-2"}


# ---- the portfolio ----------------------------------------------------------------------------


def test_report_figures_match_a_hand_counted_workspace(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    engagement = ok(home, "engagement", "new", "Acme", "--customer", "Acme")
    first = ok(home, "new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    ok(home, "set", first, "tcv_usd=6M", "production_access=yes")  # 2 high flags
    ok(home, "risk", first, "large_deal_size", "--due", "2026-01-10", "--status", "mitigating")
    loose = ok(home, "new", "oqr", "--title", "Loose OQR")
    ok(home, "set", loose, "production_access=yes")  # 1 high flag
    other = tmp_path / "ws2"
    ok(other, "new", "s2d", "--title", "Other handover")
    code, out, err = gb(home, "report", str(home), str(other), "--today", "2026-02-01",
                        "--format", "json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert list(report) == [
        "today", "workspaces", "questionnaire", "totals", "items", "overdue",
        "escalations_awaiting", "flags", "dimensions",
    ]  # fmt: skip
    assert report["totals"] == {"engagements": 1, "loose_reviews": 2, "reviews": 3,
                                "red": 1, "amber": 1, "green": 1,
                                "kpis": {"quality_score": None, "quality_target": 90.0,
                                         "risk_mitigation_pct": 0.0, "csat": None,
                                         "on_time": None, "on_budget": None,
                                         "security_incidents": None}}  # fmt: skip
    assert report["items"][0]["kpis"]["risk_mitigation_pct"] == 0  # 2 rows, none mitigated
    assert report["items"][0]["id"] == engagement and report["items"][0]["rag"] == "red"
    assert report["items"][0]["high"] == 2 and report["items"][0]["overdue"] == 1
    assert [(o["review"], o["row"]) for o in report["overdue"]] == [(first, "large_deal_size")]
    flags = {f["id"]: f["reviews"] for f in report["flags"]}
    assert flags == {"production_access": 2, "large_deal_size": 1, "no_outcomes": 3}  # issue 33
    assert report["flags"][0]["id"] == "no_outcomes"  # three reviews: issue 33's flag
    assert [e["review"] for e in report["escalations_awaiting"]] == [first]
    only = json.loads(ok(home, "report", "--today", "2026-02-01", "--format", "json",
                         "--questionnaire", "pesa"))  # fmt: skip
    assert only["items"] == []
    md = ok(home, "report", str(home), "--today", "2026-02-01", "--format", "md")
    assert md == ok(home, "report", str(home), "--today", "2026-02-01", "--format", "md")
    assert 'pie title "Flags by category"' in md and "| RED | Acme |" in md
