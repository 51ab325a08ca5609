"""No crash, ever, on a call: the summary of a DQI with carried rows survives adding a
risk (issue 34's `NoMatches: #mitigation-risk_1`), and every action of the summary,
engagement, portfolio and review screens leaves the app running over registers of
0, 1, 20 and 60 rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.binding import Binding
from textual.command import CommandPalette
from textual.pilot import Pilot
from textual.screen import ModalScreen, Screen
from textual.widgets import Input

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.portfolio import PortfolioScreen
from gatebook.tui.screens.records import AddRiskDialog
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen

from .engagement_support import build_engagement
from .tui_support import until


def running(app: GatebookApp) -> bool:
    return app.is_running and app.return_code is None and app._exception is None


async def test_adding_a_risk_on_a_dqi_with_carried_rows_keeps_the_app(tmp_path: Path) -> None:
    built = build_engagement(tmp_path / "ws")
    app = built.app
    app.open_review_id = built.dqi
    carried = [row.id for row in app.store.evaluate(app.store.get(built.dqi)).register]
    assert carried  # the earlier stages' open rows came with the DQI
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("f8")
        await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
        summary = app.screen
        for attempt in range(3):
            await pilot.press("f5")
            await until(pilot, lambda: isinstance(app.screen, AddRiskDialog))
            await pilot.press(*f"Key architect leaves {attempt}", "ctrl+s")
            await until(pilot, lambda: app.screen is summary)
            rows = app.store.evaluate(app.store.get(built.dqi)).register
            assert len(rows) == len(carried) + attempt + 1 or not summary.session.flush()
            await until(
                pilot,
                lambda: (
                    isinstance(app.focused, Input)
                    and (app.focused.id or "").startswith("mitigation-")
                ),
            )
            assert running(app)
        assert summary.session.flush()
        register = app.store.evaluate(app.store.get(built.dqi)).register
        assert len(register) == len(carried) + 3
        first_open = next(r for r in register if not r.mitigation.strip())
        assert app.focused is not None and app.focused.id == f"mitigation-{first_open.id}"


SKIPPED_KEYS = {"ctrl+q"}
"""Quitting ends the app by design: every other key must leave it running."""
SKIPPED_COMMANDS = ("Quit", "Screenshot", "Save screenshot")
"""The palette's own: quitting, and a screenshot written into the current folder."""

SEQUENCES: dict[type[Screen[Any]], list[tuple[str, ...]]] = {
    SummaryScreen: [
        ("f5", *"Key architect leaves", "ctrl+s"),
        ("f5", "ctrl+s"),  # no title: refused in the dialog
        ("f6", "ctrl+s"),
        ("f4", "ctrl+s"),
        ("ctrl+o", "ctrl+s"),
        ("f10", "ctrl+s"),
        ("f10", "tab", "tab", "down", "enter", "ctrl+s"),
        (*"Phased delivery", "tab", *"Stop after phase 1", "tab"),
        ("tab", "tab", "shift+tab", "f6", "escape"),
        ("f7", "ctrl+s"),
        ("f3", *"Outcome added", "ctrl+s"),  # the outcomes register (issue 33)
        ("f3", "down", "space", "down", "f6", "ctrl+s"),
        ("f3", "a", "f6", "ctrl+s"),
        ("f3", "f5", "ctrl+s"),
        ("f3", "f6", "escape", "f3", "f6", "escape"),
        ("f3", "up", "up", "space", "a", "a", "f3"),
    ],
    ReviewScreen: [
        ("1",),
        ("y", "down", "2"),
        ("f2", *"a note", "ctrl+s"),
        ("f3", *"not here", "enter"),
        ("ctrl+z",),
        ("f8", "escape"),
    ],
    EngagementScreen: [("n", "enter"), ("down", "enter")],
    PortfolioScreen: [("down", "enter"), ("end", "enter")],
}
"""Beyond every single key: the dialogs' save paths and typing, as on a call."""


class Driver:
    """Presses every key a screen binds (and the app's), runs every action the command
    palette offers there, and the sequences above; after each, the app still runs."""

    def __init__(self, pilot: Pilot[Any], app: GatebookApp) -> None:
        self.pilot = pilot
        self.app = app
        self.actions = 0

    async def settle(self) -> None:
        await until(self.pilot, lambda: not any(w.is_running for w in self.app.workers))
        assert running(self.app), f"the app stopped: {self.app._exception!r}"
        self.actions += 1

    async def home(self) -> None:
        while len(self.app.screen_stack) > 1:
            await self.app.pop_screen()
            await self.pilot.pause()

    async def back_to(self, screen: Screen[Any]) -> bool:
        """Close whatever the action opened, as a person would (escape on a dialog)."""
        for _ in range(30):
            if self.app.screen is screen:
                return True
            if screen not in self.app.screen_stack:
                return False
            top = self.app.screen
            if isinstance(top, (ModalScreen, CommandPalette)):
                await self.pilot.press("escape")
                await self.settle()
                if self.app.screen is top:  # an open list inside the dialog took it
                    continue
            else:
                await self.app.pop_screen()
                await self.settle()
        raise AssertionError(f"could not get back to {screen!r} from {self.app.screen!r}")

    async def drive(self, open_screen: Callable[[], Awaitable[Screen[Any]]]) -> None:
        screen = await open_screen()
        kind = type(screen)
        bindings = [
            binding
            for binding in [*kind.BINDINGS, *type(self.app).BINDINGS]
            if isinstance(binding, Binding)
        ]
        keys = [  # a binding's first key: its other keys run the same action
            key
            for key in (binding.key.split(",")[0].strip() for binding in bindings)
            if key not in SKIPPED_KEYS
        ]
        bound = {binding.description for binding in bindings}
        runs: list[tuple[str, ...]] = [(key,) for key in keys] + SEQUENCES.get(kind, [])
        runs.append(("ctrl+p", *"sum", "escape"))
        for run in runs:
            for key in run:
                await self.pilot.press(key)
                await self.settle()
            if isinstance(self.app.screen, ModalScreen):
                await self.pilot.press("ctrl+s")  # what the dialog saves as it stands
                await self.settle()
            if not await self.back_to(screen):
                screen = await open_screen()
        titles = [c.title for c in self.app.get_system_commands(screen)]
        for title in titles:  # the palette's own; those of the bindings ran as keys
            if title.startswith(SKIPPED_COMMANDS) or title.rpartition(" (")[0] in bound:
                continue
            commands = self.app.get_system_commands(screen)  # bound to this screen now
            command = next(c for c in commands if c.title == title)
            command.callback()
            await self.settle()
            if not await self.back_to(screen):
                screen = await open_screen()


ROW_COUNTS = [
    pytest.param(0, 0, 0, id="0-rows", marks=pytest.mark.slow),
    pytest.param(1, 0, 1, id="1-carried-row"),
    pytest.param(10, 10, 20, id="20-rows", marks=pytest.mark.slow),
    pytest.param(30, 30, 60, id="60-rows", marks=pytest.mark.slow),
]
"""Risk rows carried and own, and outcomes on the DQI."""


@pytest.mark.parametrize(("carried", "own", "outcomes"), ROW_COUNTS)
async def test_every_action_keeps_the_app_running(
    tmp_path: Path, carried: int, own: int, outcomes: int
) -> None:
    built = build_engagement(tmp_path / "ws", carried=carried, own=own, outcomes=outcomes)
    app = built.app
    register = app.store.evaluate(app.store.get(built.dqi)).register
    register = [row for row in register if row.flag is None]  # outcome flags add rows
    assert len(register) == carried + own
    assert sum(1 for row in register if row.origin) == carried
    assert len(app.store.get(built.dqi).outcomes) == outcomes
    async with app.run_test(size=(80, 24)) as pilot:
        driver = Driver(pilot, app)
        await pilot.pause()

        async def engagement() -> Screen[Any]:
            await driver.home()
            screen = EngagementScreen(built.engagement)
            await app.push_screen(screen)
            await until(pilot, lambda: screen.view is not None)
            return screen

        async def portfolio() -> Screen[Any]:
            await driver.home()
            screen = PortfolioScreen()
            await app.push_screen(screen)
            await until(pilot, lambda: screen.report is not None)
            return screen

        async def review() -> Screen[Any]:
            await driver.home()
            app.open_review(built.dqi)
            await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
            return app.screen

        async def summary() -> Screen[Any]:
            await review()
            await pilot.press("f8")
            await until(pilot, lambda: isinstance(app.screen, SummaryScreen))
            return app.screen

        for open_screen in (summary, review, engagement, portfolio):
            await driver.drive(open_screen)
        assert driver.actions > 100
        assert running(app)
