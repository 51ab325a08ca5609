"""Quality gates: which items are met, and why the others are not.

An item is met when it is ticked (a boolean question or a checklist item; a choice
question counts as ticked once answered, so its `when:` decides) and, when
it carries a `when:` condition, that condition holds over the answers and the risk
register; unknown counts as not met (docs/authoring.md "Gates")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.questionnaire.models import Questionnaire


@dataclass(frozen=True)
class GateStatus:
    id: str
    title: str
    met: int
    total: int
    items: tuple[tuple[str, bool | None], ...]

    @property
    def passed(self) -> bool:
        return self.total > 0 and self.met == self.total

    reasons: tuple[tuple[str, str], ...] = ()
    """Why each unmet item is unmet: `unanswered` or `answered no`."""
    undecided: tuple[str, ...] = ()
    """Items whose outcome the answers do not settle yet: unanswered, or a `when:` that is
    unknown."""

    @property
    def unmet(self) -> list[str]:
        """The items not met (not answered, or answered no); N/A items do not count."""
        return [ref for ref, met in self.items if met is False]

    def why_unmet(self, ref: str) -> str:
        return dict(self.reasons).get(ref, "unanswered")


def _is_choice(questionnaire: Questionnaire, question_id: str) -> bool:
    question = questionnaire.question(question_id)
    return question is not None and question.type == "choice"


def gate_statuses(
    questionnaire: Questionnaire,
    visible: frozenset[str],
    values: Mapping[str, Any],
    not_applicable: Mapping[str, str] | frozenset[str] | set[str],
    conditions: ConditionEvaluator,
) -> dict[str, GateStatus]:
    result: dict[str, GateStatus] = {}
    for gate in questionnaire.gates:
        items: list[tuple[str, bool | None]] = []
        reasons: list[tuple[str, str]] = []
        undecided: list[str] = []
        for gate_item in gate.items:
            ref = gate_item.item
            question_id, _, item_id = ref.partition(".")
            if question_id in not_applicable:
                items.append((ref, None))
                continue
            value = values.get(question_id) if question_id in visible else None
            answer = value.get(item_id) if item_id and isinstance(value, dict) else value
            if item_id and not isinstance(value, dict):
                answer = None
            if not item_id and _is_choice(questionnaire, question_id):
                answer = None if value in (None, "") else True  # a choice is ticked by answering
            verdict = (
                True
                if gate_item.when is None
                else conditions.evaluate(questionnaire.expression(gate_item.when))
            )
            borne_out = verdict is True
            if question_id in visible and (value is None or verdict is UNKNOWN):
                undecided.append(ref)
            met = answer is True and borne_out
            items.append((ref, met))
            if not met:
                why_not: list[str] = []
                if question_id not in visible:
                    why_not.append("not asked (its condition is false)")
                elif answer is not True:
                    why_not.append("unanswered" if answer is None else "answered no")
                if not borne_out:
                    why_not.append(gate_item.unmet or f"needs {gate_item.when}")
                reasons.append((ref, "; ".join(why_not)))
        counted = [met for _, met in items if met is not None]
        result[gate.id] = GateStatus(
            id=gate.id,
            title=gate.title,
            met=sum(1 for met in counted if met),
            total=len(counted),
            items=tuple(items),
            reasons=tuple(reasons),
            undecided=tuple(undecided),
        )
    return result
