"""A whole engagement through the app's screens, keys only (issue 34): the engagement
made with `e` on home, then OQR -> PESA -> S2D -> kickoff -> DQI -> DQI -> close, each
started with `n` on the engagement screen (the recommended stage preselected), answered
with one-key answers, its outcome added on the summary (F3), carried rows marked
mitigated together (space/a, F6), signed by every role (F10), and back with escape.
After each stage the app is still running and the engagement's stage, RAG and next
step are the ones the life cycle says. Waits are on the app's state, never on time."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Select

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.modals import PickOption, TextPrompt
from gatebook.tui.screens.outcome_dialogs import OutcomeDialog
from gatebook.tui.screens.plan import SignoffDialog
from gatebook.tui.screens.records import BulkRiskDialog, MeetingDialog
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen

from .tui_support import deterministic_app

pytestmark = pytest.mark.slow


async def until(pilot: Pilot[Any], condition: Any, tries: int = 1000) -> None:
    for _ in range(tries):
        await pilot.pause()
        assert pilot.app.is_running, "the app stopped"
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened; on {pilot.app.screen!r}")


def on(app: GatebookApp, kind: type) -> bool:
    return isinstance(app.screen, kind)


async def press(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        assert pilot.app.is_running, f"the app stopped after {key!r}"


async def type_text(pilot: Pilot[Any], text: str) -> None:
    await press(pilot, *(" " if c == " " else c for c in text))


async def start_stage(pilot: Pilot[Any], app: GatebookApp, expected: str) -> ReviewScreen:
    """`n`, enter (the recommended stage), enter (the title it proposes); a stage
    started early asks why (escape: no reason); a new review asks for the session
    (escape). Ends on the review's first question."""
    engagement = app.screen
    assert isinstance(engagement, EngagementScreen)
    await press(pilot, "n")
    await until(pilot, lambda: on(app, PickOption))
    options = app.screen.query_one(OptionList)
    picked = options.get_option_at_index(options.highlighted or 0)
    assert picked.id == expected, f"recommended {picked.id}, expected {expected}"
    await press(pilot, "enter")
    await until(pilot, lambda: on(app, TextPrompt))
    await press(pilot, "enter")
    await until(pilot, lambda: on(app, MeetingDialog) or on(app, TextPrompt))
    if on(app, TextPrompt):  # started early: why (none)
        await press(pilot, "escape")
        await until(pilot, lambda: on(app, MeetingDialog))
    await press(pilot, "escape")
    await until(pilot, lambda: on(app, ReviewScreen))
    review = app.screen
    assert isinstance(review, ReviewScreen)
    assert review.questionnaire.id == expected
    await until(pilot, lambda: not review.form.focus_pending and app.focused is not None)
    return review


async def sign_every_role(pilot: Pilot[Any], app: GatebookApp, reason: str) -> None:
    """F8, then F10 once per role: the dialog offers the next role still to sign; the
    override reason is typed where the dialog asks for one."""
    review = app.screen
    assert isinstance(review, ReviewScreen)
    await press(pilot, "f8")
    await until(pilot, lambda: on(app, SummaryScreen))
    for _ in review.questionnaire.signoff:
        await press(pilot, "f10")
        await until(pilot, lambda: on(app, SignoffDialog))
        dialog = app.screen
        override = dialog.query_one("#signoff-override", Input)
        if override.display:
            await press(pilot, "tab", "tab", "tab", "tab")
            assert app.focused is override
            await type_text(pilot, reason)
        await press(pilot, "ctrl+s")
        await until(pilot, lambda: on(app, SummaryScreen))
    assert review.session.review.signoffs  # written


async def back_to_engagement(pilot: Pilot[Any], app: GatebookApp) -> EngagementScreen:
    await press(pilot, "escape")  # summary -> review
    await until(pilot, lambda: on(app, ReviewScreen))
    await press(pilot, "escape")  # review -> engagement
    await until(pilot, lambda: on(app, EngagementScreen))
    screen = app.screen
    assert isinstance(screen, EngagementScreen)
    generation = screen._generation
    await until(pilot, lambda: screen.view is not None and not screen.workers)
    assert screen._generation == generation
    return screen


def state(screen: EngagementScreen) -> tuple[str | None, str, str | None]:
    view = screen.view
    assert view is not None
    step = view.next_step
    return view.stage, view.status, (step.questionnaire if step else None)


async def mark_every_row_mitigated(pilot: Pilot[Any], app: GatebookApp) -> None:
    """On the summary: up to the first row's heading, `a` selects every row, F6 sets the
    status for all of them (the list opened with enter: keep, open, mitigating,
    mitigated)."""
    await press(pilot, "up", "a", "f6")
    await until(pilot, lambda: on(app, BulkRiskDialog))
    await press(pilot, "enter", "down", "down", "down", "enter")
    status = app.screen.query_one(Select)
    await until(pilot, lambda: status.value == "mitigated")
    await press(pilot, "ctrl+s")
    await until(pilot, lambda: on(app, SummaryScreen))


async def test_a_whole_engagement_by_keys_at_80x24(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = deterministic_app(tmp_path / "ws", offer_demo=False)
    seen: list[tuple[str, tuple[str | None, str, str | None]]] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: on(app, HomeScreen))
        await press(pilot, "e")
        await until(pilot, lambda: on(app, TextPrompt))
        await type_text(pilot, "Acme data platform")
        await press(pilot, "enter")
        await until(pilot, lambda: "Customer" in getattr(app.screen, "prompt_title", ""))
        await type_text(pilot, "Acme")
        await press(pilot, "enter")
        await until(pilot, lambda: on(app, EngagementScreen))
        screen = app.screen
        assert isinstance(screen, EngagementScreen)
        await until(pilot, lambda: screen.view is not None)
        assert state(screen) == (None, "green", "oqr")

        # OQR: the deal's facts (customer filled in from the engagement), an outcome.
        await start_stage(pilot, app, "oqr")
        await press(pilot, "tab")
        await type_text(pilot, "Data platform")
        await press(pilot, "tab")
        await type_text(pilot, "6.2M")
        await press(pilot, "tab", "2")  # time and materials
        await press(pilot, "f8")
        await until(pilot, lambda: on(app, SummaryScreen))
        await press(pilot, "f3")  # no outcome yet: the add dialog at once
        await until(pilot, lambda: on(app, OutcomeDialog))
        await type_text(pilot, "Faster releases")
        await press(pilot, "ctrl+s")
        await until(pilot, lambda: on(app, SummaryScreen))
        await press(pilot, "escape")
        await until(pilot, lambda: on(app, ReviewScreen))
        await sign_every_role(pilot, app, "walk")
        screen = await back_to_engagement(pilot, app)
        seen.append(("oqr", state(screen)))

        # PESA: the regulated data shared from nothing; one-key answers.
        await start_stage(pilot, app, "pesa")
        await press(pilot, "3", "tab", "tab", "1", "tab", "n")
        await sign_every_role(pilot, app, "walk")
        screen = await back_to_engagement(pilot, app)
        seen.append(("pesa", state(screen)))

        # S2D: every carried row marked mitigated at once.
        await start_stage(pilot, app, "s2d")
        await press(pilot, "1", "2")
        await press(pilot, "f8")
        await until(pilot, lambda: on(app, SummaryScreen))
        await mark_every_row_mitigated(pilot, app)
        await press(pilot, "escape")
        await until(pilot, lambda: on(app, ReviewScreen))
        await sign_every_role(pilot, app, "walk")
        screen = await back_to_engagement(pilot, app)
        seen.append(("s2d", state(screen)))

        await start_stage(pilot, app, "kickoff")
        await sign_every_role(pilot, app, "walk")
        screen = await back_to_engagement(pilot, app)
        seen.append(("kickoff", state(screen)))

        # Two DQIs: the first at risk and not ready to close, the second ready.
        for ready in ("n", "y"):
            await start_stage(pilot, app, "dqi")
            await press(pilot, "tab", "tab")
            await type_text(pilot, "2036-04-10" if ready == "n" else "2036-07-01")
            await press(pilot, "tab", "pagedown", "2" if ready == "n" else "1", "tab", "tab")
            await type_text(pilot, "20" if ready == "n" else "0")
            await press(pilot, "tab", "0", "tab", ready)
            await sign_every_role(pilot, app, "walk")
            screen = await back_to_engagement(pilot, app)
            seen.append((f"dqi {ready}", state(screen)))

        await start_stage(pilot, app, "close")
        await sign_every_role(pilot, app, "walk")
        screen = await back_to_engagement(pilot, app)
        seen.append(("close", state(screen)))
        assert app.is_running

    assert seen == [
        ("oqr", ("validation", "red", "pesa")),
        ("pesa", ("sow", "red", "s2d")),
        ("s2d", ("handover", "red", "kickoff")),
        ("kickoff", ("launch", "red", "dqi")),
        ("dqi n", ("inspect", "red", "dqi")),
        ("dqi y", ("inspect", "red", "close")),
        ("close", ("close", "red", None)),
    ]
