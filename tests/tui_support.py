"""Deterministic apps for Pilot and snapshot tests: fixed clock, fixed ids, temp workspace."""

from __future__ import annotations

import itertools
from pathlib import Path

from gatebook.tui.app import GatebookApp, make_app
from gatebook.workspace import make_catalog, open_store

FIXED_TIME = "2026-11-24T09:00:00Z"


def deterministic_app(
    home: Path, *, open_review_id: str | None = None, offer_demo: bool = True
) -> GatebookApp:
    catalog = make_catalog(home)
    store = open_store(home, catalog)
    counter = itertools.count(1)
    store.clock = lambda: FIXED_TIME
    store.user = lambda: "tester"
    store.new_id = lambda prefix: f"{prefix}-{next(counter):06d}"
    return make_app(home, open_review_id=open_review_id, offer_demo=offer_demo, store=store)
