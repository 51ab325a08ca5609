"""Raising flags: each rule's levels tried in order, three-valued, and, on the
keystroke's path, only the rules that read what changed."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.engine.formatting import render_template
from gatebook.engine.undecided import possible_severities
from gatebook.questionnaire.expressions import expression_names
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


def flag_inputs(questionnaire: Questionnaire) -> dict[str, frozenset[str]]:
    """The questions each rule reads, in its conditions and its texts (built once)."""
    cached: dict[str, frozenset[str]] | None = questionnaire._flag_inputs
    if cached is None:
        cached = {rule.id: _reads(questionnaire, rule) for rule in questionnaire.risks}
        questionnaire._flag_inputs = cached
    return cached


def _reads(questionnaire: Questionnaire, rule: RiskRule) -> frozenset[str]:
    names: set[str] = set()
    texts = [rule.why, rule.mitigation]
    for level in rule.ordered_levels():
        names |= expression_names(questionnaire.expression(level.when))
        texts += [level.why or "", level.mitigation or ""]
    for text in texts:
        for _, node, _ in questionnaire.template(text) if text else []:
            if node is not None:
                names |= expression_names(node)
    return frozenset(names)


def unsettled(node: ast.expr, low: ConditionEvaluator, high: ConditionEvaluator) -> bool:
    fewest, most = low.evaluate(node), high.evaluate(node)
    return fewest is UNKNOWN or most is UNKNOWN or bool(fewest) != bool(most)


def raise_flags(
    questionnaire: Questionnaire, conditions: ConditionEvaluator, reuse: FlagReuse | None = None
) -> tuple[list[RaisedFlag], dict[str, int]]:
    """The raised flags, and the undecided ones (id -> the rank they sort by: the raised
    severity's, else the highest the flag can reach)."""
    flags: list[RaisedFlag] = []
    undecided: dict[str, int] = {}
    inputs = flag_inputs(questionnaire) if reuse is not None else {}
    before = {flag.id: flag for flag in reuse.flags} if reuse is not None else {}
    for risk in questionnaire.risks:
        if reuse is not None and not inputs[risk.id] & reuse.affected:
            if risk.id in before:  # reads nothing that changed: the same outcome
                flags.append(before[risk.id])
            if risk.id in reuse.ranks:
                undecided[risk.id] = reuse.ranks[risk.id]
            continue
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
    flags.sort(key=lambda f: (SEVERITY_RANK[f.severity], f.id))
    return flags, undecided
