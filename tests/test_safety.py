"""Nothing lost, nothing crashes: the store and the CLI under faults and hostile files.

Faults are injected at the OS boundary (`os.replace`, `os.write`, `os.mkdir`
raising OSError) or made real (symlinks, files where folders belong, a second
process); never by replacing gatebook's own code.
"""

from __future__ import annotations

import errno
import json
import os
import pty
import select
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from filelock import FileLock

from gatebook.cli import main
from gatebook.questionnaire import Questionnaire
from gatebook.questionnaire.catalog import Catalog
from gatebook.store import ReviewStore

from .cli_support import run_gatebook
from .conftest import write

CHILD = Path(__file__).parent / "store_child.py"


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def make_store(home: Path) -> ReviewStore:
    catalog = Catalog()
    return ReviewStore(home, lambda review: catalog.resolve(review.questionnaire))


def new_review(title: str = "Acme", *answers: str) -> str:
    result = cli("new", "oqr", "--title", title)
    assert result.exit_code == 0, result.output
    review_id = result.stdout.strip()
    if answers:
        assert cli("set", review_id, *answers).exit_code == 0
    return review_id


def review_file(home: Path, review_id: str) -> Path:
    return home / "reviews" / f"{review_id}.json"


def files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "locks" not in p.parts and p.name != "index.json"
    }


def failing(error: int, real: Callable[..., Any]) -> Callable[..., Any]:
    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(error, os.strerror(error))

    return fail


# ---- one review, one file ---------------------------------------------------------


def test_a_copied_review_file_is_damaged_and_never_written_through(isolated_home: Path) -> None:
    original = new_review("Original", "customer=Acme")
    copy = review_file(isolated_home, "copy-1")
    copy.write_bytes(review_file(isolated_home, original).read_bytes())
    before = copy.read_bytes(), review_file(isolated_home, original).read_bytes()
    result = cli("set", "copy-1", "customer=Evil")
    assert result.exit_code == 1
    assert "differs from its file name" in result.stderr
    assert (copy.read_bytes(), review_file(isolated_home, original).read_bytes()) == before
    listed = json.loads(cli("list", "--format", "json").stdout)
    damaged = next(s for s in listed if s["id"] == "copy-1")
    assert "inner id" in damaged["unreadable"]
    assert any(s["id"] == original and not s["unreadable"] for s in listed)


# ---- trash keeps everything ---------------------------------------------------------


def test_deleting_the_same_id_twice_keeps_both_copies(
    isolated_home: Path, oqr: Questionnaire
) -> None:
    store = make_store(isolated_home)
    store.create(oqr, "First life", review_id="oqr-same")
    store.delete("oqr-same")
    time.sleep(0.01)
    store.create(oqr, "Second life", review_id="oqr-same")
    store.delete("oqr-same")
    trashed = json.loads(cli("list", "--trash", "--format", "json").stdout)
    assert [t["id"] for t in trashed] == ["oqr-same", "oqr-same"]
    assert all(t["deleted"] for t in trashed)
    assert "oqr-same" in cli("list", "--trash").stdout
    assert cli("restore", "oqr-same").exit_code == 0
    assert store.get("oqr-same").title == "Second life"
    assert len(json.loads(cli("list", "--trash", "--format", "json").stdout)) == 1
    store.delete("oqr-same")
    store.restore("oqr-same")
    assert store.get("oqr-same").title == "Second life"
    [older] = store.trash_entries()
    assert json.loads(older.path.read_text())["review"]["1"]["title"] == "First life"


# ---- all or nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"),
    [("replace", errno.ENOSPC), ("write", errno.ENOSPC), ("replace", errno.EACCES)],
)
def test_writes_fail_whole_and_say_why(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, fault: str, error: int
) -> None:
    review_id = new_review("Acme", "customer=Acme")
    before = files(isolated_home)
    monkeypatch.setattr(os, fault, failing(error, getattr(os, fault)))
    for args in (
        ("new", "oqr", "--title", "Other"),
        ("set", review_id, "customer=Changed", "tcv_usd=6M"),
        ("undo", review_id),
    ):
        result = cli(*args)
        assert result.exit_code == 1, (args, result.output)
        assert "not saved" in result.stderr
        assert "Traceback" not in result.output
    if fault == "replace":
        result = cli("delete", review_id)
        assert result.exit_code == 1 and "not saved" in result.stderr
    monkeypatch.undo()
    assert files(isolated_home) == before  # no review, no temp, no half write


def test_disk_full_message_names_the_cause(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review_id = new_review()
    monkeypatch.setattr(os, "write", failing(errno.ENOSPC, os.write))
    result = cli("set", review_id, "customer=x")
    assert result.exit_code == 1
    assert "not saved: disk full" in result.stderr


def test_import_that_cannot_be_written_leaves_nothing(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review_id = new_review("Acme", "customer=Acme")
    plan = tmp_path / "plan.md"
    assert cli("export", review_id, "-o", str(plan)).exit_code == 0
    before = files(isolated_home)
    monkeypatch.setattr(os, "replace", failing(errno.ENOSPC, os.replace))
    result = cli("import", str(plan))
    assert result.exit_code == 1 and "disk full" in result.stderr
    monkeypatch.undo()
    assert files(isolated_home) == before


# ---- the index is a cache -------------------------------------------------------------


@pytest.mark.parametrize(
    "index",
    [
        "[1, 2, 3]",
        '{"reviews": [1]}',
        '{"reviews": {"1": "text"}}',
        '{"reviews": {"1": {"id": "../../etc", "title": 5}}}',
        '{"reviews": {"x": {"id": "oqr-000001"}}}',
        '{"reviews": {"1": {"id": "ghost-1", "title": "A review that does not exist"}}}',
        '{"reviews": {"1": {"id": "REAL", "title": "Forged", "high": "many", "file_stat": 7}}}',
        "\x00\xff garbage",
    ],
)
def test_a_hostile_index_never_breaks_the_list(isolated_home: Path, index: str) -> None:
    review_id = new_review("Real title", "tcv_usd=6M")
    (isolated_home / "index.json").write_text(index.replace("REAL", review_id))
    result = cli("list", "--format", "json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [(s["id"], s["title"], s["high"]) for s in listed] == [(review_id, "Real title", 1)]
    assert cli("list").exit_code == 0


def test_a_review_changed_behind_the_index_is_re_read(isolated_home: Path) -> None:
    review_id = new_review("Before")
    path = review_file(isolated_home, review_id)
    data = json.loads(path.read_text())
    data["review"]["1"]["title"] = "Edited by hand"
    path.write_text(json.dumps(data))
    assert json.loads(cli("list", "--format", "json").stdout)[0]["title"] == "Edited by hand"


@pytest.mark.slow
def test_a_held_index_lock_never_fails_a_save(isolated_home: Path) -> None:
    review_id = new_review("Acme")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from filelock import FileLock; "
            "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); "
            "time.sleep(60)",
            str(isolated_home / "locks" / ".index.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        result = cli("set", review_id, "tcv_usd=6M")
        assert result.exit_code == 0, result.output
        assert "1 change saved" in result.stderr
    finally:
        holder.kill()
        holder.wait()
    assert json.loads(cli("list", "--format", "json").stdout)[0]["high"] == 1


# ---- damaged and hand-edited reviews ----------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        "[1, 2]",
        '{"review": [1]}',
        '{"review": {"1": "text"}}',
        '{"review": {"1": {"id": "shape-1"}}}',
        '{"review": {"1": {"id": "shape-1", "questionnaire": "oqr", "version": "2.0.0", '
        '"title": 5, "created": "", "updated": ""}}}',
        '{"review": {"1": {}, "2": {}}}',
        "[" * 100_000,
    ],
)
def test_a_review_of_the_wrong_shape_is_listed_unreadable_and_the_rest_work(
    isolated_home: Path, tmp_path: Path, content: str
) -> None:
    good = new_review("Good", "customer=Acme")
    review_file(isolated_home, "shape-1").write_text(content)
    listed = {s["id"]: s for s in json.loads(cli("list", "--format", "json").stdout)}
    assert listed["shape-1"]["unreadable"]
    assert "UNREADABLE" in cli("list").stdout
    for args in (("show", good), ("export", good), ("show", good, "--format", "json")):
        assert cli(*args).exit_code == 0
    shown = cli("show", "shape-1")
    assert shown.exit_code == 1 and "Traceback" not in shown.output


def test_stored_values_that_no_longer_read_are_warnings(isolated_home: Path) -> None:
    review_id = new_review("Edited", "customer=Acme")
    path = review_file(isolated_home, review_id)
    data = json.loads(path.read_text())
    data["review"]["1"]["answers"].update(
        {
            "tcv_usd": "abc",
            "contract_type": "dropped_option",
            "partner_count": -3,
            "regulated_data": [{"x": 1}],
            "cbo_success_criteria": {"not": "text"},
        }
    )
    path.write_text(json.dumps(data))
    for args in (("list",), ("show", review_id), ("export", review_id)):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    shown = json.loads(cli("show", review_id, "--format", "json").stdout)
    assert set(shown["evaluation"]["invalid"]) == {
        "tcv_usd",
        "contract_type",
        "partner_count",
        "regulated_data",
        "cbo_success_criteria",
    }
    assert "cannot be read" in cli("show", review_id).stdout
    assert cli("set", review_id, "tcv_usd=6M").exit_code == 0


# ---- import is an input boundary ------------------------------------------------------------


def tampered_plan(tmp_path: Path, edit: Callable[[dict[str, Any]], None]) -> Path:
    review_id = new_review("Acme", "customer=Acme")
    plan = tmp_path / "plan.md"
    assert cli("export", review_id, "-o", str(plan)).exit_code == 0
    text = plan.read_text()
    start = text.index("```json gatebook-data\n") + len("```json gatebook-data\n")
    end = text.index("\n```", start)
    data = json.loads(text[start:end])
    edit(data)
    plan.write_text(text[:start] + json.dumps(data) + text[end:])
    return plan


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda d: d["content"]["answers"].update({"tcv_usd": "lots"}), "tcv_usd"),
        (lambda d: d["content"]["answers"].update({"contract_type": "barter"}), "contract_type"),
        (lambda d: d["content"]["answers"].update({"total_hours": -1}), "total_hours"),
        (lambda d: d["content"]["answers"].update({"no_such_question": 1}), "no_such_question"),
        (lambda d: d["content"]["notes"].update({"ghost": "x"}), "ghost"),
        (lambda d: d["content"].update({"id": "../../x"}), "id"),
        (lambda d: d["content"].update({"id": "ｏｑｒ-1"}), "id"),
    ],
)
def test_import_refuses_invalid_values_and_writes_nothing(
    isolated_home: Path, tmp_path: Path, edit: Callable[[dict[str, Any]], None], named: str
) -> None:
    plan = tampered_plan(tmp_path, edit)
    before = files(isolated_home)
    outside = sorted(p.name for p in tmp_path.iterdir())
    result = cli("import", str(plan))
    assert result.exit_code == 2, result.output
    assert named in result.stderr and "Traceback" not in result.output
    assert files(isolated_home) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == outside
    assert not (isolated_home.parent / "x.lock").exists()


# ---- ids are checked before any file is touched ------------------------------------------


@pytest.mark.parametrize("bad", ["../../x", "a/b", ".hidden", "ｏｑｒ-1", "a b", "x" * 65, ""])
def test_bad_review_ids_are_refused_before_any_file(isolated_home: Path, bad: str) -> None:
    for args in (("show", bad), ("set", bad, "customer=x"), ("delete", bad), ("restore", bad)):
        result = cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "not a valid review id" in result.stderr
    assert not isolated_home.exists()


# ---- workspace edge cases -----------------------------------------------------------


def test_a_read_only_workspace_still_reads(
    isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review_id = new_review("Acme", "tcv_usd=6M")
    answers = write(tmp_path / "a.yaml", "tcv_usd: 6M\n")
    (isolated_home / "index.json").unlink()  # reading must not need to rebuild it on disk
    real_open = os.open

    def read_only_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and str(isolated_home) in str(path):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.setattr(os, "mkdir", failing(errno.EROFS, os.mkdir))
    monkeypatch.setattr(os, "chmod", failing(errno.EROFS, os.chmod))
    for args in (
        ("list",),
        ("show", review_id),
        ("export", review_id),
        ("eval", "oqr", "--answers", str(answers)),
        ("history", review_id),
    ):
        result = cli(*args)
        assert result.exit_code == 0, (args, result.output)
    result = cli("set", review_id, "customer=x")
    assert result.exit_code == 1
    assert "read-only" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_really_read_only_workspace(isolated_home: Path) -> None:  # pragma: no cover
    review_id = new_review("Acme")
    for folder in (isolated_home, isolated_home / "reviews", isolated_home / "locks"):
        folder.chmod(0o500)
    try:
        assert cli("list").exit_code == 0
        assert cli("show", review_id).exit_code == 0
        result = cli("set", review_id, "customer=x")
        assert result.exit_code == 1
    finally:
        for folder in (isolated_home, isolated_home / "reviews", isolated_home / "locks"):
            folder.chmod(0o700)


def test_gatebook_home_naming_a_file_or_a_dangling_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_file = write(tmp_path / "file", "x")
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    for home, says in ((a_file, "is a file"), (link, "does not exist")):
        monkeypatch.setenv("GATEBOOK_HOME", str(home))
        for args in (("list",), ("new", "oqr", "--title", "x")):
            result = cli(*args)
            assert result.exit_code == 2, result.output
            assert says in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "nowhere").exists()


def test_a_symlinked_reviews_folder_is_never_chmod_ed(isolated_home: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared-reviews"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    isolated_home.mkdir()
    (isolated_home / "reviews").symlink_to(shared)
    new_review("Acme", "customer=Acme")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert len(list(shared.glob("*.json"))) == 1


def test_export_creates_the_missing_folder(isolated_home: Path, tmp_path: Path) -> None:
    review_id = new_review("Acme")
    target = tmp_path / "plans" / "acme.md"
    result = cli("export", review_id, "-o", str(target))
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("---")


# ---- nothing raw reaches the terminal ---------------------------------------------------


def run_in_pty(*args: str) -> bytes:
    """Run gatebook with a real pseudo-terminal as stdout and stderr."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gatebook", *args],
        stdout=follower,
        stderr=follower,
        stdin=subprocess.DEVNULL,
        env=dict(os.environ),
    )
    os.close(follower)
    output = b""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    process.wait(timeout=10)
    os.close(leader)
    return output


@pytest.mark.slow
def test_control_characters_never_reach_the_terminal(isolated_home: Path) -> None:
    """New text with C0 controls is refused where it enters (tests/test_text_input.py);
    a file edited by hand, or written before that, still holds them: shown escaped."""
    hostile = "Evil \x1b]0;pwned\x07 \x1b[2J \x9b31m \u202e \x08\x7f"
    review_id = new_review("Acme", "customer=Acme")
    path = review_file(isolated_home, review_id)
    data = json.loads(path.read_text(encoding="utf-8"))
    stored = data["review"]["1"]
    stored["title"], stored["answers"]["customer"] = hostile, hostile
    stored["notes"]["customer"] = stored["history"][0]["new"] = hostile
    path.write_text(json.dumps(data), encoding="utf-8")
    for args in (("list",), ("show", review_id), ("history", review_id)):
        output = run_in_pty(*args)
        assert b"\x1b" not in output and b"\xc2\x9b" not in output and b"\x07" not in output
        assert b"\\x1b]0;pwned\\x07" in output or b"\\u001b]0;pwned" in output, args
    shown = json.loads(cli("show", review_id, "--format", "json").stdout)
    assert shown["title"] == hostile  # JSON keeps the value, escaped


@pytest.mark.slow
def test_undecodable_arguments_are_refused(isolated_home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "gatebook", "new", "oqr", "--title", b"bad \x9b31m"],
        capture_output=True,
        env=dict(os.environ),
        check=False,
    )
    assert done.returncode == 2
    assert b"not valid UTF-8" in done.stderr and b"Traceback" not in done.stderr
    assert not (isolated_home / "reviews").exists()


# ---- two real processes -----------------------------------------------------------------


@pytest.mark.slow
def test_saves_racing_starts_lose_nothing(isolated_home: Path, oqr: Questionnaire) -> None:
    """One process saves 150 notes while another starts gatebook's store over and over
    and `list` runs in a loop: a start's temp clean-up never takes a live temp file."""
    store = make_store(isolated_home)
    review = store.create(oqr, "Shared")
    other = store.create(oqr, "Other")
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).parent.parent / "src"),
        "SLOW_DISK": "1",
    }

    def child(*args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, str(CHILD), str(isolated_home), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )

    saver = child(review.id, "n", "150")
    starter = child(other.id, "--starts", "100000")
    lists = 0
    while saver.poll() is None:
        lists += 1
        assert run_gatebook("list").returncode == 0
    starter.kill()
    starter.wait()
    _, err = saver.communicate(timeout=120)
    assert saver.returncode == 0, err  # no save failed
    notes = make_store(isolated_home).get(review.id).notes
    assert {f"n{i}" for i in range(150)} <= set(notes)  # answers lost: 0
    assert lists >= 1
    FileLock(str(isolated_home / "locks" / f"{review.id}.lock"), timeout=1).acquire().lock.release()
