"""The engagement's outcomes: each outcome once, as its latest row, and what a new or
joining member starts with (docs/contracts.md "Outcomes register").

An outcome is carried as a risk is: the new member's row copies the latest row and
names it in `origin` (`REVIEW_ID/OUTCOME_ID`), so each member's row is its own to
write on while the chain says where the outcome began. A row another member copied is
superseded by the copy; rows of one outcome are told apart by where their chain of
origins begins (`first_origin`), and of two never copied from each other the latest is
the one in the last member in life-cycle order (then by creation).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.engagement.lifecycle import Member
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES, Questionnaire
from gatebook.store.model import OutcomeRow
from gatebook.store.origins import CarriedRow, first_origin
from gatebook.store.outcomes import OUTCOME_PREFIX, outcome_json
from gatebook.store.records import new_row_id

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore


@dataclass(frozen=True)
class EngagementOutcome:
    """An outcome as the engagement shows it: its latest row and the member holding it."""

    review: str
    id: str
    row: OutcomeRow
    first_origin: str | None

    def to_json(self) -> dict[str, Any]:
        """One entry of `engagement show --format json`'s `outcomes`."""
        return {**outcome_json(self.id, self.row, self.first_origin), "review": self.review}


def engagement_outcomes(
    members: list[Member], reviews: ReviewStore | None = None
) -> list[EngagementOutcome]:
    """Each outcome of the members once, as its latest row (members in life-cycle
    order, each member's rows by id). With `reviews`, a chain that leaves the members
    (a review removed since) is followed through the store."""
    held = {m.id: m.review.outcomes for m in members if m.review is not None}
    fallback = None
    if reviews is not None:
        from gatebook.store.origins import stored_rows

        fallback = stored_rows(reviews, "outcomes")

    def rows_of(review_id: str) -> Mapping[str, CarriedRow] | None:
        if review_id in held:
            return held[review_id]
        return fallback(review_id) if fallback is not None else None

    carried_on = {row.origin for rows in held.values() for row in rows.values() if row.origin}
    latest: dict[str, EngagementOutcome] = {}
    for member in members:
        for row_id, row in sorted(held.get(member.id, {}).items()):
            if f"{member.id}/{row_id}" in carried_on:
                continue  # a member's row copied from this one stands for it
            start = first_origin(row.origin, rows_of)
            key = start or f"{member.id}/{row_id}"
            latest.pop(key, None)  # a later member's row stands for the outcome
            latest[key] = EngagementOutcome(member.id, row_id, row, start)
    return list(latest.values())


def keeps_outcomes(questionnaire: Questionnaire) -> bool:
    """Whether reviews of this questionnaire version have an outcomes register (its
    `outcomes: true`); read by name so this part stands before that key exists, when
    every questionnaire counts as having one."""
    return bool(getattr(questionnaire, "outcomes", True))


def _earlier(members: list[Member], questionnaire: Questionnaire, joining: str) -> list[Member]:
    """The members a review of `questionnaire`'s stage starts from: those of its track
    at its stage or before (an earlier DQI too), never the review itself; none for a
    questionnaire version without an outcomes register."""
    stage = questionnaire.stage
    track = DELIVERY_STAGES if stage in DELIVERY_STAGES else OKR_STAGES
    if stage not in track or not keeps_outcomes(questionnaire):
        return []
    rank = track.index(stage)
    return [
        m
        for m in members
        if m.id != joining and m.stage in track and track.index(m.stage or "") <= rank
    ]


def carried_outcomes(
    members: list[Member],
    questionnaire: Questionnaire,
    *,
    joining: str = "",
    taken: frozenset[str] = frozenset(),
) -> dict[str, OutcomeRow]:
    """The outcomes a new member of `questionnaire`'s stage starts with: each outcome
    of the earlier members once, its latest row copied with `origin` naming it. A row
    keeps its id, or gets a new random one when the id is `taken` (or already used)."""
    rows: dict[str, OutcomeRow] = {}
    for outcome in engagement_outcomes(_earlier(members, questionnaire, joining)):
        row_id = outcome.id
        if row_id in rows or row_id in taken:
            row_id = new_row_id({*rows, *taken}, OUTCOME_PREFIX)
        origin = f"{outcome.review}/{outcome.id}"
        rows[row_id] = outcome.row.model_copy(update={"origin": origin})
    return rows
