"""A change across many files is all or nothing (issue 31): shared answers and their
undo, `engagement milestone`, `engagement add`/`remove` and the import of a combined
plan go through store/journal.py.

Faults are injected at the OS boundary only: a damaged member file, a file where a
folder must be, an immutable file (`chattr +i`, as root), and real child processes run
under `strace`, which makes the Nth rename of the process fail (EIO) or kills the
process there (SIGKILL) — before any target was replaced (the next command completes
the change) or after one was (the next command rolls it back).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from .cli_support import gb, ok, show

STRACE = shutil.which("strace")


def _strace_works() -> bool:
    if STRACE is None:
        return False
    probe = [STRACE, "-f", "-qq", "-o", os.devnull, "-e", "trace=rename", "true"]
    return subprocess.run(probe, capture_output=True, check=False, timeout=60).returncode == 0


needs_strace = pytest.mark.skipif(not _strace_works(), reason="strace (ptrace) is not available")
RENAMES = "rename,renameat,renameat2"


def traced(fault: str, when: int, *args: str) -> subprocess.CompletedProcess[str]:
    """`gatebook ARGS` in a real child whose `when`-th rename meets `fault` (the first
    rename of a change across files writes journal.json; the next ones replace targets)."""
    assert STRACE is not None
    command = [STRACE, "-f", "-qq", "-o", os.devnull, "-e", f"trace={RENAMES}"]
    command += ["-e", f"inject={RENAMES}:{fault}:when={when}"]
    command += [sys.executable, "-m", "gatebook", *args]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def snapshot(home: Path) -> dict[str, bytes]:
    """Every file that holds data (locks and the index cache left out)."""
    return {
        path.relative_to(home).as_posix(): path.read_bytes()
        for path in sorted(home.rglob("*"))
        if path.is_file()
        and not path.relative_to(home).as_posix().startswith("locks/")
        and path.name != "index.json"
    }


def engagement_with(*questionnaires: str) -> tuple[str, list[str]]:
    engagement = ok("engagement", "new", "Acme platform", "--customer", "Acme")
    members = [
        ok("new", q, "--title", f"Acme {q}", "--engagement", engagement) for q in questionnaires
    ]
    return engagement, members


def shared(engagement: str) -> dict[str, Any]:
    data = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    result: dict[str, Any] = data["shared"]
    return result


def answer(review: str, key: str) -> Any:
    return show(review)["answers"].get(key)


@contextmanager
def immutable(path: Path) -> Iterator[None]:
    """`chattr +i`: not even root may replace the file (its folder stays writable)."""
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=False)


# ---- undo: the engagement's copy equals the origin's value ---------------------------------


def test_undo_in_the_pesa_sets_every_copy_back(isolated_home: Path, tmp_path: Path) -> None:
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    ok("set", oqr, "regulated_data=pii", "total_hours=1200")
    ok("set", pesa, "regulated_data=pci", "total_hours=4321")
    assert shared(engagement)["regulated_data"] == ["pci"] and answer(oqr, "total_hours") == 4321
    for _ in range(2):  # the two answers, one undo each
        code, out, _ = gb("undo", pesa)
        assert code == 0 and "undid answer" in out
    for review in (oqr, pesa):
        assert answer(review, "regulated_data") == ["pii"]
        assert answer(review, "total_hours") == 1200
    assert shared(engagement)["regulated_data"] == ["pii"]
    assert shared(engagement)["total_hours"] == 1200
    plan = tmp_path / "acme.md"
    ok("engagement", "plan", engagement, "-o", str(plan))
    assert gb("verify", str(plan))[0] == 0
    text = plan.read_text(encoding="utf-8")
    assert "4321" not in text and "4,321" not in text


def test_undo_where_a_signed_member_kept_its_value(isolated_home: Path) -> None:
    """The issue's case: the OQR (signed) keeps its value, the PESA's own change is undone;
    the engagement's copy follows the PESA back, not the value it had last written."""
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    ok("set", oqr, "regulated_data=pii")
    for role in ("engagement_lead", "reviewer"):
        ok("signoff", oqr, "--role", role, "--name", "Ana", "--decision", "approved",
           "--override", "test")  # fmt: skip
    code, _, err = gb("set", pesa, "regulated_data=phi")
    assert code == 0 and "kept its value" in err
    assert shared(engagement)["regulated_data"] == ["phi"]
    ok("undo", pesa)
    assert answer(pesa, "regulated_data") == ["pii"] == answer(oqr, "regulated_data")
    assert shared(engagement)["regulated_data"] == ["pii"]


async def test_ctrl_z_in_the_app_sets_the_engagement_copy_back(isolated_home: Path) -> None:
    """The issue's case in the app: the PESA's ctrl+z (the signed OQR kept its value)."""
    from gatebook.tui.screens.review import ReviewScreen

    from .test_tui_engagement import settle
    from .tui_support import deterministic_app

    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    ok("set", oqr, "regulated_data=pii")
    for role in ("engagement_lead", "reviewer"):
        ok("signoff", oqr, "--role", role, "--name", "Ana", "--decision", "approved",
           "--override", "test")  # fmt: skip
    app = deterministic_app(isolated_home, offer_demo=False)
    app.store.set_position(pesa, "regulated_data")
    app.open_review_id = pesa
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        screen.session.answer("regulated_data", ["phi"])  # what the field calls on a key
        assert screen.session.flush()
        assert shared(engagement)["regulated_data"] == ["phi"]
        await pilot.press("ctrl+z")
        await pilot.pause()
    assert answer(pesa, "regulated_data") == ["pii"] == answer(oqr, "regulated_data")
    assert shared(engagement)["regulated_data"] == ["pii"]


# ---- every file, or none: real faults ----------------------------------------------------


async def test_the_app_shows_a_shared_answer_that_cannot_reach_a_member_at_once(
    isolated_home: Path,
) -> None:
    from gatebook.tui.screens.review import ReviewScreen

    from .test_tui_engagement import settle
    from .tui_support import deterministic_app

    _engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    member = isolated_home / "reviews" / f"{pesa}.json"
    member.write_bytes(b"{")  # damaged on disk
    app = deterministic_app(isolated_home, offer_demo=False)
    app.store.set_position(oqr, "total_hours")
    app.open_review_id = oqr
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, ReviewScreen))
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press(*"1200")
        assert not screen.session.flush()
        await settle(pilot, lambda: screen.saved_text.startswith("NOT SAVED"))
        assert str(member) in screen.saved_text
        assert screen.session.has_unsaved  # kept, ctrl+s retries
    assert answer(oqr, "total_hours") is None  # nothing anywhere
    assert member.read_bytes() == b"{"


def test_a_shared_answer_that_cannot_reach_a_damaged_member(isolated_home: Path) -> None:
    _engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    member = isolated_home / "reviews" / f"{pesa}.json"
    member.write_bytes(member.read_bytes()[:40])  # truncated on disk
    before = snapshot(isolated_home)
    code, _, err = gb("set", oqr, "regulated_data=pii")
    assert code == 1 and str(member) in err and "not written in any review" in err
    assert snapshot(isolated_home) == before
    assert answer(oqr, "regulated_data") is None


def test_a_shared_answer_that_cannot_replace_an_immutable_member(isolated_home: Path) -> None:
    _engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    member = isolated_home / "reviews" / f"{pesa}.json"
    before = snapshot(isolated_home)
    with immutable(member):
        code, _, err = gb("set", oqr, "regulated_data=pii")
    assert code == 1 and f"reviews/{pesa}.json" in err and "nothing was changed" in err
    assert snapshot(isolated_home) == before
    assert not (isolated_home / "journal.json").exists()


def test_a_shared_answer_that_cannot_reach_a_read_only_member(isolated_home: Path) -> None:
    _engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    member = isolated_home / "reviews" / f"{pesa}.json"
    member.chmod(0o444)  # the OS lets root replace it; gatebook does not
    before = snapshot(isolated_home)
    code, _, err = gb("set", oqr, "regulated_data=pii")
    assert code == 1 and f"reviews/{pesa}.json" in err and "read-only" in err
    assert "nothing was changed" in err and snapshot(isolated_home) == before
    member.chmod(0o600)
    ok("set", oqr, "regulated_data=pii")
    assert answer(pesa, "regulated_data") == ["pii"]


@needs_strace
@pytest.mark.parametrize("failing", [2, 3, 4])
def test_a_shared_answer_whose_nth_replace_fails(isolated_home: Path, failing: int) -> None:
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    before = snapshot(isolated_home)
    done = traced("error=EIO", failing, "set", oqr, "regulated_data=pii")
    assert done.returncode == 1, done.stderr
    assert "nothing was changed" in done.stderr and "Traceback" not in done.stderr
    assert any(f"{name}.json" in done.stderr for name in (oqr, pesa, engagement))
    assert snapshot(isolated_home) == before


@needs_strace
def test_undo_of_a_shared_answer_is_all_or_nothing(isolated_home: Path) -> None:
    _engagement, (oqr, _pesa) = engagement_with("oqr", "pesa")
    ok("set", oqr, "regulated_data=pii")
    before = snapshot(isolated_home)
    done = traced("error=EIO", 3, "undo", oqr)
    assert done.returncode == 1 and "nothing was changed" in done.stderr, done.stderr
    assert snapshot(isolated_home) == before


def test_an_engagement_milestone_where_a_later_member_fails(isolated_home: Path) -> None:
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    (isolated_home / "milestones").mkdir()
    (isolated_home / "milestones" / pesa).write_text("a file where its folder must be")
    before = snapshot(isolated_home)
    code, _, err = gb("engagement", "milestone", engagement, "sow-signed")
    assert code == 1 and f"milestones/{pesa}/sow-signed.json" in err
    assert snapshot(isolated_home) == before
    assert not (isolated_home / "milestones" / oqr).exists() or not any(
        (isolated_home / "milestones" / oqr).iterdir()
    )


@needs_strace
def test_an_engagement_milestone_whose_second_replace_fails(isolated_home: Path) -> None:
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    done = traced("error=EIO", 3, "engagement", "milestone", engagement, "sow-signed")
    assert done.returncode == 1 and "nothing was changed" in done.stderr, done.stderr
    for review in (oqr, pesa):
        assert not (isolated_home / "milestones" / review / "sow-signed.json").exists()
    ok("engagement", "milestone", engagement, "sow-signed")  # then it goes through whole
    for review in (oqr, pesa):
        assert (
            isolated_home / "milestones" / review / "sow-signed.json"
        ).stat().st_mode & 0o222 == 0


@needs_strace
def test_engagement_add_and_remove_fail_whole(isolated_home: Path) -> None:
    engagement = ok("engagement", "new", "Acme")
    review = ok("new", "oqr", "--title", "Loose")
    done = traced("error=EIO", 1, "engagement", "add", engagement, review)
    assert done.returncode == 1 and f"engagements/{engagement}.json" in done.stderr
    assert (
        shared(engagement) is not None
        and review
        not in json.loads(ok("engagement", "show", engagement, "--format", "json"))["reviews"]
    )
    ok("engagement", "add", engagement, review)
    done = traced("error=EIO", 1, "engagement", "remove", engagement, review)
    assert done.returncode == 1 and "nothing was changed" in done.stderr
    ids = [
        r["id"]
        for r in json.loads(ok("engagement", "show", engagement, "--format", "json"))["reviews"]
    ]
    assert ids == [review]


@needs_strace
def test_importing_a_combined_plan_is_all_or_nothing(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engagement, members = engagement_with("oqr", "pesa")
    ok("set", members[0], "tcv_usd=2M")
    plan = tmp_path / "acme.md"
    ok("engagement", "plan", engagement, "-o", str(plan))
    other = tmp_path / "other"
    monkeypatch.setenv("GATEBOOK_HOME", str(other))
    ok("list")
    before = snapshot(other)
    done = traced("error=EIO", 3, "import", str(plan))
    assert done.returncode == 1 and "nothing was changed" in done.stderr, done.stderr
    assert snapshot(other) == before
    assert ok("import", str(plan)) == engagement
    assert sorted(p.stem for p in (other / "reviews").glob("*.json")) == sorted(members)


@needs_strace
def test_a_new_member_is_one_change(isolated_home: Path, tmp_path: Path) -> None:
    """`new --engagement`: the review, its place in the engagement and the shared answers
    its answers file pushes to the other members, together or not at all."""
    engagement, (oqr,) = engagement_with("oqr")
    answers = tmp_path / "pesa.yaml"
    answers.write_text("regulated_data: [phi]\n")
    before = snapshot(isolated_home)
    args = ("new", "pesa", "--title", "PESA", "--engagement", engagement, "--answers", str(answers))
    done = traced("error=EIO", 3, *args)
    assert done.returncode == 1 and "nothing was changed" in done.stderr, done.stderr
    assert snapshot(isolated_home) == before
    pesa = ok(*args)
    assert answer(oqr, "regulated_data") == ["phi"] == shared(engagement)["regulated_data"]
    assert pesa in [
        r["id"]
        for r in json.loads(ok("engagement", "show", engagement, "--format", "json"))["reviews"]
    ]


CHILD = """
import sys
from pathlib import Path
from gatebook.engagement.members import undo, write_changes
from gatebook.questionnaire.catalog import Catalog
from gatebook.store import Change, ChangeKind
from gatebook.workspace import open_store

home, review, key = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
store = open_store(home, Catalog([home / "questionnaires"]))
questionnaire = store.questionnaire_for(store.get(review))
for number in range(1, 16):
    write_changes(store, review, [Change(ChangeKind.ANSWER, key, number * 100)], questionnaire)
    if number % 5 == 0:
        undo(store, review)
        write_changes(store, review, [Change(ChangeKind.ANSWER, key, number * 100)], questionnaire)
"""


def test_two_processes_sharing_answers_at_once_lose_nothing(isolated_home: Path) -> None:
    """Locks in path order: two writers of shared answers never deadlock, and every
    copy ends equal (the last value each wrote)."""
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(isolated_home), review, key])
        for review, key in ((oqr, "total_hours"), (pesa, "security_hours"))
    ]
    assert [child.wait(timeout=300) for child in children] == [0, 0]
    for key in ("total_hours", "security_hours"):
        assert answer(oqr, key) == answer(pesa, key) == shared(engagement)[key] == 1500
    assert not (isolated_home / "journal.json").exists()


# ---- a crash between the journal and its commit --------------------------------------------


@needs_strace
def test_a_crash_before_any_target_was_replaced_is_completed(isolated_home: Path) -> None:
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    done = traced("signal=KILL", 2, "set", oqr, "regulated_data=pii")
    assert done.returncode != 0
    assert (isolated_home / "journal.json").exists()  # killed between journal and commit
    code, _, err = gb("new", "oqr", "--title", "Another")  # any write command
    assert code == 0 and "journal.json: completed an interrupted change" in err
    assert f"reviews/{pesa}.json" in err and f"engagements/{engagement}.json" in err
    assert answer(oqr, "regulated_data") == ["pii"] == answer(pesa, "regulated_data")
    assert shared(engagement)["regulated_data"] == ["pii"]
    assert not (isolated_home / "journal.json").exists()
    assert not list(isolated_home.rglob("*.gbjournal"))


@needs_strace
def test_a_crash_after_a_target_was_replaced_is_rolled_back(isolated_home: Path) -> None:
    _engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    before = snapshot(isolated_home)
    done = traced("signal=KILL", 3, "set", oqr, "regulated_data=pii")
    assert done.returncode != 0 and (isolated_home / "journal.json").exists()
    assert snapshot(isolated_home) != before  # half a change is on disk
    code, _, err = gb("engagement", "new", "Other")  # a write command
    assert code == 0 and "journal.json: rolled back an interrupted change" in err
    after = snapshot(isolated_home)
    assert {name: after.get(name) for name in before} == before
    assert answer(oqr, "regulated_data") is None and answer(pesa, "regulated_data") is None


@needs_strace
@pytest.mark.parametrize(("killed_at", "completed"), [(2, True), (3, False)])
def test_a_crash_in_an_engagement_milestone_is_settled_both_ways(
    isolated_home: Path, killed_at: int, completed: bool
) -> None:
    engagement, members = engagement_with("oqr", "pesa")
    done = traced("signal=KILL", killed_at, "engagement", "milestone", engagement, "sow")
    assert done.returncode != 0 and (isolated_home / "journal.json").exists()
    code, _, err = gb("milestone", members[0], "other")  # a write command
    assert code == 0 and ("completed" if completed else "rolled back") in err
    for review in members:
        assert (isolated_home / "milestones" / review / "sow.json").exists() is completed
    if completed:
        for review in members:
            assert "sow" in ok("milestones", review)
    assert not list(isolated_home.rglob("*.gbjournal"))


@needs_strace
def test_read_only_commands_only_warn(isolated_home: Path, tmp_path: Path) -> None:
    engagement, (oqr, _) = engagement_with("oqr", "pesa")
    done = traced("signal=KILL", 3, "set", oqr, "regulated_data=pii")
    assert done.returncode != 0
    half = snapshot(isolated_home)
    for args in (
        ("list",),
        ("show", oqr),
        ("history", oqr),
        ("engagement", "show", engagement),
        ("engagement", "list"),
        ("report",),
    ):
        code, _, err = gb(*args)
        assert "warning: journal.json: an interrupted change" in err, args
        assert code in (0, 1), args  # report exits 1 on red; the warning is what counts
        assert snapshot(isolated_home) == half, args


@needs_strace
def test_a_crash_before_the_journal_leaves_nothing_seen(isolated_home: Path) -> None:
    engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    before = snapshot(isolated_home)
    done = traced("signal=KILL", 1, "set", oqr, "regulated_data=pii")  # journal.json's rename
    assert done.returncode != 0 and not (isolated_home / "journal.json").exists()
    assert list(isolated_home.rglob("*.gbjournal"))  # staged copies left behind
    assert sorted(r["id"] for r in json.loads(ok("list", "--format", "json"))) == sorted(
        [oqr, pesa]
    )
    assert {k: v for k, v in snapshot(isolated_home).items() if ".gbjournal" not in k and
            "gbtmp" not in k} == before  # fmt: skip
    ok("set", oqr, "regulated_data=phi")  # the next change sweeps the leftovers
    assert not list((isolated_home / "reviews").glob("*.gbjournal"))
    assert shared(engagement)["regulated_data"] == ["phi"]


@needs_strace
async def test_the_app_settles_a_journal_at_start(isolated_home: Path) -> None:
    from .tui_support import deterministic_app

    _engagement, (oqr, pesa) = engagement_with("oqr", "pesa")
    done = traced("signal=KILL", 2, "set", oqr, "regulated_data=pii")
    assert done.returncode != 0 and (isolated_home / "journal.json").exists()
    app = deterministic_app(isolated_home, offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = [n.message for n in app._notifications]
        assert any("completed an interrupted change" in m for m in shown), shown
    assert not (isolated_home / "journal.json").exists()
    assert answer(pesa, "regulated_data") == ["pii"]


# ---- a journal is a file like any other ----------------------------------------------------


def hostile_journal(home: Path, target: str, **sides: Any) -> None:
    entry = {"path": target, "new": ".x.json.1.0123abcd.new.gbjournal", "backup": None,
             "sha256": "0" * 64, **sides}  # fmt: skip
    (home / "journal.json").write_text(json.dumps({"gatebook_journal": 1, "targets": [entry]}))


@pytest.mark.parametrize(
    "target",
    ["../outside.json", "/etc/passwd", "index.json", "reviews/../../x.json", "reviews/a/b.json"],
)
def test_a_journal_naming_a_file_outside_the_workspace_is_refused(
    isolated_home: Path, tmp_path: Path, target: str
) -> None:
    review = ok("new", "oqr", "--title", "Acme")
    hostile_journal(isolated_home, target)
    before = snapshot(isolated_home)
    code, _, err = gb("set", review, "customer=x")
    assert code == 1 and "journal.json cannot be followed" in err and "nothing was changed" in err
    assert snapshot(isolated_home) == before
    code, _, err = gb("list")
    assert code == 0 and "warning:" in err and "cannot be followed" in err


def test_a_journal_whose_copies_are_named_elsewhere_is_refused(isolated_home: Path) -> None:
    review = ok("new", "oqr", "--title", "Acme")
    victim = isolated_home.parent / "victim.json"
    victim.write_text("keep me")
    target = f"reviews/{review}.json"
    for sides in (
        {"new": "../../victim.json"},
        {"new": f".{review}.json.1.0123abcd.new.gbjournal", "backup": "../../victim.json"},
    ):
        hostile_journal(isolated_home, target, **sides)
        before = snapshot(isolated_home)
        code, _, err = gb("set", review, "customer=x")
        assert code == 1 and "cannot be followed" in err
        assert snapshot(isolated_home) == before and victim.read_text() == "keep me"


def test_a_backup_that_is_a_symlink_is_never_followed(isolated_home: Path) -> None:
    review = ok("new", "oqr", "--title", "Acme")
    outside = isolated_home.parent / "secret.json"
    outside.write_text("secret")
    backup = f".{review}.json.1.0123abcd.old.gbjournal"
    (isolated_home / "reviews" / backup).symlink_to(outside)
    hostile_journal(
        isolated_home, f"reviews/{review}.json", new=f".{review}.json.1.0123abcd.new.gbjournal",
        backup=backup,
    )  # fmt: skip
    before = (isolated_home / "reviews" / f"{review}.json").read_bytes()
    code, _, err = gb("set", review, "customer=x")
    assert code == 1 and "not a regular file" in err
    assert (isolated_home / "reviews" / f"{review}.json").read_bytes() == before


async def test_the_app_shows_a_journal_it_cannot_follow_at_start(isolated_home: Path) -> None:
    from .tui_support import deterministic_app

    review = ok("new", "oqr", "--title", "Acme")
    hostile_journal(isolated_home, "../outside.json")
    before = snapshot(isolated_home)
    app = deterministic_app(isolated_home, offer_demo=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        shown = [(n.message, n.severity) for n in app._notifications]
        assert any("cannot be followed" in m and s == "error" for m, s in shown), shown
    assert snapshot(isolated_home) == before and review


def test_init_git_ignores_the_journal(isolated_home: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    ok("init", "--git")
    ignored = (isolated_home / ".gitignore").read_text().splitlines()
    assert "journal.json" in ignored and "*.gbjournal" in ignored


@pytest.mark.parametrize("staged", [True, False])
def test_a_journal_that_does_not_describe_its_target_is_never_followed(
    isolated_home: Path, staged: bool
) -> None:
    """A journal.json and side files a hostile branch committed (git checks them out
    whatever .gitignore says), or copied from another workspace: the target holds work
    that is neither its backup nor the new copy, so completing or rolling back would
    overwrite it. Staged: every new copy there (it would complete); else a roll back."""
    review = ok("new", "oqr", "--title", "Acme")
    ok("set", review, "customer=Our local work")
    path = isolated_home / "reviews" / f"{review}.json"
    theirs = json.loads(path.read_text())
    theirs["review"]["1"]["answers"] = {"customer": "Theirs"}
    data = json.dumps(theirs).encode()
    new, old = (f".{review}.json.1.0123abcd.{side}.gbjournal" for side in ("new", "old"))
    if staged:
        (path.parent / new).write_bytes(data)
    (path.parent / old).write_bytes(data)
    hostile_journal(
        isolated_home, f"reviews/{review}.json", new=new, backup=old,
        sha256=hashlib.sha256(data).hexdigest(),
    )  # fmt: skip
    before = snapshot(isolated_home)
    code, _, err = gb("engagement", "new", "Other")  # a write command
    assert code == 1 and "journal.json cannot be followed" in err, err
    assert f"reviews/{review}.json" in err and "changed since" in err
    assert snapshot(isolated_home) == before
    assert answer(review, "customer") == "Our local work"
    code, _, err = gb("list")
    assert code == 0 and "cannot be followed" in err
