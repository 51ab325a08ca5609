"""The one fixed clock, user and id sequence every deterministic test uses."""

from __future__ import annotations

import itertools
from pathlib import Path

from gatebook.store import ReviewStore
from gatebook.workspace import make_catalog, open_store

FIXED_TIME = "2026-11-24T09:00:00Z"
FIXED_USER = "tester"


def fixed_store(home: Path) -> ReviewStore:
    """The workspace's store with a fixed clock, user and ids (`oqr-000001`, ...)."""
    store = open_store(home, make_catalog(home))
    counter = itertools.count(1)
    store.clock = lambda: FIXED_TIME
    store.user = lambda: FIXED_USER
    store.new_id = lambda prefix: f"{prefix}-{next(counter):06d}"
    return store
