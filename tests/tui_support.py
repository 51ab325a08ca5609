"""Deterministic apps for Pilot and snapshot tests: fixed clock, fixed ids, temp workspace."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from gatebook.tui.app import GatebookApp, make_app

from .fixed import FIXED_TIME, fixed_store

__all__ = ["FIXED_TIME", "deterministic_app", "until"]


def deterministic_app(
    home: Path, *, open_review_id: str | None = None, offer_demo: bool = True
) -> GatebookApp:
    return make_app(
        home, open_review_id=open_review_id, offer_demo=offer_demo, store=fixed_store(home)
    )


async def until(pilot: Pilot[Any], condition: Callable[[], object], tries: int = 1000) -> None:
    """Wait, message by message, for a condition: a hang guard, not a clock."""
    for _ in range(tries):
        await pilot.pause()
        if condition():
            return
        await asyncio.sleep(0.01)
    app = pilot.app
    raise AssertionError(
        f"never happened; on {app.screen!r}, focused {app.focused!r}, error {app._exception!r}"
    )
