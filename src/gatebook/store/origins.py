"""Where a carried register row was first raised: derived, never stored.

A carried row's stored `origin` names the row it was copied from (the previous
stage's), so a risk raised at the OQR and carried through the PESA and the S2D says
`pesa-…/large_deal_size` in the S2D. People on a call want the review that first
raised it: `first_origin` follows the chain of origins, review by review, to a row
that has none (docs/contracts.md "Risks carried forward"). A review in the chain that
cannot be read (deleted, damaged) ends the chain at the last origin known; a chain
that loops or runs longer than MAX_HOPS ends where it stands. A DQI's back-to-green
action (`DQI_ID/btg_N`) is where its row was first raised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal, Protocol

from gatebook.store.errors import StoreError
from gatebook.store.reviews import ReviewStore

MAX_HOPS = 64
Register = Literal["risk_register", "outcomes"]
"""The risk register or the outcomes register: both carry rows with an `origin`."""


class CarriedRow(Protocol):
    @property
    def origin(self) -> str | None: ...


RowsOf = Callable[[str], Mapping[str, CarriedRow] | None]
BACK_TO_GREEN = re.compile(r"^btg_[0-9]+$")
"""`DQI_ID/btg_N` names the N-th back-to-green action of that DQI, not a register row
of it: a chain of origins stops there (issue 33: inspections)."""
"""A review id's stored register rows, or None when the review cannot be read."""


def first_origin(origin: str | None, rows_of: RowsOf) -> str | None:
    """`REVIEW_ID/ROW_ID` of the first row in the chain that starts at `origin`."""
    if not origin:
        return None
    seen = {origin}
    current = origin
    for _ in range(MAX_HOPS):
        review_id, _, row_id = current.partition("/")
        if BACK_TO_GREEN.match(row_id):
            return current
        rows = rows_of(review_id)
        row = rows.get(row_id) if rows is not None else None
        if row is None or not row.origin or row.origin in seen:
            return current
        current = row.origin
        seen.add(current)
    return current


def stored_rows(store: ReviewStore, register: Register = "risk_register") -> RowsOf:
    """A `RowsOf` that reads each review from `store` once (None when it cannot); an
    outcome's chain (`register="outcomes"`) is followed through the outcomes registers."""
    cache: dict[str, Mapping[str, CarriedRow] | None] = {}

    def rows_of(review_id: str) -> Mapping[str, CarriedRow] | None:
        if review_id not in cache:
            try:
                cache[review_id] = getattr(store.get(review_id), register)
            except (StoreError, OSError, ValueError):
                cache[review_id] = None
        return cache[review_id]

    return rows_of


def first_origins(
    store: ReviewStore, rows: Mapping[str, CarriedRow], register: Register = "risk_register"
) -> dict[str, str]:
    """Row id -> first origin, for every carried row of `rows` (reviews read once each)."""
    rows_of = stored_rows(store, register)
    found: dict[str, str] = {}
    for row_id, row in rows.items():
        start = first_origin(row.origin, rows_of)
        if start is not None:
            found[row_id] = start
    return found


def origin_review(origin: str | None) -> str | None:
    """The review part of `REVIEW_ID/ROW_ID` (what a screen shows: `from REVIEW_ID`)."""
    return origin.partition("/")[0] if origin else None
