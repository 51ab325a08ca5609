"""Merges between laptops with real git (issue 31): a bare repository and two clones,
the driver registered by `gatebook init --git` in each. A conflict settled on one
laptop stays settled, engagement files record their conflicts, a milestone both
laptops took keeps both, risks both laptops added by hand are both kept."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from .test_team import gb, git, ok

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

Laptops = tuple[Path, Path, str]


@pytest.fixture
def laptops(tmp_path: Path) -> Laptops:
    """A bare repository holding a workspace with one OQR review; two clones of it."""
    bare = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    one, two = tmp_path / "one", tmp_path / "two"
    git(tmp_path, "clone", "-q", str(bare), one.name)
    git(one, "checkout", "-q", "-b", "main")
    ok(one, "init", "--git")
    review = ok(one, "new", "oqr", "--title", "Shared")
    ok(one, "set", review, "customer=Acme", "tcv_usd=1M")
    commit_push(one, "start")
    git(tmp_path, "clone", "-q", "-b", "main", str(bare), two.name)
    ok(two, "init", "--git")  # git config is not cloned: register the driver
    return one, two, review


def commit_push(where: Path, message: str) -> None:
    git(where, "add", "-A")
    git(where, "commit", "-qm", message)
    git(where, "push", "-q", "origin", "HEAD:main")


def pull(where: Path) -> Any:
    return git(where, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", check=False)


def conflicts(home: Path, review: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(ok(home, "conflicts", review, "--format", "json"))
    return data


def test_a_conflict_settled_on_one_laptop_stays_settled(laptops: Laptops) -> None:
    one, two, review = laptops
    ok(one, "set", review, "tcv_usd=2M")
    commit_push(one, "one: 2M")
    ok(two, "set", review, "tcv_usd=3M")
    git(two, "commit", "-qam", "two: 3M")
    done = pull(two)
    assert done.returncode != 0  # conflicted: recorded in the review
    assert [c["field"] for c in conflicts(two, review)] == ["answers.tcv_usd"]
    commit_push(two, "merged with the conflict open")
    assert pull(one).returncode == 0  # fast-forward: one has the conflict too
    ok(one, "resolve", review, "answers.tcv_usd", "--take", "theirs")
    commit_push(one, "one settles it")
    ok(two, "set", review, "opportunity=Platform")  # two goes on, conflict still open
    git(two, "commit", "-qam", "two goes on")
    done = pull(two)
    assert done.returncode == 0, done.stdout + done.stderr
    assert conflicts(two, review) == []
    shown = json.loads(ok(two, "show", review, "--format", "json"))
    assert shown["answers"]["tcv_usd"] == 2000000  # the settled value, not the stale one
    assert shown["answers"]["opportunity"] == "Platform"


def test_an_engagement_records_its_conflicts_in_its_file(laptops: Laptops) -> None:
    one, two, review = laptops
    engagement = ok(one, "engagement", "new", "Acme platform", "--customer", "Acme")
    ok(one, "engagement", "add", engagement, review)
    commit_push(one, "engagement")
    assert pull(two).returncode == 0
    path = f"engagements/{engagement}.json"
    for home, title in ((one, "Acme data platform"), (two, "Acme lakehouse")):
        data = json.loads((home / path).read_text())
        data["title"] = title
        (home / path).write_text(json.dumps(data))
    commit_push(one, "one renames")
    git(two, "commit", "-qam", "two renames")
    done = pull(two)
    assert done.returncode != 0
    assert f"gatebook resolve {engagement} title --take ours|theirs|base" in done.stderr
    data = json.loads((two / path).read_text())
    assert data["schema_version"] == 2 and data["title"] == "Acme lakehouse"
    assert data["conflicts"] == [
        {"field": "title", "base": "Acme platform", "ours": "Acme lakehouse",
         "theirs": "Acme data platform"}
    ]  # fmt: skip
    code, plan, err = gb(two, "engagement", "plan", engagement)
    assert code == 0, err
    assert "Acme lakehouse" in plan and "Acme data platform" not in plan
    assert '"conflicts"' not in plan and "Acme platform" not in plan


def test_a_milestone_both_laptops_took_keeps_both(laptops: Laptops) -> None:
    one, two, review = laptops
    ok(one, "milestone", review, "kickoff", "--note", "one")
    commit_push(one, "one's kickoff")
    ok(two, "set", review, "opportunity=Other")
    ok(two, "milestone", review, "kickoff", "--note", "two")
    git(two, "add", "-A")
    git(two, "commit", "-qm", "two's kickoff")
    done = pull(two)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = two / "milestones" / review
    assert sorted(p.name for p in folder.iterdir()) == ["kickoff-2.json", "kickoff.json"]
    listed = json.loads(ok(two, "milestones", review, "--format", "json"))
    assert {(m["name"], m["note"]) for m in listed} == {("kickoff", "two"), ("kickoff-2", "one")}


def test_risks_both_laptops_added_by_hand_are_both_kept(laptops: Laptops) -> None:
    one, two, review = laptops
    first = ok(one, "risk", review, "--add", "Architect may leave", "--severity", "high")
    ok(one, "risk", review, first, "--mitigation", "Pair a second architect")
    commit_push(one, "one's risk")
    second = ok(two, "risk", review, "--add", "Budget may be cut", "--severity", "high")
    git(two, "commit", "-qam", "two's risk")
    pull(two)
    shown = json.loads(ok(two, "show", review, "--format", "json"))
    rows = {r["id"]: r for r in shown["risk_register"]}
    if first != second:  # ids no laptop shares: two rows, each with its own fields
        assert rows[first]["title"] == "Architect may leave"
        assert rows[second]["title"] == "Budget may be cut"
        assert not rows[second].get("mitigation")
    else:  # one id from before random ids: a conflict on the row, never a silent mix
        assert rows[second]["title"] == "Budget may be cut"
        assert not rows[second].get("mitigation")
        fields = {c["field"]: c for c in conflicts(two, review)}
        assert fields[f"risk_register.{first}"]["theirs"]["title"] == "Architect may leave"
        assert fields[f"mitigations.{first}"]["theirs"] == "Pair a second architect"


def test_a_milestone_folder_committed_as_a_link_is_never_written_through(
    laptops: Laptops, tmp_path: Path
) -> None:
    """A branch commits `milestones/REVIEW` as a symbolic link out of the work tree:
    taking a milestone there writes nothing outside, and listing names the link."""
    one, two, review = laptops
    outside = tmp_path / "outside"
    outside.mkdir()
    (one / "milestones").mkdir(exist_ok=True)
    (one / "milestones" / review).symlink_to(Path("..") / ".." / "outside")
    commit_push(one, "a link where a milestone folder goes")
    assert pull(two).returncode == 0
    assert (two / "milestones" / review).is_symlink()
    code, _, err = gb(two, "milestone", review, "kickoff")
    assert code == 1 and "symbolic link" in err, err
    assert list(outside.iterdir()) == []
    code, _, err = gb(two, "milestones", review)
    assert code == 0 and "symbolic link" in err, err


def test_settling_a_shared_fact_settles_it_in_every_member(laptops: Laptops) -> None:
    """Both laptops changed a shared answer: the engagement and each member record the
    conflict; settling the engagement's writes the value in every member sharing it and
    settles theirs, so `engagement show`, the members and the combined plan agree."""
    one, two, review = laptops
    engagement = ok(one, "engagement", "new", "Acme platform", "--customer", "Acme")
    ok(one, "engagement", "add", engagement, review)
    pesa = ok(one, "new", "pesa", "--title", "Security", "--engagement", engagement)
    ok(one, "set", review, "regulated_data=pii")
    commit_push(one, "engagement")
    assert pull(two).returncode == 0
    ok(one, "set", review, "regulated_data=phi")
    commit_push(one, "one: phi")
    ok(two, "set", pesa, "regulated_data=pci")
    git(two, "commit", "-qam", "two: pci")
    assert pull(two).returncode != 0
    fields = {
        (c["review"], c["field"]) for c in json.loads(ok(two, "conflicts", "--format", "json"))
    }
    assert {(engagement, "shared.regulated_data"), (pesa, "answers.regulated_data")} <= fields
    ok(two, "resolve", engagement, "shared.regulated_data", "--take", "theirs")
    assert json.loads(ok(two, "conflicts", "--format", "json")) == []
    for member in (review, pesa):
        shown = json.loads(ok(two, "show", member, "--format", "json"))
        assert shown["answers"]["regulated_data"] == ["phi"], member
    shared = json.loads((two / "engagements" / f"{engagement}.json").read_text())["shared"]
    assert shared["regulated_data"] == ["phi"]
    plan = ok(two, "engagement", "plan", engagement)
    assert "(`regulated_data`) | PHI (health data) |" in plan


@pytest.mark.parametrize("take", ["ours", "theirs"])
def test_a_settled_conflict_stays_settled_in_a_criss_cross_merge(
    take: str, laptops: Laptops
) -> None:
    """Both laptops merged each other's conflicting change (each recorded the conflict);
    one settles it; merging the other's merge again keeps the settled value: git's
    virtual BASE is a merge that kept one side, never a decision."""
    one, two, review = laptops
    ok(one, "set", review, "tcv_usd=2M")
    git(one, "commit", "-qam", "one: 2M")
    first = git(one, "rev-parse", "HEAD").stdout.strip()
    ok(two, "set", review, "tcv_usd=3M")
    git(two, "commit", "-qam", "two: 3M")
    git(two, "push", "-q", "origin", "HEAD:refs/heads/two")
    git(one, "fetch", "-q", "origin")
    assert git(one, "merge", "-q", "--no-edit", "origin/two", check=False).returncode != 0
    commit_push(one, "one merges two's")
    git(two, "fetch", "-q", "origin", first)
    assert git(two, "merge", "-q", "--no-edit", first, check=False).returncode != 0
    git(two, "commit", "-qam", "two merges one's")
    git(two, "push", "-q", "origin", "HEAD:refs/heads/two")
    ok(one, "resolve", review, "answers.tcv_usd", "--take", take)
    settled = json.loads(ok(one, "show", review, "--format", "json"))["answers"]["tcv_usd"]
    git(one, "commit", "-qam", "one settles it")
    git(one, "fetch", "-q", "origin")
    done = git(one, "merge", "-q", "--no-edit", "origin/two", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert conflicts(one, review) == []
    shown = json.loads(ok(one, "show", review, "--format", "json"))
    assert shown["answers"]["tcv_usd"] == settled


def test_a_value_typed_over_an_open_conflict_settles_it(laptops: Laptops) -> None:
    """After the merge the user types a third value: that is the decision. The conflict
    is gone, so `resolve --take ours` can never put the merge's stale ours over it."""
    one, two, review = laptops
    ok(one, "set", review, "tcv_usd=2M")
    commit_push(one, "one: 2M")
    ok(two, "set", review, "tcv_usd=3M")
    git(two, "commit", "-qam", "two: 3M")
    assert pull(two).returncode != 0
    ok(two, "set", review, "tcv_usd=5M", "--note", "customer=checked")
    assert conflicts(two, review) == []
    code, _, err = gb(two, "resolve", review, "answers.tcv_usd", "--take", "ours")
    assert code == 2 and "not a conflict" in err
    assert json.loads(ok(two, "show", review, "--format", "json"))["answers"]["tcv_usd"] == 5000000


def test_theirs_milestone_kept_beside_ours_takes_a_name_free_on_both_sides(
    laptops: Laptops,
) -> None:
    """One laptop took `kickoff` and `kickoff-2`, the other `kickoff`: theirs `kickoff`
    is kept as `kickoff-3` (its `kickoff-2` arrives with the merge), never as a file
    the merge then refuses to overwrite."""
    one, two, review = laptops
    ok(one, "milestone", review, "kickoff", "--note", "one-a")
    ok(one, "milestone", review, "kickoff-2", "--note", "one-b")
    commit_push(one, "one's kickoff and kickoff-2")
    ok(two, "milestone", review, "kickoff", "--note", "two-a")
    git(two, "add", "-A")
    git(two, "commit", "-qm", "two's kickoff")
    done = pull(two)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = json.loads(ok(two, "milestones", review, "--format", "json"))
    assert {(m["name"], m["note"]) for m in listed} == {
        ("kickoff", "two-a"), ("kickoff-2", "one-b"), ("kickoff-3", "one-a")
    }  # fmt: skip


@pytest.mark.parametrize("folder", ["trash", "engagements", "milestones"])
def test_a_workspace_folder_committed_as_a_link_is_never_written_through(
    folder: str, laptops: Laptops, tmp_path: Path
) -> None:
    """A branch force-adds a workspace folder as a symbolic link out of the work tree
    (`trash/` is ignored, not untracked-proof): a command that would write there is
    refused, naming the link, and nothing is written outside."""
    one, two, review = laptops
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(one / folder, ignore_errors=True)
    (one / folder).symlink_to(Path("..") / "outside")
    git(one, "add", "-f", folder)
    commit_push(one, f"{folder} is a link")
    assert pull(two).returncode == 0
    assert (two / folder).is_symlink()
    command = {
        "trash": ["delete", review],
        "engagements": ["engagement", "new", "Acme"],
        "milestones": ["milestone", review, "kickoff"],
    }[folder]
    code, _, err = gb(two, *command)
    assert code == 1 and f"{folder} is a symbolic link committed to git" in err, err
    assert list(outside.iterdir()) == []


def test_a_rebase_keeps_theirs_milestone_under_a_name_its_commit_leaves_free(
    laptops: Laptops,
) -> None:
    """In a rebase the commit replayed is theirs: its own `kickoff-2` arrives after the
    driver ran, so theirs `kickoff` is kept as `kickoff-3` and the rebase goes on."""
    one, two, review = laptops
    ok(one, "milestone", review, "kickoff", "--note", "one-a")
    commit_push(one, "one's kickoff")
    ok(two, "milestone", review, "kickoff", "--note", "two-a")
    ok(two, "milestone", review, "kickoff-2", "--note", "two-b")
    git(two, "add", "-A")
    git(two, "commit", "-qm", "two's kickoff and kickoff-2")
    done = git(two, "pull", "-q", "--rebase", "origin", "main", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = json.loads(ok(two, "milestones", review, "--format", "json"))
    assert {(m["name"], m["note"]) for m in listed} == {
        ("kickoff", "one-a"), ("kickoff-2", "two-b"), ("kickoff-3", "two-a")
    }  # fmt: skip
