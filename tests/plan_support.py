"""Deterministic reviews for plan tests: fixed clock, ids and user."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from gatebook.engine.answers import read_answers
from gatebook.store import Change, ReviewStore
from gatebook.store.model import Review
from gatebook.workspace import make_catalog

from .fixed import FIXED_TIME, fixed_store

__all__ = ["FIXED_TIME", "filled_review", "fixed_store"]


def filled_review(store: ReviewStore, questionnaire_id: str, version: str | None = None) -> Review:
    """The built-in example raising the most flags, plus a note, N/A, follow-up, mitigation;
    on the live questionnaire, or on `version` (a shipped earlier built-in)."""
    catalog = make_catalog(store.home)
    questionnaire = (
        catalog.resolve(questionnaire_id)
        if version is None
        else catalog.resolve_version(questionnaire_id, version)
    )
    example = max(questionnaire.examples, key=lambda e: len(e.flags))
    read = read_answers(questionnaire, example.answers)
    review = store.create(
        questionnaire, f"{questionnaire.title}: golden", subject="Golden Corp", answers=read.answers
    )
    unanswered = [q for q in questionnaire.questions() if q.id not in read.answers]
    first = next(iter(read.answers))
    changes: list[tuple[str, str, Any]] = [
        ("note", first, "Confirmed on the call;\nsee the follow-up."),
        ("follow_up", first, True),
    ]
    if unanswered:
        changes.append(("not_applicable", unanswered[-1].id, "Not relevant for this deal."))
    flags = store.evaluate(review).flags
    if flags:
        changes.append(("mitigation", flags[0].id, "Weekly steering call with the sponsor."))
    store.update(review.id, [Change(kind, key, value) for kind, key, value in changes])
    return store.get(review.id)


def recorded_review(store: ReviewStore, questionnaire_id: str) -> Review:
    """`filled_review` plus what a review records besides answers: a register row
    written on and one added by hand, a session and, when required, the escalation
    record (what format-3 plans show)."""
    from gatebook.store.records import escalation_change, meeting_change, new_risk, risk_changes

    review = filled_review(store, questionnaire_id)
    questionnaire = store.questionnaire_for(review)
    evaluation = store.evaluate(review)
    changes = [
        meeting_change(
            review,
            date="2026-11-24",
            attendees=["Ana Lima, Golden Corp, Inc., CTO", "Bo Chen, Delivery, Engagement Lead"],
            notes="Walked through the facts;\nagreed the next steps.",
        )
    ]
    if evaluation.register:
        changes += risk_changes(
            review,
            questionnaire,
            evaluation,
            evaluation.register[0].id,
            contingency="Stop after phase 1.",
            owner="Ana Lima",
            due="2026-12-15",
            status="mitigating",
        )
    _, added = new_risk(
        review, questionnaire, "Key architect | may leave", severity="high", impact="high"
    )
    changes += [replace(change, key="risk_1") for change in added]  # a row from before ids
    if evaluation.escalate:
        changes.append(
            escalation_change(
                evaluation,
                to="Maria Ortiz, VP Delivery",
                decision="proceed-with-conditions",
                date="2026-11-25",
                note="Phase gates agreed.",
            )
        )
    store.update(review.id, changes)
    return store.get(review.id)
