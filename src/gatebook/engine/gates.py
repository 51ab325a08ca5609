"""Quality gates: which items are met, and why the others are not.

An item is met when it is ticked (a boolean question or a checklist item) — or, for
an item naming another kind of question (a table, a text), answered (a table with at
least one row) — and, when it carries a `when:` condition, that condition holds over
the answers and the risk register; unknown counts as not met (docs/authoring.md
"Gates"). A gate with `approve_at: N` says how many met items an `approved` sign-off
needs (plan/decision.py); the gate itself still passes only with every item met."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.questionnaire.layout import Gate
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


@dataclass(frozen=True)
class _PlannedItem:
    """What a gate item's outcome depends on, read once per questionnaire."""

    ref: str
    question_id: str
    item_id: str
    when: ast.expr | None
    kind: str | None
    needs: str


def _plan(questionnaire: Questionnaire) -> list[tuple[Gate, list[_PlannedItem]]]:
    """Each gate with its items' question, checklist item, parsed `when:` and kind (built
    once: gates are checked on every evaluation)."""
    cached: list[tuple[Gate, list[_PlannedItem]]] | None = questionnaire._gate_plan
    if cached is None:
        cached = []
        for gate in questionnaire.gates:
            planned = []
            for gate_item in gate.items:
                question_id, _, item_id = gate_item.item.partition(".")
                question = questionnaire.question(question_id)
                planned.append(
                    _PlannedItem(
                        ref=gate_item.item,
                        question_id=question_id,
                        item_id=item_id,
                        when=(
                            None
                            if gate_item.when is None
                            else questionnaire.expression(gate_item.when)
                        ),
                        kind="checklist" if item_id else (question.type if question else None),
                        needs=gate_item.unmet or f"needs {gate_item.when}",
                    )
                )
            cached.append((gate, planned))
        questionnaire._gate_plan = cached
    return cached


def gate_statuses(
    questionnaire: Questionnaire,
    visible: frozenset[str],
    values: Mapping[str, Any],
    not_applicable: Mapping[str, str] | frozenset[str] | set[str],
    conditions: ConditionEvaluator,
) -> dict[str, GateStatus]:
    result: dict[str, GateStatus] = {}
    for gate, planned in _plan(questionnaire):
        items: list[tuple[str, bool | None]] = []
        reasons: list[tuple[str, str]] = []
        undecided: list[str] = []
        for item in planned:
            ref, question_id, item_id, kind = item.ref, item.question_id, item.item_id, item.kind
            if question_id in not_applicable:
                items.append((ref, None))
                continue
            asked = question_id in visible
            value = values.get(question_id) if asked else None
            answer = value.get(item_id) if item_id and isinstance(value, dict) else value
            if item_id and not isinstance(value, dict):
                answer = None
            verdict = True if item.when is None else conditions.evaluate(item.when)
            borne_out = verdict is True
            if asked and (value is None or verdict is UNKNOWN):
                undecided.append(ref)
            ticked = _ticked(answer, kind)
            met = ticked and borne_out
            items.append((ref, met))
            if not met:
                why_not: list[str] = []
                if not asked:
                    why_not.append("not asked (its condition is false)")
                elif not ticked:
                    empty = answer is None or kind not in ("boolean", "checklist")
                    why_not.append("unanswered" if empty else "answered no")
                if not borne_out:
                    why_not.append(item.needs)
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
