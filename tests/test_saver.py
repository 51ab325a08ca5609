"""The saver under real faults: shown at once, kept in memory, retried, never a hang.

Faults are injected at the OS boundary (`os.replace` raising ENOSPC), never by
replacing the store. The signal tests run the installed app in a real terminal.
"""

from __future__ import annotations

import errno
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from gatebook.store import Change
from gatebook.store.recovery import read_recovery, recovery_path, write_recovery
from gatebook.tui.app import GatebookApp
from gatebook.tui.saver import Saver
from gatebook.tui.screens.modals import Confirm
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.widgets.panel_text import PanelText
from gatebook.workspace import make_catalog, open_store

from .tui_support import deterministic_app

GATEBOOK = Path(sys.executable).with_name("gatebook")


def disk_full(*args: Any, **kwargs: Any) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def open_new_review(home: Path) -> tuple[GatebookApp, str]:
    app = deterministic_app(home, offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Acme")
    app.open_review_id = review.id
    return app, review.id


def indicator(screen: ReviewScreen) -> str:
    return str(screen.query_one("#saved-indicator", Static).render())


async def type_customer(pilot: Any, screen: ReviewScreen, text: str) -> None:
    screen.goto("customer")
    await pilot.pause()
    screen.query_one("#editor-customer", Input).value = text
    await pilot.pause()


async def wait_until(pilot: Any, condition: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_a_failed_save_shows_keeps_and_retries_on_ctrl_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, review_id = open_new_review(tmp_path / "ws")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        monkeypatch.setattr(os, "replace", disk_full)
        await type_customer(pilot, screen, "Contoso")
        await wait_until(pilot, lambda: "NOT SAVED" in indicator(screen))
        assert "disk full" in indicator(screen)
        assert screen.review.answers["customer"] == "Contoso"  # kept in memory
        assert screen.saver is not None and screen.saver.has_unsaved
        assert "customer" not in app.store.get(review_id).answers
        await type_customer(pilot, screen, "Contoso Ltd")  # the saver still runs
        await wait_until(pilot, lambda: screen.saver is not None and screen.saver.error)
        monkeypatch.undo()
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "saved ✓" in indicator(screen))
        assert app.store.get(review_id).answers["customer"] == "Contoso Ltd"
        started = time.monotonic()
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert time.monotonic() - started < 10
    assert read_recovery(tmp_path / "ws", review_id) is None


async def test_quit_with_unsaved_answers_asks_then_keeps_them_for_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "ws"
    app, review_id = open_new_review(home)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        monkeypatch.setattr(os, "replace", disk_full)
        await type_customer(pilot, screen, "Fabrikam")
        await wait_until(pilot, lambda: "NOT SAVED" in indicator(screen))
        started = time.monotonic()
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        assert time.monotonic() - started < 10  # flush() gave up, never hung
        monkeypatch.undo()  # the recovery file is written to a working disk
        monkeypatch.setattr(os, "replace", disk_full)
        await pilot.press("n")  # stay: nothing is lost either way
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        monkeypatch.undo()
        real_replace = os.replace

        def reviews_full(source: Any, target: Any) -> None:
            if "/reviews/" in str(target):
                disk_full()
            real_replace(source, target)

        monkeypatch.setattr(os, "replace", reviews_full)
        await pilot.press("ctrl+q")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm))
        await pilot.press("y")
        await pilot.pause()
    monkeypatch.undo()
    recovery = read_recovery(home, review_id)
    assert recovery is not None and recovery.path == recovery_path(home, review_id)
    assert [(c.kind, c.key, c.new) for c in recovery.changes][-1] == (
        "answer",
        "customer",
        "Fabrikam",
    )
    assert "customer" not in open_store(home, make_catalog(home)).get(review_id).answers

    again = deterministic_app(home, open_review_id=review_id, offer_demo=False)
    async with again.run_test(size=(120, 40)) as pilot:
        await wait_until(pilot, lambda: isinstance(again.screen, Confirm))
        await pilot.press("y")
        await pilot.pause()
        screen = again.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.review.answers["customer"] == "Fabrikam"
        assert screen.flush()
    assert again.store.get(review_id).answers["customer"] == "Fabrikam"
    assert read_recovery(home, review_id) is None


def test_flush_is_bounded_and_close_returns_what_was_not_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = open_store(tmp_path / "ws", make_catalog(tmp_path / "ws"))
    review = store.create(make_catalog(tmp_path / "ws").resolve("oqr"), "Acme")
    errors: list[str | None] = []
    saver = Saver(store, review.id, errors.append)
    monkeypatch.setattr(os, "replace", disk_full)
    saver.put([Change("answer", "customer", "A")])
    started = time.monotonic()
    assert saver.flush(timeout=5) is False
    assert time.monotonic() - started < 5
    assert errors and errors[-1] is not None and "disk full" in errors[-1]
    saver.put([Change("answer", "opportunity", "B")])
    monkeypatch.undo()
    assert saver.flush() is True  # the next change retried the first as well
    assert store.get(review.id).answers == {"customer": "A", "opportunity": "B"}
    monkeypatch.setattr(os, "replace", disk_full)
    saver.put([Change("answer", "customer", "C")])
    left = saver.close(timeout=1)
    assert [(c.key, c.new) for c in left] == [("customer", "C")]
    monkeypatch.undo()
    path = write_recovery(tmp_path / "ws", review.id, left)
    assert path is not None and read_recovery(tmp_path / "ws", review.id) is not None


def run_app_in_pty(home: Path, *args: str) -> tuple[subprocess.Popen[bytes], int]:
    leader, follower = pty.openpty()
    env = {**os.environ, "GATEBOOK_HOME": str(home), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    process = subprocess.Popen(
        [str(GATEBOOK), *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
        start_new_session=True,
    )
    os.close(follower)
    return process, leader


def read_until(leader: int, text: bytes, timeout: float = 20.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                seen += os.read(leader, 65536)
            except OSError:
                break
            if text in seen:
                return seen
    raise AssertionError(f"{text!r} never appeared")


@pytest.mark.slow
@pytest.mark.skipif(not GATEBOOK.exists(), reason="needs the installed gatebook")
def test_sigterm_saves_restores_the_terminal_and_exits_143(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    store = open_store(home, make_catalog(home))
    review = store.create(make_catalog(home).resolve("oqr"), "Acme")
    process, leader = run_app_in_pty(home, "open", review.id)
    try:
        read_until(leader, b"Customer")
        time.sleep(1.0)
        os.write(leader, b"Northwind")
        read_until(leader, b"saved")
        process.send_signal(signal.SIGTERM)
        tail = b""
        deadline = time.monotonic() + 15
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.2)
            if ready:
                try:
                    tail += os.read(leader, 65536)
                except OSError:
                    break
        assert process.wait(timeout=5) == 143
        assert b"\x1b[?1049l" in tail  # left the alternate screen
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    assert open_store(home, make_catalog(home)).get(review.id).answers["customer"] == "Northwind"


async def test_stored_values_that_no_longer_read_are_warnings_at_the_field(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    questionnaire = app.catalog.resolve("oqr")
    review = app.store.create(questionnaire, "Hand-edited")
    broken = {
        "customer": ["x"],
        "tcv_usd": "abc",
        "contract_type": "dropped_option",
        "total_hours": -5,
        "production_access": "maybe",
        "regulated_data": [{"a": 1}],
        "cbo_success_criteria": {"not": "text"},
    }
    app.store.modify(review.id, lambda r: r.answers.update(broken))
    app.open_review_id = review.id
    warned: set[str] = set()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        for question_id in broken:
            screen.goto(question_id)
            await pilot.pause()
            field = screen.field(question_id)
            assert field is not None and field.stored_problem, question_id
            assert "cannot be read" in field.query_one(".message", PanelText).text
            warned.add(question_id)
        await pilot.press("f8")  # the summary and the plan preview show them too
        await pilot.pause()
        await pilot.press("f7")
        await pilot.pause(0.5)
        await pilot.press("escape", "escape")
        await pilot.pause()
    assert warned == set(broken)
    assert app.store.get(review.id).answers == broken  # kept until answered again
