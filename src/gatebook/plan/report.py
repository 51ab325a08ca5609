"""What the CLI, the app and the plan all show about a review, computed in one place.

`review_report` gives the evaluation, the status, each sign-off's state, the
escalation state and what would block a sign-off; `show`, the summary screen, the
sign-off dialog and the rendered plan all read it, so they can never disagree
(docs/contracts.md "Status and sign-off state", "Sign-off rules"). Textual-free:
scripts and CI use it headless.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gatebook.engine import Evaluation
from gatebook.engine.formatting import format_number
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import SignoffView, review_status, signoff_views
from gatebook.store.evaluation import evaluate_review
from gatebook.store.model import EscalationRecord, Review


@dataclass(frozen=True)
class EscalationState:
    """Whether the review must go to senior leadership, why, and what was decided."""

    required: bool
    reasons: list[str]
    rules: list[str]
    record: EscalationRecord | None

    @property
    def due(self) -> bool:
        """A decision is needed: none recorded, or a reason it did not answer holds now."""
        if not self.required:
            return False
        return self.record is None or any(r not in self.record.reasons for r in self.rules)

    @property
    def stopped(self) -> bool:
        return self.record is not None and self.record.decision == "stop"

    def to_json(self) -> dict[str, Any]:
        record = None
        if self.record is not None:
            record = {
                "to": self.record.to,
                "decision": self.record.decision,
                "date": self.record.date,
                "note": self.record.note or None,
            }
        return {
            "required": self.required,
            "reasons": list(self.reasons),
            "record": record,
            "decision_due": self.due,
        }


def escalation_state(review: Review, evaluation: Evaluation) -> EscalationState:
    return EscalationState(
        required=evaluation.escalate,
        reasons=list(evaluation.escalation_reasons),
        rules=list(evaluation.escalation_rules),
        record=review.escalation,
    )


@dataclass(frozen=True)
class ReviewReport:
    evaluation: Evaluation
    status: str
    signoffs: list[SignoffView]
    blockers: list[str]
    escalation: EscalationState

    def current(self) -> dict[str, SignoffView]:
        """The current (not superseded) sign-off of each role."""
        return {v.signoff.role: v for v in self.signoffs if v.current}


def _first_and_more(count: int, first: str, what: str) -> str:
    more = count - 1
    return f"{count} {what} ({first}" + (f" and {more} more)" if more else ")")


ESCALATE_HINT = "(gatebook escalate REVIEW --to NAME --decision ...)"
"""How the CLI says an escalation decision is recorded (the app says F4)."""


def sign_off_blockers(
    review: Review,
    questionnaire: Questionnaire,
    evaluation: Evaluation,
    escalate_hint: str = ESCALATE_HINT,
) -> list[str]:
    """Why a sign-off but `rejected` would need an override: missing answers, high
    risks not addressed (mitigation and contingency), a gate that decides sign-off
    not passed, an escalation without a decision."""
    reasons = []
    if evaluation.missing:
        first = evaluation.missing[0]
        question = questionnaire.question(first)
        named = f"{question.prompt} [{first}]" if question is not None else first
        reasons.append(_first_and_more(len(evaluation.missing), named, "required answers missing"))
    open_high = [row for row in evaluation.register if row.open_high]
    if open_high:
        named = f"{open_high[0].title} [{open_high[0].id}]"
        reasons.append(
            _first_and_more(
                len(open_high), named, "high risks without a mitigation and a contingency"
            )
        )
    for gate in questionnaire.gates:
        status = evaluation.gates.get(gate.id)
        if gate.decides_signoff and status is not None and not status.passed:
            reasons.append(f"gate {gate.title}: {status.met} of {status.total} met")
    escalation = escalation_state(review, evaluation)
    if escalation.due:
        reasons.append(
            "escalation required and no decision recorded for "
            + "; ".join(escalation.reasons[:2])
            + f" {escalate_hint}"
        )
    return reasons


def below_target(evaluation: Evaluation, questionnaire: Questionnaire) -> str | None:
    """Why the overall score does not reach the target, or None when it does (or
    there is no target). A partial or missing overall counts as below."""
    target = evaluation.target
    if target is None:
        return None
    goal = format_number(target)
    if evaluation.overall is None:
        return f"overall is not scored yet, below the target {goal}"
    unscored = [d for d in questionnaire.dimensions if evaluation.scores.get(d.id) is None]
    overall = format_number(evaluation.overall)
    if unscored:
        scored = len(questionnaire.dimensions) - len(unscored)
        return (
            f"overall {overall} is partial ({scored} of {len(questionnaire.dimensions)} "
            f"dimensions scored), below the target {goal}"
        )
    if evaluation.overall < target:
        return f"overall {overall} is below the target {goal}"
    return None


def review_report(
    review: Review, questionnaire: Questionnaire, evaluation: Evaluation | None = None
) -> ReviewReport:
    result = evaluation or evaluate_review(questionnaire, review)
    return ReviewReport(
        evaluation=result,
        status=review_status(review, questionnaire),
        signoffs=signoff_views(review, questionnaire),
        blockers=sign_off_blockers(review, questionnaire, result),
        escalation=escalation_state(review, result),
    )
