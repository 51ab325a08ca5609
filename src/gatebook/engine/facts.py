"""Facts a plan chapter states from the answers: `lines:` templates such as
'Security share of effort: {ratio(security_hours, total_hours):share}'."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gatebook.engine.evaluate import Evaluation, expression_value
from gatebook.engine.expressions import ConditionEvaluator
from gatebook.engine.formatting import render_template
from gatebook.engine.values import ValueProblem, stored_value
from gatebook.questionnaire.models import Questionnaire


def render_facts(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    evaluation: Evaluation,
    templates: list[str],
) -> list[str]:
    """Each template with the answers asked now; a value not answered reads
    '(unanswered)', never a crash."""
    values: dict[str, Any] = {}
    for question in questionnaire.questions():
        raw = answers.get(question.id)
        if raw is None or question.id not in evaluation.visible:
            continue
        try:
            values[question.id] = expression_value(question, stored_value(question, raw))
        except (ValueProblem, ValueError, TypeError, RecursionError):
            continue
    evaluator = ConditionEvaluator(values)
    return [render_template(questionnaire, template, evaluator) for template in templates]
