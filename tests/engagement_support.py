"""A real engagement for app tests: OQR with flags -> PESA -> S2D -> kickoff -> DQI,
built with the store's own calls (the ones `gatebook new --engagement` and `gatebook
risk` make), with a DQI register of exactly the rows a test asks for."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gatebook.engagement.members import create_member
from gatebook.engagement.store import EngagementStore
from gatebook.store.model import OUTCOME_STATUSES
from gatebook.store.outcomes import new_outcome
from gatebook.store.records import new_risk, risk_changes
from gatebook.tui.app import GatebookApp

from .tui_support import deterministic_app

RISKY_DEAL = {
    "customer": "Acme",
    "tcv_usd": 6_000_000,
    "production_access": True,
    "custom_ai_ml": True,
    "regulated_data": ["pii"],
}


@dataclass(frozen=True)
class Engagement:
    app: GatebookApp
    engagement: str
    members: list[str]
    dqi: str


def build_engagement(
    home: Path, *, carried: int | None = None, own: int = 0, outcomes: int = 0
) -> Engagement:
    """The life cycle up to a DQI. `carried=None` carries every open row the earlier
    stages raised (the issue's case); a number closes those (status `accepted`) and
    carries that many rows added by hand on the kickoff instead; `own` rows are added
    to the DQI itself, and `outcomes` outcomes (statuses in turn)."""
    app = deterministic_app(home, offer_demo=False)
    store = app.store
    engagement = (
        EngagementStore(store)
        .create("Acme platform", start="2026-01-05", shared={"customer": "Acme"})
        .id
    )
    members: list[str] = []
    for questionnaire_id, answers in (
        ("oqr", RISKY_DEAL),
        ("pesa", {}),
        ("s2d", {}),
        ("kickoff", {}),
    ):
        made = create_member(
            store,
            engagement,
            app.catalog.resolve(questionnaire_id),
            f"Acme {questionnaire_id}",
            override="test: stages out of order",
            answers=answers,
        )
        members.append(made.review.id)
    if carried is not None:
        _replace_open_rows(app, members[-1], carried)
    dqi = create_member(
        store, engagement, app.catalog.resolve("dqi"), "Acme DQI 1", override="test"
    ).review.id
    for number in range(own):
        review = store.get(dqi)
        _, changes = new_risk(review, store.questionnaire_for(review), f"Own risk {number + 1}")
        store.update(dqi, changes)
    for number in range(outcomes):
        review = store.get(dqi)
        status = OUTCOME_STATUSES[number % len(OUTCOME_STATUSES)]
        title = f"Outcome {number + 1}"
        _, changes = new_outcome(review, title, status=status)
        store.update(dqi, changes)
    return Engagement(app, engagement, members, dqi)


def _replace_open_rows(app: GatebookApp, review_id: str, carried: int) -> None:
    """Every open row of the review accepted (not carried on), then `carried` new
    open rows added by hand (carried on)."""
    store = app.store
    review = store.get(review_id)
    questionnaire = store.questionnaire_for(review)
    for row in store.evaluate(review).register:
        review = store.get(review_id)
        changes = risk_changes(
            review, questionnaire, store.evaluate(review), row.id, status="accepted"
        )
        store.update(review_id, changes)
    for number in range(carried):
        review = store.get(review_id)
        _, changes = new_risk(review, questionnaire, f"Carried risk {number + 1}")
        store.update(review_id, changes)
