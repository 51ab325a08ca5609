"""Raising flags: each rule's levels tried in order, three-valued, and, on the
keystroke's path, only the rules that read what changed."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.engine.formatting import render_template
from gatebook.engine.undecided import possible_severities
from gatebook.questionnaire.expressions import (
    CONTEXT_HELPERS,
    called_helpers,
    expression_names,
)
from gatebook.questionnaire.models import SEVERITY_RANK, Questionnaire, RiskRule


@dataclass(frozen=True)
class RaisedFlag:
    id: str
    title: str
    category: str
    severity: str
    why: str
    mitigation: str


@dataclass(frozen=True)
class SeverityCount:
    """How many flags of each severity: what every listing of reviews shows."""

    high: int = 0
    medium: int = 0
    low: int = 0


def count_severities(severities: Iterable[object]) -> SeverityCount:
    """Count the severities of raised flags (objects' or a stored evaluation's): the
    one place flags are counted, for a review, an engagement's member or a milestone."""
    found = list(severities)
    return SeverityCount(found.count("high"), found.count("medium"), found.count("low"))


@dataclass(frozen=True)
class FlagReuse:
    """A previous evaluation's flags, and the questions whose values moved since."""

    flags: list[RaisedFlag]
    ranks: dict[str, int]
    affected: frozenset[str]


FRESH = "()"
"""In a rule's inputs: the rule calls a helper whose value does not come from the
answers alone (questionnaire.expressions.CONTEXT_HELPERS), so it is never reused."""


LATER = "(flags)"
"""In a rule's inputs: the rule reads the other flags (`other_flags_raised`), so it is
tried after every rule that does not."""


def flag_inputs(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """The questions each rule reads, in its conditions and its texts (built once)."""
    cached: dict[str, frozenset[str]] | None = questionnaire._flag_inputs
    if cached is None:
        cached = {rule.id: _reads(questionnaire, rule) for rule in questionnaire.risks}
        questionnaire._flag_inputs = cached
    return cached


def _reads(questionnaire: Questionnaire, rule: RiskRule) -> frozenset[str]:
    names: set[str] = set()
    helpers: set[str] = set()
    texts = [rule.why, rule.mitigation]
    for level in rule.ordered_levels():
        names |= expression_names(questionnaire.expression(level.when))
        helpers |= called_helpers(questionnaire.expression(level.when))
        texts += [level.why or "", level.mitigation or ""]
    for text in texts:
        for _, node, _ in questionnaire.template(text) if text else []:
            if node is not None:
                names |= expression_names(node)
                helpers |= called_helpers(node)
    if helpers & CONTEXT_HELPERS:
        names.add(FRESH)
    if "other_flags_raised" in helpers:
        names.add(LATER)
    return frozenset(names)


def unsettled(node: ast.expr, low: ConditionEvaluator, high: ConditionEvaluator) -> bool:
    fewest, most = low.evaluate(node), high.evaluate(node)
    return fewest is UNKNOWN or most is UNKNOWN or bool(fewest) != bool(most)


def raise_flags(
    questionnaire: Questionnaire, conditions: ConditionEvaluator, reuse: FlagReuse | None = None
) -> tuple[list[RaisedFlag], dict[str, int]]:
    """The raised flags, and the undecided ones (id -> the rank they sort by: the raised
    severity's, else the highest the flag can reach). Rules that read other flags
    (`other_flags_raised`) come last, over the flags the others raised."""
    flags: list[RaisedFlag] = []
    undecided: dict[str, int] = {}
    inputs = flag_inputs(questionnaire)
    before = {flag.id: flag for flag in reuse.flags} if reuse is not None else {}
    later = [rule for rule in questionnaire.risks if LATER in inputs[rule.id]]
    for risk in questionnaire.risks:
        if LATER in inputs[risk.id]:
            continue
        reads = inputs[risk.id]
        if reuse is not None and FRESH not in reads and not reads & reuse.affected:
            if risk.id in before:  # reads nothing that changed: the same outcome
                flags.append(before[risk.id])
            if risk.id in reuse.ranks:
                undecided[risk.id] = reuse.ranks[risk.id]
            continue
        _raise(questionnaire, risk, conditions, flags, undecided)
    if later:
        first, open_ = list(flags), dict(undecided)
        rules = {rule.id: rule for rule in questionnaire.risks}
        for risk in later:
            other = _other_flags_raised(risk.id, first, open_, rules)
            own = conditions.with_functions(other_flags_raised=other)
            _raise(questionnaire, risk, own, flags, undecided)
    flags.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.id))
    return flags, undecided


def _raise(
    questionnaire: Questionnaire,
    risk: RiskRule,
    conditions: ConditionEvaluator,
    flags: list[RaisedFlag],
    undecided: dict[str, int],
) -> None:
    """Try one rule's levels in order: append its flag when one holds, and its rank to
    `undecided` when a level tried is unknown."""
    unknown = False
    raised_at: str | None = None
    for level in risk.ordered_levels():
        verdict = conditions.evaluate(questionnaire.expression(level.when))
        if verdict is UNKNOWN:
            unknown = True
            continue
        if verdict is True:
            raised_at = level.severity
            if level.severity == "none":
                break
            why = level.why if level.why is not None else risk.why
            mitigation = level.mitigation if level.mitigation is not None else risk.mitigation
            flags.append(
                RaisedFlag(
                    id=risk.id,
                    title=risk.title,
                    category=risk.category,
                    severity=level.severity,
                    why=render_template(questionnaire, why, conditions),
                    mitigation=render_template(questionnaire, mitigation, conditions),
                )
            )
            break
    if unknown:
        reach = possible_severities(risk)
        best = raised_at if raised_at not in (None, "none") else None
        ranks = [SEVERITY_RANK[s] for s in reach] + ([SEVERITY_RANK[best]] if best else [])
        undecided[risk.id] = min(ranks, default=len(SEVERITY_RANK))


def _other_flags_raised(
    own: str, raised: list[RaisedFlag], open_: dict[str, int], rules: dict[str, RiskRule]
) -> Callable[..., Any]:
    """`other_flags_raised(severity, ...)` for the rule `own`: true when a flag other
    than it is raised at one of these severities, unknown while one still undecided
    could be, else false (three-valued, as any condition)."""

    def helper(*severities: Any) -> Any:
        wanted = {str(s) for s in severities} or {"high", "medium", "low"}
        if any(flag.id != own and flag.severity in wanted for flag in raised):
            return True
        if any(
            rule_id != own and possible_severities(rules[rule_id]) & wanted for rule_id in open_
        ):
            return UNKNOWN
        return False

    return helper
