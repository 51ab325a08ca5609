"""A stored review evaluated with everything it holds: answers, N/A, the risk register
rows and mitigations, and the outcomes register (conditions may read the registers)."""

from __future__ import annotations

from gatebook.engine import Evaluation, evaluate
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.model import Review


def evaluate_review(
    questionnaire: Questionnaire,
    review: Review,
    previous: Evaluation | None = None,
    changed: frozenset[str] | None = None,
) -> Evaluation:
    """With `previous` and the question ids `changed` since, rules that read nothing
    that changed keep their outcome (the app's keystroke path)."""
    return evaluate(
        questionnaire,
        review.answers,
        review.not_applicable,
        register={key: row.model_dump() for key, row in review.risk_register.items()},
        mitigations=review.mitigations,
        outcomes={key: row.model_dump() for key, row in review.outcomes.items()},
        previous=previous,
        changed=changed,
    )
