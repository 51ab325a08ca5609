"""Quality gates: which items are met, and why the others are not.

An item is met when it is ticked (a boolean question or a checklist item) — or, for
an item naming another kind of question (a table, a text), answered (a table with at
least one row) — and, when it carries a `when:` condition, that condition holds over
the answers and the risk register; unknown counts as not met (docs/authoring.md
"Gates"). A gate with `approve_at: N` says how many met items an `approved` sign-off
needs (plan/decision.py); the gate itself still passes only with every item met."""

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

    approve_at: int | None = None
    """How many items must be met before `approved` goes through (None: no such rule)."""

    @property
    def short_of_approval(self) -> str | None:
        """`GATE M of K met, N needed` while fewer than `approve_at` items are met."""
        if self.approve_at is None or self.met >= self.approve_at:
            return None
        return f"{self.id} {self.met} of {self.total} met, {self.approve_at} needed"


def _ticked(answer: Any, kind: str | None) -> bool:
    """A boolean or checklist item is met when yes; any other question when answered
    (text not blank, a table or a list not empty)."""
    if kind in (None, "boolean", "checklist"):
        return answer is True
    if isinstance(answer, str):
        return bool(answer.strip())
    if isinstance(answer, list | dict):
        return bool(answer)
    return answer is not None


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
            verdict = (
                True
                if gate_item.when is None
                else conditions.evaluate(questionnaire.expression(gate_item.when))
            )
            borne_out = verdict is True
            if question_id in visible and (value is None or verdict is UNKNOWN):
                undecided.append(ref)
            question = questionnaire.question(question_id)
            kind = "checklist" if item_id else (question.type if question else None)
            ticked = _ticked(answer, kind)
            met = ticked and borne_out
            items.append((ref, met))
            if not met:
                why_not: list[str] = []
                if question_id not in visible:
                    why_not.append("not asked (its condition is false)")
                elif not ticked:
                    empty = answer is None or kind not in ("boolean", "checklist")
                    why_not.append("unanswered" if empty else "answered no")
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
            approve_at=gate.approve_at,
        )
    return result
