"""Keys that arrive together are applied in the order they were typed (tui/key_order.py).

Each test hands the app a burst of keys at once, as a slow SSH link or a busy laptop
does: every key is in the app's queue before the first is handled. Before the keys
were put in order, `ctrl+u`, `backspace` and `tab` (handled by bindings, after the
key had bubbled up to the app) landed after the letters typed behind them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.review import ReviewScreen

from .tui_support import deterministic_app

KEYS = {"backspace": "\x7f", "tab": "\t", "ctrl+u": "\x15", "left": None, "enter": "\r"}


def burst(app: GatebookApp, *keys: str) -> None:
    """Every key into the app's queue before any is handled, as the driver puts them."""
    for key in keys:
        character = KEYS.get(key, key if len(key) == 1 else None)
        event = events.Key(key, character)
        event.set_sender(app)
        app.post_message(event)


async def until(pilot: Any, done: Callable[[], bool]) -> None:
    """Wait until `done()` (bounded: the keys are all queued, only their handling is
    left; generous, for a busy machine)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        await pilot.pause()
        if done():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the keys were never all handled")


def answers(app: GatebookApp) -> dict[str, Any]:
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen.review.answers


async def test_editing_keys_and_tab_land_in_the_order_typed(tmp_path: Path) -> None:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Burst")
    app.open_review_id = review.id
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "editor-customer")
        burst(app, "A", "b", "c", "backspace", "d", "left", "Z", "tab", "X", "y")
        await until(pilot, lambda: answers(app).get("opportunity") == "Xy")
        assert answers(app)["customer"] == "AbZd"
        burst(app, "ctrl+u", "N", "e", "w")
        await until(pilot, lambda: answers(app).get("opportunity") == "New")
        assert app.screen.flush()  # type: ignore[attr-defined]
    stored = app.store.get(review.id).answers
    assert (stored["customer"], stored["opportunity"]) == ("AbZd", "New")


async def test_keys_typed_with_enter_on_the_home_list_go_into_the_review(tmp_path: Path) -> None:
    """`enter` opens the review; the keys behind it wait for its first question's focus
    instead of going to the list of reviews or to a screen with nothing focused."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Burst")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.focused is not None)
        burst(app, "enter", "A", "c", "m", "e", "backspace", "tab", "Q")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await until(pilot, lambda: answers(app).get("opportunity") == "Q")
        assert answers(app)["customer"] == "Acm"
        assert app.screen.flush()  # type: ignore[attr-defined]
    assert app.store.get(review.id).answers["customer"] == "Acm"


async def test_keys_behind_one_that_closes_the_screen_still_go_on(tmp_path: Path) -> None:
    """`escape` leaves the review and its widgets are removed with the key's follower
    in their queues: the keys behind it reach the list of reviews, not nowhere."""
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    first = app.store.create(app.catalog.resolve("oqr"), "First")
    app.store.create(app.catalog.resolve("oqr"), "Second")
    app.open_review_id = first.id
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "editor-customer")
        burst(app, "escape", "question_mark")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")
        assert any(isinstance(screen, HomeScreen) for screen in app.screen_stack)


def open_at(tmp_path: Path, questionnaire: str, position: str) -> GatebookApp:
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve(questionnaire), "Burst")
    app.store.set_position(review.id, position)
    app.open_review_id = review.id
    return app


async def test_keys_behind_a_move_to_the_next_section_land_in_order(tmp_path: Path) -> None:
    """`tab` on a section's last question mounts the next section: the keys typed
    behind it go, in order, into its questions (the digit typed first was held by the
    form and replayed after the others: `1200` stored 200 and the `1` went last)."""
    app = open_at(tmp_path, "pesa", "credential_handover")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id.startswith("editor-"))
        burst(app, "tab", "1", "2", "0", "0", "tab", "8", "0", "tab", "B", "o", "b")
        await until(pilot, lambda: answers(app).get("security_lead_named") == "Bob")
        assert (answers(app)["total_hours"], answers(app)["security_hours"]) == (1200, 80)


async def test_keys_behind_page_down_and_up_land_in_order(tmp_path: Path) -> None:
    app = open_at(tmp_path, "pesa", "total_hours")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id.startswith("editor-"))
        burst(app, "pagedown", "a", "b", "c", "pageup", "9", "9")
        await until(pilot, lambda: answers(app).get("total_hours") == 99)
        assert answers(app)["security_controls"] == "abc"


async def test_keys_behind_a_dialog_that_focuses_on_mount_fill_it(tmp_path: Path) -> None:
    """`ctrl+o` opens the session dialog, which focuses its attendees field once
    mounted: the name typed at once lands there whole (its first letter went to the
    dialog itself, before anything had the focus)."""
    app = open_at(tmp_path, "oqr", "customer")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "editor-customer")
        burst(app, "ctrl+o", "A", "n", "n", "ctrl+s", "Z")
        await until(pilot, lambda: answers(app).get("customer") == "Z")
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert [a.name for a in screen.review.meetings[-1].attendees] == ["Ann"]


async def test_a_paste_without_bracketed_paste_goes_in_whole_as_one_run(tmp_path: Path) -> None:
    """2000 characters in one burst (a paste the terminal does not bracket) all land,
    in order; a run of characters into one text field goes on at once and is trailed
    by one follower (a follower per key took 20-25 ms a key: a 5000-character paste
    took two minutes, with ctrl+q waiting behind it)."""
    app = open_at(tmp_path, "oqr", "customer")
    text = "".join(chr(ord("a") + i % 26) for i in range(2000))
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "editor-customer")
        followed = app.key_order.followed
        burst(app, *text, "tab", "X")
        await until(pilot, lambda: answers(app).get("opportunity") == "X")
        assert answers(app)["customer"] == text
        assert app.key_order.followed - followed <= 4


async def test_keys_typed_while_a_write_opens_a_screen_go_to_that_screen(tmp_path: Path) -> None:
    """`e`, a title, `enter`, `enter` (no customer) starts the engagement off the event
    loop, and its screen opens when it is written: the `n` typed behind starts a stage
    of it, instead of reaching the list of reviews meanwhile (`n` there opened a new
    review's picker under the engagement; `x` `y` deleted a review)."""
    from gatebook.tui.screens.engagement import EngagementScreen
    from gatebook.tui.screens.modals import PickOption

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    app.store.create(app.catalog.resolve("oqr"), "Kept")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.focused is not None)
        burst(app, "e", "A", "c", "m", "e", "enter", "enter", "n")
        await until(pilot, lambda: isinstance(app.screen, PickOption))
        stack = [type(screen) for screen in app.screen_stack]
        assert stack == [HomeScreen, EngagementScreen, PickOption]
        assert "Start a stage" in app.screen.pick_title  # type: ignore[attr-defined]


async def test_a_burst_across_the_upgrade_swap_lands_in_order(tmp_path: Path) -> None:
    """A review on an earlier questionnaire version: its first key upgrades it and the
    review screen is opened again; the keys typed with it, held meanwhile, go on first
    and in order into the new screen (`KeyOrder.replay`)."""
    import json

    from .test_versions import record_version

    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(app.catalog.resolve("oqr"), "Old")
    record_version(tmp_path / "ws", review.id, "2.0.0")
    app = deterministic_app(tmp_path / "ws", offer_demo=False, open_review_id=review.id)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "editor-customer")
        first = app.screen
        burst(app, "A", "b", "c", "backspace", "d", "tab", "X", "y", "tab", "5", "M")
        await until(pilot, lambda: app.screen is not first and answers(app).get("tcv_usd"))
        assert (answers(app)["customer"], answers(app)["opportunity"]) == ("Abd", "Xy")
        assert answers(app)["tcv_usd"] == 5_000_000
        assert app.screen.flush()  # type: ignore[attr-defined]
    path = tmp_path / "ws" / "reviews" / f"{review.id}.json"
    assert json.loads(path.read_text())["review"]["1"]["version"] == "3.0.0"


async def test_keys_behind_a_binding_that_moves_the_focus_later_find_it_moved(
    tmp_path: Path,
) -> None:
    """`F9` opens the risk panel and focuses it after the key (Textual's `focus()` is
    a call later), `F9` again closes it and puts the focus back on the question: typed
    in one burst, the first focus landed after the second, and the keys behind went
    to the closed panel."""
    app = open_at(tmp_path, "oqr", "customer")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: app.focused is not None and app.focused.id == "editor-customer")
        burst(app, "f9", "f9", "Z", "tab")
        await until(pilot, lambda: app.focused is not None and app.focused.id != "editor-customer")
        assert app.focused.id == "editor-opportunity"
        assert answers(app)["customer"] == "Z"
