"""Conditions compiled once into closures give what walking the parsed tree gave.

The reference is ConditionEvaluator dispatching each node to its method (simpleeval's
way, what evaluation did before conditions were compiled), run over every built-in
questionnaire with answers drawn from its examples."""

from __future__ import annotations

import ast
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from gatebook.engine import evaluate
from gatebook.engine.answers import read_answers
from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator, _dispatch, compiled
from gatebook.questionnaire.catalog import builtin_dir
from gatebook.questionnaire.expressions import parse_expression

BUILT_IN = sorted(p.stem for p in builtin_dir().glob("*.yaml"))


def _walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluate by dispatching every node to its method, as before compiling."""

    def walk(self: ConditionEvaluator, node: ast.AST) -> Any:
        return _dispatch()[type(node)](self, node)

    def evaluate_walked(self: ConditionEvaluator, node: ast.expr) -> Any:
        try:
            return walk(self, node)
        except (TypeError, ArithmeticError, ValueError, KeyError, AttributeError):
            return UNKNOWN

    monkeypatch.setattr(ConditionEvaluator, "_eval", walk)
    monkeypatch.setattr(ConditionEvaluator, "evaluate", evaluate_walked)


def _answer_sets(questionnaire: Any, seed: int) -> list[tuple[dict[str, Any], dict[str, str]]]:
    """Each example's answers, then seeded mixes of them with clears and N/A marks."""
    found = []
    pool: list[tuple[str, Any]] = []
    for example in questionnaire.examples:
        read = read_answers(questionnaire, example.answers)
        found.append((dict(read.answers), dict.fromkeys(read.not_applicable, "n/a")))
        pool += list(read.answers.items())
    rng = random.Random(seed)
    answers: dict[str, Any] = {}
    not_applicable: dict[str, str] = {}
    for _ in range(60 if pool else 0):
        key, value = rng.choice(pool)
        roll = rng.random()
        if roll < 0.1:
            answers.pop(key, None)
        elif roll < 0.15:
            not_applicable[key] = "n/a"
        else:
            not_applicable.pop(key, None)
            answers[key] = value
        found.append((dict(answers), dict(not_applicable)))
    return found


@pytest.mark.parametrize("name", BUILT_IN)
def test_compiled_conditions_evaluate_as_the_walked_tree(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    from gatebook.workspace import make_catalog

    questionnaire = make_catalog(isolated_home).resolve(name)
    cases = _answer_sets(questionnaire, seed=len(name))
    registers: list[dict[str, Any]] = [
        {},
        {"register": {}, "outcomes": {}},
        {
            "register": {"r1": {"title": "Old", "origin": "x/y", "due": "2020-01-01"}},
            "outcomes": {"o1": {"title": "Grow", "status": "planned"}},
        },
    ]
    fast = [
        evaluate(questionnaire, answers, na, **extra).to_json()
        for answers, na in cases
        for extra in registers
    ]
    _walked(monkeypatch)
    walked = [
        evaluate(questionnaire, answers, na, **extra).to_json()
        for answers, na in cases
        for extra in registers
    ]
    assert fast == walked


NAMES = {"a", "b", "items"}


@pytest.mark.parametrize(
    "source",
    [
        "a > 1 and b",
        "a > 1 or not b",
        "1 < a < b",
        "-a + b * 2 - a / b % 3 == 1",
        "a in items and 'x' not in items",
        "answered(a) and not answered(b)",
        "len(items) > missing_helper(a)",
        "max(a, b, 1) >= ratio(a, b)",
        "[a, b] == (a, b)",
        "a / 0 > 1",
        "true and a",
        "true or a > 0x" + "f" * 4000,  # a constant that cannot be read, never reached
        "a > 0x" + "f" * 4000,
    ],
)
@pytest.mark.parametrize(
    "names",
    [
        {},
        {"a": Decimal(2), "b": Decimal(3), "items": ["x"]},
        {"a": Decimal(0), "b": True, "items": "text"},
        {"a": "word", "b": None, "items": []},
    ],
)
def test_each_node_kind_compiles_to_the_same_value(
    monkeypatch: pytest.MonkeyPatch, source: str, names: dict[str, Any]
) -> None:
    node = ast.parse(source, mode="eval").body  # unchecked: a helper may be missing
    evaluator = ConditionEvaluator(names)
    fast = evaluator.evaluate(node)
    _walked(monkeypatch)
    assert evaluator.evaluate(node) == fast
    assert type(evaluator.evaluate(node)) is type(fast)


def test_a_node_is_compiled_once() -> None:
    node = parse_expression("a > 1", NAMES)
    assert compiled(node) is compiled(node)


@pytest.mark.parametrize("name", BUILT_IN)
def test_settled_flags_leave_escalation_undecided_as_counting_both_ways_does(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """With no flag undecided, an escalation rule is undecided when its verdict is
    unknown: what evaluating it with count_flags at its fewest and most gives."""
    import importlib

    from gatebook.workspace import make_catalog

    module = importlib.import_module("gatebook.engine.evaluate")
    questionnaire = make_catalog(isolated_home).resolve(name)
    cases = _answer_sets(questionnaire, seed=len(name) + 1)
    if name == "oqr":
        from gatebook.demo import DEMO_ANSWERS

        cases.append((dict(DEMO_ANSWERS), {}))  # every flag settled, some rules unknown
    quick = [
        evaluate(questionnaire, answers, na, register={}, outcomes={}).to_json()
        for answers, na in cases
    ]

    def counted(
        questionnaire: Any, verdicts: Any, flags: Any, undecided: Any, values: Any, extra: Any
    ) -> list[str]:
        return list(module._undecided_by_counting(questionnaire, flags, undecided, values, extra))

    monkeypatch.setattr(module, "_undecided_escalation", counted)
    full = [
        evaluate(questionnaire, answers, na, register={}, outcomes={}).to_json()
        for answers, na in cases
    ]
    assert quick == full
    if name == "oqr":
        assert not quick[-1]["undecided"]["flags"] and quick[-1]["undecided"]["escalation"]
