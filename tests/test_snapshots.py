"""Snapshot tests: home, review and summary at 80x24 and 120x40, deterministic.

Fixed clock and ids come from `deterministic_app`. Nothing here waits on the wall
clock: `_settle` turns every cursor blink off (a blinking cursor is on or off by the
time the picture is taken) and waits, message by message, until two pictures in a row
are the same and no focus is on its way (a review's question takes the focus once its
page is mounted), so a loaded machine takes longer but draws the same screen. Update the
stored SVGs with `pytest --snapshot-update` after a deliberate change, and look at
them before committing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from .tui_support import deterministic_app

SIZES = [(80, 24), (120, 40)]


async def _settle(pilot: Pilot[Any]) -> None:
    """Wait until the screen is steady: no blinking cursor, nothing left to draw."""
    app = pilot.app
    previous = None
    for _ in range(100):
        await pilot.pause()
        app.clear_notifications()
        for widget in app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await app.workers.wait_for_complete()
        await pilot.pause()
        picture = app.export_screenshot()
        form = getattr(app.screen, "form", None)  # a review: its question takes the focus
        if picture == previous and not getattr(form, "focus_pending", False):
            return
        previous = picture
    raise AssertionError("the screen never settled")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_home(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = deterministic_app(tmp_path / "ws")
    assert snap_compare(app, terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_review(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = deterministic_app(tmp_path / "ws")

    async def open_demo(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_demo)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_summary(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = deterministic_app(tmp_path / "ws")

    async def open_summary(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("f8")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=open_summary)


@pytest.mark.parametrize("question_id", ["contract_type", "regulated_data", "opportunity"], ids=str)
def test_no_color_focus_and_choices(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, question_id: str
) -> None:
    """Under NO_COLOR the focus, a choice's chosen option, a multichoice's selected
    options and a focused empty input are all visible (markers, not colour)."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    review = app.store.create(
        app.catalog.resolve("oqr"),
        "No colour",
        answers={"customer": "Acme", "contract_type": "tm", "regulated_data": ["pii", "pci"]},
    )
    app.open_review_id = review.id

    async def focus_it(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        screen = pilot.app.screen
        screen.goto(question_id)  # type: ignore[attr-defined]
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=focus_it)


# ---- issue 34: an engagement at 80x24 under NO_COLOR ---------------------------------


NO_COLOR_SCREENS: dict[str, tuple[str | None, list[str]]] = {
    "home": (None, []),
    "engagement": (None, ["enter"]),
    "portfolio": (None, ["P"]),
    "review": ("s2d", []),
    "summary": ("dqi", ["f8"]),
    "signoff": ("dqi", ["f8", "f10"]),
}
"""Screen name -> (the member opened at start, the keys pressed)."""


@pytest.mark.parametrize("name", list(NO_COLOR_SCREENS), ids=str)
def test_engagement_screens_no_color_80x24(
    snap_compare: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """Readable without colour at 80 columns (issue 34): cursor rows marked, one
    checkbox, fitted tables, labelled register fields, gates in words."""
    from .readable_support import engagement_run

    monkeypatch.setenv("NO_COLOR", "1")
    run = engagement_run(tmp_path / "ws", monkeypatch)
    member, keys = NO_COLOR_SCREENS[name]
    if member is not None:
        run.app.open_review_id = getattr(run, member)

    async def arrive(pilot: Pilot[Any]) -> None:
        await _settle(pilot)
        for key in keys:
            await pilot.press(key)
            await _settle(pilot)

    assert snap_compare(run.app, terminal_size=(80, 24), run_before=arrive)
