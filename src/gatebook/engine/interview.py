"""What to ask next: the unanswered questions that settle the most undecided items.

Which questions each item reads is taken from its expressions once per
questionnaire (`dependency_graph`, cached): a flag reads the questions its levels
name; a rule that counts flags reads every question those flags read; a gate item
reads its checklist question and the names in its `when:` (the register helpers
read every flag's questions); and a question read through another's `show_if` is
read too, transitively. Ranking is then a count over those sets, never a trial of
values (docs/contracts.md "gatebook next").
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gatebook.engine.evaluate import Evaluation
from gatebook.engine.flags import LATER, flag_inputs
from gatebook.engine.undecided import Undecided, possible_severities
from gatebook.questionnaire.expressions import REGISTER_HELPERS, expression_names
from gatebook.questionnaire.models import Questionnaire, RiskRule

DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class DependencyGraph:
    """For each item, the questions that can decide it (show_if chains included)."""

    flags: dict[str, frozenset[str]]
    escalation: dict[str, frozenset[str]]
    gates: dict[tuple[str, str], frozenset[str]]
    order: dict[str, int]
    sections: dict[str, str]
    high: frozenset[str]
    """Flags that count as high: any of their levels is high."""


@dataclass(frozen=True)
class NextQuestion:
    question: str
    prompt: str
    section: str
    decides: Undecided
    probes: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "prompt": self.prompt,
            "section": self.section,
            "decides": self.decides.to_json(),
            "probes": list(self.probes),
        }


def _calls(node: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]


def _counted_flags(node: ast.AST, rules: list[RiskRule]) -> list[RiskRule]:
    """The flags a condition counts: `count_flags(severity=..., category=...)` (literal
    arguments narrow them) and the register helpers (every flag)."""
    counted: list[RiskRule] = []
    for call in _calls(node):
        name = call.func.id  # type: ignore[attr-defined]
        if name in REGISTER_HELPERS:
            return list(rules)
        if name != "count_flags":
            continue
        given = {
            k.arg: k.value.value
            for k in call.keywords
            if k.arg and isinstance(k.value, ast.Constant)
        }
        counted += [
            rule
            for rule in rules
            if given.get("severity") in (None, *possible_severities(rule))
            and given.get("category") in (None, rule.category)
        ]
    return counted


def dependency_graph(questionnaire: Questionnaire) -> DependencyGraph:
    cached: DependencyGraph | None = getattr(questionnaire, "_dependency_graph", None)
    if cached is not None:
        return cached
    shown_by: dict[str, set[str]] = {
        q.id: expression_names(questionnaire.expression(q.show_if)) if q.show_if else set()
        for q in questionnaire.questions()
    }

    def closure(names: set[str]) -> frozenset[str]:
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            seen.add(name)
            todo.extend(shown_by.get(name, ()))
        return frozenset(seen)

    def read(source: str) -> set[str]:
        return expression_names(questionnaire.expression(source))

    flag_names = {
        rule.id: set().union(*(read(level.when) for level in rule.ordered_levels()))
        for rule in questionnaire.risks
    }
    later = [r.id for r in questionnaire.risks if LATER in flag_inputs(questionnaire)[r.id]]
    others = set().union(*(names for key, names in flag_names.items() if key not in later))
    for key in later:  # a rule over the other flags reads what they read
        flag_names[key] = flag_names[key] | others

    def with_counted(source: str) -> set[str]:
        node = questionnaire.expression(source)
        names = set(expression_names(node))
        for rule in _counted_flags(node, questionnaire.risks):
            names |= flag_names[rule.id]
        return names

    graph = DependencyGraph(
        flags={key: closure(names) for key, names in flag_names.items()},
        escalation={rule.id: closure(with_counted(rule.when)) for rule in questionnaire.escalation},
        gates={
            (gate.id, item.item): closure(
                {item.item.partition(".")[0]} | (with_counted(item.when) if item.when else set())
            )
            for gate in questionnaire.gates
            for item in gate.items
        },
        order={q.id: index for index, q in enumerate(questionnaire.questions())},
        sections={q.id: s.id for s in questionnaire.sections for q in s.questions},
        high=frozenset(r.id for r in questionnaire.risks if "high" in possible_severities(r)),
    )
    questionnaire._dependency_graph = graph
    return graph


def next_questions(
    questionnaire: Questionnaire,
    evaluation: Evaluation,
    answers: Mapping[str, Any],
    not_applicable: Mapping[str, str] | frozenset[str] | set[str],
    limit: int | None = DEFAULT_LIMIT,
) -> list[NextQuestion]:
    """The questions to ask next, best first (docs/contracts.md "gatebook next")."""
    graph = dependency_graph(questionnaire)
    undecided = evaluation.undecided
    candidates = {
        q.id: q
        for q in questionnaire.questions()
        if q.id in evaluation.visible and answers.get(q.id) is None and q.id not in not_applicable
    }
    # Count over each undecided item's questions (not each candidate over every item), so
    # a 1,000-question lens ranks in about as many steps as it has undecided items.
    flags: dict[str, list[str]] = {}
    escalation: dict[str, list[str]] = {}
    gates: dict[str, dict[str, list[str]]] = {}
    for flag in undecided.flags:
        for qid in graph.flags.get(flag, ()):
            if qid in candidates:
                flags.setdefault(qid, []).append(flag)
    for rule in undecided.escalation:
        for qid in graph.escalation.get(rule, ()):
            if qid in candidates:
                escalation.setdefault(qid, []).append(rule)
    for gate, items in undecided.gates.items():
        for ref in items:
            for qid in graph.gates.get((gate, ref), ()):
                if qid in candidates:
                    gates.setdefault(qid, {}).setdefault(gate, []).append(ref)
    missing = set(evaluation.missing)
    rules = {rule.id: rule for rule in questionnaire.risks}
    keys: list[tuple[int, int, int, int, str]] = []
    for qid in candidates:
        decided = flags.get(qid, ())
        count = (
            len(decided)
            + len(escalation.get(qid, ()))
            + sum(len(items) for items in gates.get(qid, {}).values())
        )
        high = sum(1 for f in decided if f in graph.high)
        keys.append((-high, -count, 0 if qid in missing else 1, graph.order[qid], qid))
    keys.sort()
    chosen = keys if limit is None else keys[:limit]
    shown: list[NextQuestion] = []
    for *_, qid in chosen:  # only the questions listed are built
        decided = flags.get(qid, [])
        decides = Undecided(
            flags=decided, escalation=escalation.get(qid, []), gates=gates.get(qid, {})
        )
        probes = list(dict.fromkeys(p for f in decided for p in rules[f].probes))
        prompt = candidates[qid].prompt
        shown.append(NextQuestion(qid, prompt, graph.sections[qid], decides, probes))
    return shown


def probes_for(questionnaire: Questionnaire, evaluation: Evaluation, question_id: str) -> list[str]:
    """What to ask about the flags a question decides or has raised (the app's panel)."""
    graph = dependency_graph(questionnaire)
    live = set(evaluation.undecided.flags) | {flag.id for flag in evaluation.flags}
    return list(
        dict.fromkeys(
            probe
            for rule in questionnaire.risks
            if rule.id in live and question_id in graph.flags.get(rule.id, ())
            for probe in rule.probes
        )
    )
