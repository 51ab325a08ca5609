from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from gatebook.engine.expressions import UNKNOWN, ConditionEvaluator
from gatebook.questionnaire.expressions import ExpressionProblem, parse_expression

NAMES = {"a", "b", "c", "flag", "items", "day1", "day2", "rows"}


def value(source: str, **names: Any) -> Any:
    node = parse_expression(source, NAMES, allow=frozenset({"count_flags"}))
    return ConditionEvaluator(names, count_flags=lambda severity=None: Decimal(2)).evaluate(node)


@pytest.mark.parametrize(
    ("source", "names", "expected"),
    [
        ("a > 5", {"a": Decimal(6)}, True),
        ("a >= 5 and b < 3", {"a": Decimal(5), "b": Decimal(3)}, False),
        ("a > 5 or b", {"a": Decimal(1), "b": True}, True),
        ("not flag", {"flag": False}, True),
        ("a + b * 2 == 7", {"a": Decimal(1), "b": Decimal(3)}, True),
        ("a / b == 0.08", {"a": Decimal("4.6"), "b": Decimal("57.5")}, True),
        ("a - 1 < 0", {"a": Decimal("0.5")}, True),
        ("a % 2 == 1", {"a": Decimal(3)}, True),
        ("-a < 0", {"a": Decimal(3)}, True),
        ('a in ["x", "y"]', {"a": "y"}, True),
        ('"pii" not in items', {"items": ["phi"]}, True),
        ("1 < a < 3", {"a": Decimal(2)}, True),
        ("len(items) == 2", {"items": ["p", "q"]}, True),
        ("any(items)", {"items": [False, True]}, True),
        ("all(items)", {"items": [False, True]}, False),
        ("ratio(a, b) > 0.5", {"a": Decimal(6), "b": Decimal(10)}, True),
        (
            "days_between(day1, day2) == 14",
            {"day1": dt.date(2026, 1, 1), "day2": dt.date(2026, 1, 15)},
            True,
        ),
        ('count_flags(severity="high") >= 2', {}, True),
        ("max(a, b) == 3 and min(a, b) == 1", {"a": Decimal(1), "b": Decimal(3)}, True),
        ('count_where(rows, "r", "A") == 1', {"rows": [{"r": "A"}, {"r": "R"}]}, True),
        (
            'rows_out_of_order(rows, "d", "s", "p") == 1',
            {"rows": [{"d": "higher", "s": 5, "p": 3}, {"d": "lower", "s": 5, "p": 3}]},
            True,
        ),
        ('rows_missing(rows, "s") == 1', {"rows": [{"s": 1}, {}]}, True),
        ("true and not false", {}, True),
    ],
)
def test_features(source: str, names: dict[str, Any], expected: Any) -> None:
    assert value(source, **names) is expected


def test_unanswered_is_unknown_and_kleene() -> None:
    assert value("a > 5") is UNKNOWN
    assert value("a > 5 and b") is UNKNOWN
    assert value("a > 5 and b", b=False) is False
    assert value("a > 5 or b", b=True) is True
    assert value("not (a > 5)") is UNKNOWN
    assert value("answered(a)") is False
    assert value("not answered(a)") is True
    assert value("ratio(a, b)", a=Decimal(1), b=Decimal(0)) is UNKNOWN
    assert value("a + 1 > 2") is UNKNOWN


def test_type_mismatch_is_unknown_not_a_crash() -> None:
    assert value("a > 5", a="text") is UNKNOWN


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("a >", "cannot read the condition"),
        ("a > 5 &&& b", "cannot read the condition"),
        ("tcv > 5", "unknown question id 'tcv'"),
        ("aa > 5", "Did you mean 'a'"),
        ("open('x')", "unknown function 'open'"),
        ("a.__class__", "not allowed"),
        ("[x for x in items]", "not allowed"),
        ("lambda: 1", "not allowed"),
        ("", "empty"),
        ('len(items, key="x")', "keyword"),
    ],
)
def test_load_time_errors(source: str, message: str) -> None:
    with pytest.raises(ExpressionProblem, match=message):
        parse_expression(source, NAMES)


def test_count_flags_only_in_escalation() -> None:
    with pytest.raises(ExpressionProblem, match="escalation"):
        parse_expression("count_flags() > 1", NAMES)
