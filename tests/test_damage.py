"""Damage never hides red (issue 31): a member that cannot be read makes its engagement
red with the reason; `report` lists every damaged file and exits 1; a path that is not a
regular file is refused before it is opened, wherever the workspace is read; in the app a
failed worker is a notification, never the end of the app.

Faults are real files: truncated, not JSON, another review's copy, gone, a folder, a FIFO.
A FIFO opened for reading would block forever: every test that meets one runs a
watchdog (`unblocking`) that, past its guard time, opens the FIFO for writing so a hung
reader gets an end of file, and then fails the test.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import errno
import json
import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.message import Message
from textual.notifications import Notify
from textual.pilot import Pilot
from textual.widgets import Static

from gatebook.engagement.members import add_member
from gatebook.engagement.store import EngagementStore
from gatebook.store.storage import NotRegularFile, TooLarge, read_bounded
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.portfolio import PortfolioScreen
from gatebook.tui.widgets.review_list import ReviewList

from .cli_support import gb, ok, run_gatebook_process
from .conftest import write
from .tui_support import deterministic_app

GUARD_S = 30.0
SRC = Path(__file__).parent.parent / "src" / "gatebook"


@contextlib.contextmanager
def unblocking(*fifos: Path, after: float = GUARD_S) -> Iterator[None]:
    """A hang guard: past `after` seconds, open each FIFO for writing (and close it) so a
    reader blocked on it returns; the test then fails, naming the hang."""
    done = threading.Event()
    fired: list[Path] = []

    def watch() -> None:
        if done.wait(after):
            return
        while not done.is_set():
            for fifo in fifos:
                with contextlib.suppress(OSError):  # ENXIO: nobody is reading it
                    os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                    fired.append(fifo)
            done.wait(0.2)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
    assert not fired, f"a reader blocked on {sorted(set(fired))} (it opened a FIFO)"


# ---- the one bounded read -------------------------------------------------------------


def test_the_bounded_read_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    folder = tmp_path / "folder.json"
    folder.mkdir()
    link = tmp_path / "link.json"
    link.symlink_to(fifo)
    sock = tmp_path / "s.json"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock))
    kinds = {fifo: "a FIFO", folder: "a folder", link: "a FIFO", sock: "a socket"}
    if Path("/dev/null").exists():
        kinds[Path("/dev/null")] = "a character device"
    try:
        with unblocking(fifo):
            for path, kind in kinds.items():
                with pytest.raises(NotRegularFile) as caught:
                    read_bounded(path, 1024)
                assert str(caught.value) == f"not a regular file ({kind})"
                assert isinstance(caught.value, OSError)  # every reader already handles it
    finally:
        server.close()


def test_the_bounded_read_still_reads_a_file_and_bounds_it(tmp_path: Path) -> None:
    path = write(tmp_path / "r.json", "x" * 100)
    assert read_bounded(path, 100) == b"x" * 100
    with pytest.raises(TooLarge):
        read_bounded(path, 99)
    with pytest.raises(FileNotFoundError):
        read_bounded(tmp_path / "gone.json", 10)


# ---- an engagement with a damaged member -----------------------------------------------


def red_engagement(home: Path) -> tuple[str, str, str]:
    """An engagement whose OQR holds a high risk past its due date (RED) and a PESA."""
    engagement = ok("engagement", "new", "Acme platform", "--customer", "Acme")
    oqr = ok("new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    ok("new", "pesa", "--title", "Acme PESA", "--engagement", engagement)
    ok("set", oqr, "tcv_usd=6M")
    ok("risk", oqr, "large_deal_size", "--mitigation", "Phase it", "--contingency", "Descope",
       "--due", "2020-01-01", "--status", "open")  # fmt: skip
    return engagement, oqr, str(home / "reviews" / f"{oqr}.json")


def damage(path: Path, how: str, home: Path) -> str:
    """Damage a review file on disk; returns the words its reason starts with."""
    if how == "truncated":
        raw = path.read_bytes()
        path.write_bytes(raw[: len(raw) // 2])
        return "not valid JSON"
    if how == "not-json":
        path.write_text("hello", encoding="utf-8")
        return "not valid JSON"
    if how == "other-id":
        other = next(p for p in (home / "reviews").glob("pesa-*.json"))
        shutil.copyfile(other, path)
        return "its inner id"
    if how == "missing":
        path.unlink()
        return "the file is missing"
    assert how == "folder"
    path.unlink()
    path.mkdir()
    return "not a regular file (a folder)"


def report(*args: str) -> tuple[int, dict[str, Any], str]:
    code, out, err = gb("report", "--today", "2026-12-01", "--format", "json", *args)
    return code, json.loads(out), err


@pytest.mark.parametrize("how", ["truncated", "not-json", "other-id", "missing", "folder"])
def test_a_damaged_member_keeps_its_engagement_red_everywhere(
    how: str, isolated_home: Path
) -> None:
    engagement, oqr, path = red_engagement(isolated_home)
    code, before, _ = report()
    assert code == 0 and before["items"][0]["rag"] == "red" and "damaged" not in before
    why = damage(Path(path), how, isolated_home)
    reason = f"{oqr}: unreadable ({why}"

    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert shown["status"] == "red"
    code, out, err = gb("engagement", "show", engagement)
    assert code == 0 and "Status: RED" in out and reason in out and f"member {oqr}" in err
    listed = json.loads(ok("engagement", "list", "--format", "json"))
    assert [row["status"] for row in listed] == ["red"]

    code, data, _ = report()
    assert code == 1
    (item,) = data["items"]
    assert item["rag"] == "red" and any(r.startswith(reason) for r in item["rag_reasons"])
    (entry,) = data["damaged"]
    assert entry["path"] == path and entry["why"].startswith(why)
    code, out, err = gb("report", "--today", "2026-12-01")
    assert code == 1 and "RED 1" in out
    assert f"warning: {path} cannot be read ({why}" in err
    code, out, _ = gb("report", "--today", "2026-12-01", "--format", "md")
    assert code == 1 and "## Damaged files" in out and f"{oqr}.json: {why[:8]}" in out


def test_a_member_that_is_a_fifo_is_refused_at_once_and_red(isolated_home: Path) -> None:
    engagement, oqr, path = red_engagement(isolated_home)
    Path(path).unlink()
    os.mkfifo(path)
    home = str(isolated_home)
    with unblocking(Path(path)):
        done = run_gatebook_process("--home", home, "report", "--format", "json", timeout=60)
        shown = run_gatebook_process("--home", home, "engagement", "show", engagement, timeout=60)
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["items"][0]["rag"] == "red"
    assert data["damaged"] == [{"path": path, "why": "not a regular file (a FIFO)"}]
    assert f"{oqr}: unreadable (not a regular file (a FIFO))" in shown.stdout


def test_a_review_listed_twice_counts_once(isolated_home: Path) -> None:
    engagement = ok("engagement", "new", "Acme platform")
    oqr = ok("new", "oqr", "--title", "Acme OQR", "--engagement", engagement)
    ok("set", oqr, "tcv_usd=6M")
    file = isolated_home / "engagements" / f"{engagement}.json"
    record = json.loads(file.read_text(encoding="utf-8"))
    record["members"] = [oqr, oqr]
    file.write_text(json.dumps(record), encoding="utf-8")
    shown = json.loads(ok("engagement", "show", engagement, "--format", "json"))
    assert [r["id"] for r in shown["reviews"]] == [oqr]
    code, data, _ = report()
    assert code == 0
    (item,) = data["items"]
    assert item["reviews"] == [oqr] and item["high"] == 1 and data["totals"]["reviews"] == 1
    assert [f["reviews"] for f in data["flags"] if f["id"] == "large_deal_size"] == [1]


def test_report_names_a_damaged_engagement_file_and_loose_review(isolated_home: Path) -> None:
    loose = ok("new", "oqr", "--title", "Loose")
    fine = ok("new", "oqr", "--title", "Fine")
    write(isolated_home / "engagements" / "eng-bad.json", "{")
    (isolated_home / "reviews" / f"{loose}.json").write_text("[]", encoding="utf-8")
    code, data, _ = report()
    assert code == 1
    assert [d["path"] for d in data["damaged"]] == [
        str(isolated_home / "engagements" / "eng-bad.json"),
        str(isolated_home / "reviews" / f"{loose}.json"),
    ]
    assert data["damaged"][0]["why"].startswith("not valid JSON")
    assert [i["id"] for i in data["items"]] == [fine]  # the rest is still reported


def test_a_member_whose_questionnaire_is_gone_is_red_but_no_damaged_file(
    isolated_home: Path,
) -> None:
    oqr_yaml = (Path(__file__).parent.parent / "questionnaires" / "oqr.yaml").read_text()
    mine = write(isolated_home / "questionnaires" / "mine.yaml", oqr_yaml.replace(
        "id: oqr\n", "id: mine\n", 1))  # fmt: skip
    engagement = ok("engagement", "new", "Acme platform")
    review = ok("new", "mine", "--title", "Mine", "--engagement", engagement)
    assert json.loads(ok("engagement", "show", engagement, "--format", "json"))["status"] != "red"
    mine.unlink()
    code, out, _ = gb("engagement", "show", engagement)
    assert "Status: RED" in out and f"{review}: unreadable (questionnaire unavailable" in out
    code, data, _ = report()
    assert code == 0 and "damaged" not in data and data["items"][0]["rag"] == "red"


def test_conflicts_and_diff_name_damaged_files_and_go_on(isolated_home: Path) -> None:
    review = ok("new", "oqr", "--title", "Acme OQR")
    ok("milestone", review, "m1")
    fifo = isolated_home / "reviews" / "oqr-fifo.json"
    os.mkfifo(fifo)
    (isolated_home / "milestones" / review / "m2.json").mkdir()
    home = str(isolated_home)
    with unblocking(fifo):
        conflicts = run_gatebook_process("--home", home, "conflicts", timeout=60)
    assert conflicts.returncode == 0 and "No conflicts." in conflicts.stdout
    assert "oqr-fifo" in conflicts.stderr and "not a regular file (a FIFO)" in conflicts.stderr
    code, out, err = gb("diff", review)
    assert code == 0 and "Changes from m1 to now" in out
    assert "m2.json is damaged (not a regular file (a folder))" in err


# ---- the app ---------------------------------------------------------------------------


async def settle(pilot: Pilot[Any], until: Any, tries: int = 1500) -> None:
    for _ in range(tries):
        await pilot.pause()
        if until():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("never happened")


def damaged_workspace(tmp_path: Path) -> tuple[Any, str, str, Path]:
    """An engagement whose member is truncated, an engagement file that is a folder, a
    loose review that is a FIFO."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    engagement = EngagementStore(app.store).create(
        "Northwind platform", start="2026-01-05", shared={"customer": "Northwind"}
    )
    member = app.store.create(app.catalog.resolve("oqr"), "Northwind OQR")
    add_member(app.store, engagement.id, member.id)
    path = app.store.path_of(member.id)
    path.write_bytes(path.read_bytes()[:200])
    (app.store.home / "engagements" / "eng-dir.json").mkdir()
    fifo = app.store.reviews_dir / "oqr-fifo.json"
    os.mkfifo(fifo)
    return app, engagement.id, member.id, fifo


def notes(messages: list[Message]) -> list[tuple[str, str, str]]:
    return [
        (m.notification.title, m.notification.message, m.notification.severity)
        for m in messages
        if isinstance(m, Notify)
    ]


async def test_the_portfolio_shows_damage_and_keeps_running(tmp_path: Path) -> None:
    app, engagement, member, fifo = damaged_workspace(tmp_path)
    with unblocking(fifo):
        async with app.run_test(size=(120, 40)) as pilot:
            home = app.screen
            assert isinstance(home, HomeScreen)
            listing = home.query_one("#reviews", ReviewList)
            await settle(pilot, lambda: any("Northwind" in x and "RED" in x for x in listing.lines))
            assert any("oqr-fifo" in line or "UNREADABLE" in line for line in listing.lines)
            await pilot.press("P")
            await settle(pilot, lambda: isinstance(app.screen, PortfolioScreen))
            screen = app.screen
            assert isinstance(screen, PortfolioScreen)
            await settle(pilot, lambda: screen.report is not None)
            text = str(screen.query_one("#portfolio-damaged", Static).render())
            assert "Damaged: 3 file(s) cannot be read" in text
            assert "eng-dir.json: not a regular file (a folder)" in text
            assert "oqr-fifo.json: not a regular file (a FIFO)" in text
            assert f"{member}.json: not valid JSON" in text
            items = screen.query_one("#portfolio-items", ReviewList)
            assert items.keys == [f"engagement:{engagement}"] and "RED" in items.lines[0]
            await pilot.press("r")
            await pilot.pause()
            assert app.is_running and isinstance(app.screen, PortfolioScreen)


async def test_the_engagement_screen_shows_an_unreadable_member_red(tmp_path: Path) -> None:
    app, engagement, member, fifo = damaged_workspace(tmp_path)
    with unblocking(fifo):
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            app.push_screen(EngagementScreen(engagement))
            await settle(pilot, lambda: isinstance(app.screen, EngagementScreen))
            screen = app.screen
            await settle(pilot, lambda: bool(screen.view))  # type: ignore[attr-defined]
            summary = str(app.screen.query_one("#engagement-summary", Static).render())
            assert "● RED" in summary and f"{member}: unreadable (not valid JSON" in summary
            members = app.screen.query_one("#members", ReviewList)
            assert members.keys == [member] and "unreadable" in members.lines[0]
            assert app.is_running


async def test_a_failed_worker_is_a_notification_and_the_app_goes_on(tmp_path: Path) -> None:
    """A worker that fails on a real bad file (an engagement file that is a folder): the
    app's one handler names what failed and why; the app keeps running."""
    app, _, _, fifo = damaged_workspace(tmp_path)
    messages: list[Message] = []
    with unblocking(fifo):
        async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
            await pilot.pause()
            estore = EngagementStore(app.store)
            for node in (app.screen, app):  # a screen's worker and the app's own
                worker = node.run_worker(
                    lambda: estore.get("eng-dir"),
                    thread=True,
                    exit_on_error=False,
                    description="Opening eng-dir",
                )
                await settle(pilot, lambda w=worker: w.is_finished)  # type: ignore[misc]
            await settle(pilot, lambda: len(notes(messages)) >= 2)
            for title, message, severity in notes(messages):
                assert title == "Opening eng-dir failed" and severity == "error"
                assert "engagement eng-dir cannot be read (not a regular file (a folder))" in (
                    message
                )
            await pilot.press("P")  # the app still answers keys
            await settle(pilot, lambda: isinstance(app.screen, PortfolioScreen))
            assert app.is_running


def _worker_calls(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in ("work", "run_worker"):
                yield node, name


def test_every_worker_in_the_app_declares_what_happens_on_error() -> None:
    """`exit_on_error=False` on every `@work` and `run_worker`, and every screen that
    runs one hands its failures to the app (Textual never bubbles a worker's state)."""
    found = 0
    for path in sorted((SRC / "tui").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call, name in _worker_calls(tree):
            found += 1
            flags = {k.arg: k.value for k in call.keywords}
            value = flags.get("exit_on_error")
            assert isinstance(value, ast.Constant) and value.value is False, (
                f"{path.name}:{call.lineno}: {name} without exit_on_error=False"
            )
        for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
            if any(True for _ in _worker_calls(cls)):
                bases = {b.id for b in cls.bases if isinstance(b, ast.Name)}
                assert bases & {"GatebookScreen", "ForwardsWorkerFailures"}, (
                    f"{path.name}: {cls.name} runs a worker but does not forward its failures"
                )
    assert found >= 3


def test_errno_of_a_refusal_is_not_mistaken_for_a_missing_file(tmp_path: Path) -> None:
    """A refused path is damaged, never "not found": callers that treat ENOENT as "no
    file yet" (TinyDB's storage) must not see one."""
    os.mkfifo(tmp_path / "f.json")
    with unblocking(tmp_path / "f.json"), pytest.raises(NotRegularFile) as caught:
        read_bounded(tmp_path / "f.json", 10)
    assert caught.value.errno != errno.ENOENT and not isinstance(caught.value, FileNotFoundError)
