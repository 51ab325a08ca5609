"""Deterministic apps for Pilot and snapshot tests: fixed clock, fixed ids, temp workspace."""

from __future__ import annotations

from pathlib import Path

from gatebook.tui.app import GatebookApp, make_app

from .fixed import FIXED_TIME, fixed_store

__all__ = ["FIXED_TIME", "deterministic_app"]


def deterministic_app(
    home: Path, *, open_review_id: str | None = None, offer_demo: bool = True
) -> GatebookApp:
    return make_app(
        home, open_review_id=open_review_id, offer_demo=offer_demo, store=fixed_store(home)
    )
