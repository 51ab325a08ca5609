"""What the CLI, the app and the plan all show about a review, computed in one place.

`review_report` gives the evaluation, the status, each sign-off's state and what
would block a sign-off; `show`, the summary screen, the sign-off dialog and the
rendered plan all read it, so they can never disagree (docs/contracts.md "Status
and sign-off state"). Textual-free: scripts and CI use it headless.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatebook.engine import Evaluation, evaluate
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import SignoffView, review_status, signoff_views
from gatebook.store.model import Review


@dataclass(frozen=True)
class ReviewReport:
    evaluation: Evaluation
    status: str
    signoffs: list[SignoffView]
    blockers: list[str]

    def current(self) -> dict[str, SignoffView]:
        """The current (not superseded) sign-off of each role."""
        return {v.signoff.role: v for v in self.signoffs if v.current}


def sign_off_blockers(
    review: Review, questionnaire: Questionnaire, evaluation: Evaluation
) -> list[str]:
    """Why a sign-off would need an override: missing answers, unmitigated high flags."""
    reasons = []
    if evaluation.missing:
        first = evaluation.missing[0]
        question = questionnaire.question(first)
        named = f"{question.prompt} [{first}]" if question is not None else first
        more = len(evaluation.missing) - 1
        reasons.append(
            f"{len(evaluation.missing)} required answers missing ({named}"
            + (f" and {more} more)" if more else ")")
        )
    unmitigated = [
        f
        for f in evaluation.flags
        if f.severity == "high" and not review.mitigations.get(f.id, "").strip()
    ]
    if unmitigated:
        more = len(unmitigated) - 1
        reasons.append(
            f"{len(unmitigated)} high flags without a mitigation ({unmitigated[0].title} "
            f"[{unmitigated[0].id}]" + (f" and {more} more)" if more else ")")
        )
    return reasons


def review_report(
    review: Review, questionnaire: Questionnaire, evaluation: Evaluation | None = None
) -> ReviewReport:
    result = evaluation or evaluate(questionnaire, review.answers, review.not_applicable)
    return ReviewReport(
        evaluation=result,
        status=review_status(review, questionnaire),
        signoffs=signoff_views(review, questionnaire),
        blockers=sign_off_blockers(review, questionnaire, result),
    )
