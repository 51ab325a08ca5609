"""`evaluate(questionnaire, answers, not_applicable)`: the whole risk picture, purely.

The TUI, the CLI and the plan all call this one function, so a flag raised on
screen is the flag `gatebook eval` prints. No IO, no clock, no randomness.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.engine.flags import (
    FlagReuse,
    RaisedFlag,
    count_severities,
    raise_flags,
    unsettled,
)
from gatebook.engine.formatting import render_template
from gatebook.engine.gates import GateStatus, gate_statuses
from gatebook.engine.register import RegisterRow, build_register
from gatebook.engine.registers import register_helpers, register_readers
from gatebook.engine.undecided import Undecided, flag_counters
from gatebook.engine.values import ValueProblem, stored_value
from gatebook.questionnaire.expressions import expression_names
from gatebook.questionnaire.models import EscalationRule, Question, Questionnaire

NUMERIC_TYPES = frozenset({"number", "integer", "money", "percent", "rating"})


@dataclass(frozen=True)
class CheckWarning:
    """A cross-question check that holds: its message and the questions it names."""

    id: str
    message: str
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Evaluation:
    questionnaire: str
    version: str
    visible: frozenset[str]
    missing: list[str]
    answered: int
    flags: list[RaisedFlag]
    scores: dict[str, float | None]
    overall: float | None
    target: float | None
    gates: dict[str, GateStatus]
    escalate: bool
    escalation_reasons: list[str]
    warnings: list[CheckWarning] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    escalation_rules: list[str] = field(default_factory=list)
    """The ids of the escalation rules that hold, in the order of `escalation_reasons`."""
    register: list[RegisterRow] = field(default_factory=list)
    undecided: Undecided = field(default_factory=Undecided)
    flag_ranks: dict[str, int] = field(default_factory=dict, repr=False)
    """Undecided flag id -> the rank it sorts by (what an incremental evaluation reuses)."""

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def progress(self) -> float:
        """Share of visible questions answered or marked not applicable, 0-100."""
        if not self.visible:
            return 100.0
        return round(100 * self.answered / len(self.visible), 1)

    def flag_counts(self) -> dict[str, int]:
        return asdict(count_severities(flag.severity for flag in self.flags))

    def to_json(self) -> dict[str, Any]:
        """The JSON object of `eval --format json` (docs/contracts.md), plus a few extra keys."""
        data: dict[str, Any] = {
            "questionnaire": self.questionnaire,
            "version": self.version,
            "complete": self.complete,
            "missing": list(self.missing),
            "flags": [
                {
                    "id": f.id,
                    "title": f.title,
                    "category": f.category,
                    "severity": f.severity,
                    "why": f.why,
                    "mitigation": f.mitigation,
                }
                for f in self.flags
            ],
            "scores": dict(self.scores),
            "overall": self.overall,
            "target": _plain(self.target),
            "gates": {
                g.id: {"passed": g.passed, "met": g.met, "total": g.total, "unmet": g.unmet}
                for g in self.gates.values()
            },
            "escalate": self.escalate,
            "escalation_reasons": list(self.escalation_reasons),
            "warnings": [
                {"id": w.id, "message": w.message, "questions": list(w.questions)}
                for w in self.warnings
            ],
            "progress": self.progress,
            "undecided": self.undecided.to_json(),
        }
        data.update(self.extra)
        return data


def _plain(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _round1(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def expression_value(question: Question, value: Any) -> Any:
    """An answer as conditions see it: numbers as Decimal, dates as dates."""
    if value is None:
        return UNKNOWN
    if question.type in NUMERIC_TYPES:
        return Decimal(str(value)) if not isinstance(value, bool) else UNKNOWN
    if question.type == "date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            return UNKNOWN
    return value


def evaluate(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    not_applicable: Mapping[str, str] | frozenset[str] | set[str] = frozenset(),
    *,
    register: Mapping[str, Mapping[str, Any]] | None = None,
    mitigations: Mapping[str, str] | None = None,
    outcomes: Mapping[str, Mapping[str, Any]] | None = None,
    previous: Evaluation | None = None,
    changed: frozenset[str] | None = None,
) -> Evaluation:
    """Evaluate answers (normalised values) against a questionnaire; with the review's
    register rows and mitigations, also its risk register (gate items may read it).
    `register` and `outcomes` are the review's stored rows: None where there is no
    review, and then every helper over a register is unknown (engine/registers.py).

    With the `previous` evaluation and the question ids `changed` since, a flag that
    reads none of them (nor a question whose visibility moved) keeps its previous
    outcome instead of being evaluated again: the keystroke's path (the result is
    the same as a full evaluation; tests/test_speed.py checks it)."""
    questions = questionnaire.questions()
    raw_values: dict[str, Any] = {}
    invalid: dict[str, str] = {}
    for question in questions:
        if question.id in not_applicable:
            continue
        value = answers.get(question.id)
        if value is None:
            continue
        try:
            value = stored_value(question, value)
        except ValueProblem as problem:  # a hand edit, or a newer questionnaire's rules
            invalid[question.id] = str(problem)
            continue
        except (ValueError, TypeError, RecursionError) as error:
            invalid[question.id] = f"cannot read the stored value ({type(error).__name__})"
            continue
        if value is not None:  # a multichoice's [] is an answer: nothing selected
            raw_values[question.id] = expression_value(question, value)

    over_registers = register_helpers(outcomes, register)
    shown = ConditionEvaluator(raw_values, extra=over_registers)
    visible: list[Question] = [
        q for q in questions if not q.show_if or shown.holds(questionnaire.expression(q.show_if))
    ]
    visible_ids = frozenset(q.id for q in visible)
    values = {k: v for k, v in raw_values.items() if k in visible_ids}
    conditions = ConditionEvaluator(values, extra=over_registers)

    missing: list[str] = []
    answered = 0
    for question in visible:
        if question.id in not_applicable or question.id in values:
            answered += 1
            continue
        required = question.required or (
            question.required_if is not None
            and conditions.holds(questionnaire.expression(question.required_if))
        )
        if required:
            missing.append(question.id)

    reuse = None
    if previous is not None and changed is not None:
        reuse = FlagReuse(
            previous.flags, previous.flag_ranks, changed | (visible_ids ^ previous.visible)
        )
    flags, undecided_flags = raise_flags(questionnaire, conditions, reuse)
    if outcomes is None and register is None:  # no review: nothing to ask that settles them
        for flag_id in register_readers(questionnaire) & undecided_flags.keys():
            del undecided_flags[flag_id]
    scores, overall = _score(questionnaire, visible, values)
    rows = build_register(questionnaire, flags, register or {}, mitigations or {})

    def count_flags(severity: Any = None, category: Any = None) -> Decimal:
        return Decimal(
            sum(
                1
                for f in flags
                if (severity is None or f.severity == severity)
                and (category is None or f.category == category)
            )
        )

    warnings = [
        CheckWarning(
            check.id,
            render_template(questionnaire, check.message, conditions),
            tuple(sorted(expression_names(questionnaire.expression(check.when)))),
        )
        for check in questionnaire.checks
        if conditions.holds(questionnaire.expression(check.when))
    ]
    escalation = ConditionEvaluator(values, count_flags=count_flags, extra=over_registers)
    verdicts = [
        (rule, escalation.evaluate(questionnaire.expression(rule.when)))
        for rule in questionnaire.escalation
    ]
    rules = [rule for rule, verdict in verdicts if verdict is True]
    undecided_rules = _undecided_escalation(
        questionnaire, verdicts, flags, undecided_flags, values, over_registers
    )
    reasons = [render_template(questionnaire, rule.reason, escalation) for rule in rules]
    gate_conditions = ConditionEvaluator(
        values,
        count_flags=count_flags,
        extra={
            **over_registers,
            "risk_rows": lambda: Decimal(len(rows)),
            "risks_unaddressed": lambda: Decimal(sum(1 for row in rows if row.open_high)),
        },
    )
    gates = gate_statuses(questionnaire, visible_ids, values, not_applicable, gate_conditions)
    return Evaluation(
        questionnaire=questionnaire.id,
        version=questionnaire.version,
        visible=visible_ids,
        missing=missing,
        answered=answered,
        flags=flags,
        scores=scores,
        overall=overall,
        target=questionnaire.target if questionnaire.dimensions else None,
        gates=gates,
        escalate=bool(reasons),
        escalation_reasons=reasons,
        escalation_rules=[rule.id for rule in rules],
        register=rows,
        flag_ranks=undecided_flags,
        undecided=Undecided(
            flags=sorted(undecided_flags, key=lambda f: (undecided_flags[f], f)),
            escalation=undecided_rules,
            gates={g.id: list(g.undecided) for g in gates.values() if g.undecided},
        ),
        warnings=warnings,
        extra={
            **(
                {"pillars": _pillars(questionnaire, visible_ids, values, not_applicable, flags)}
                if questionnaire.pillar_counts
                else {}
            ),
            **({"invalid": invalid} if invalid else {}),
        },
    )


def _undecided_escalation(
    questionnaire: Questionnaire,
    verdicts: list[tuple[EscalationRule, Any]],
    flags: list[RaisedFlag],
    undecided_flags: dict[str, int],
    values: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> list[str]:
    """The escalation rules the answers do not settle yet. With every flag settled,
    count_flags at its fewest and at its most is count_flags itself: a rule is then
    unsettled exactly when its verdict is unknown (no second and third evaluation)."""
    if not undecided_flags:
        return [rule.id for rule, verdict in verdicts if verdict is UNKNOWN]
    return _undecided_by_counting(questionnaire, flags, undecided_flags, values, extra)


def _undecided_by_counting(
    questionnaire: Questionnaire,
    flags: list[RaisedFlag],
    undecided_flags: dict[str, int],
    values: Mapping[str, Any],
    extra: Mapping[str, Any],
) -> list[str]:
    """Each rule evaluated with count_flags at its fewest and at its most: unsettled
    where either is unknown or they differ."""
    fewest, most = flag_counters(
        questionnaire.risks, {f.id: (f.severity, f.category) for f in flags}, undecided_flags
    )
    low, high = (ConditionEvaluator(values, count_flags=c, extra=extra) for c in (fewest, most))
    return [
        rule.id
        for rule in questionnaire.escalation
        if unsettled(questionnaire.expression(rule.when), low, high)
    ]


def _pillars(
    questionnaire: Questionnaire,
    visible: frozenset[str],
    values: Mapping[str, Any],
    not_applicable: Mapping[str, str] | frozenset[str] | set[str],
    flags: list[RaisedFlag],
) -> dict[str, dict[str, int]]:
    """Per-section counts of question risk, as the AWS console counts a lens pillar's."""
    severity = {f.id: f.severity for f in flags}
    result: dict[str, dict[str, int]] = {}
    for section in questionnaire.sections:
        counts = {"high": 0, "medium": 0, "none": 0, "not_applicable": 0, "unanswered": 0}
        for question in section.questions:
            if question.id in not_applicable or question.id not in visible:
                counts["not_applicable"] += 1
            elif question.id not in values or values[question.id] == []:
                counts["unanswered"] += 1  # the console counts an empty selection so
            else:
                level = severity.get(question.id, "none")
                counts[level if level in counts else "medium"] += 1
        result[section.id] = counts
    return result


def _score(
    questionnaire: Questionnaire, visible: list[Question], values: Mapping[str, Any]
) -> tuple[dict[str, float | None], float | None]:
    ratings: dict[str, list[Decimal]] = {d.id: [] for d in questionnaire.dimensions}
    for question in visible:
        if question.type != "rating" or question.dimension is None:
            continue
        value = values.get(question.id)
        if value is None or value is UNKNOWN:
            continue
        top = len(question.scale_labels()) - 1
        ratings[question.dimension].append(Decimal(value) / Decimal(top))
    exact: dict[str, Decimal | None] = {
        key: (sum(found, Decimal(0)) * 100 / len(found)) if found else None
        for key, found in ratings.items()
    }
    scores = {key: (_round1(v) if v is not None else None) for key, v in exact.items()}
    weighted = [
        (Decimal(str(d.weight)), exact[d.id])
        for d in questionnaire.dimensions
        if exact[d.id] is not None
    ]
    if not weighted:
        return scores, None
    total_weight = sum((w for w, _ in weighted), Decimal(0))
    overall = sum((w * s for w, s in weighted if s is not None), Decimal(0)) / total_weight
    return scores, _round1(overall)
