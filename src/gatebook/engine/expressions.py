"""Evaluating parsed conditions with three-valued logic over exact decimals.

Built on simpleeval's evaluator (never `eval`). A comparison or arithmetic on an
unanswered value gives UNKNOWN; `and`/`or`/`not` follow Kleene logic; a rule that
ends UNKNOWN raises nothing. Numbers are `Decimal`, so 4.6 / 57.5 is exactly 0.08.
"""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import itertools
import operator
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from simpleeval import ATTR_INDEX_FALLBACK, EvalWithCompoundTypes

from gatebook.engine.rows import row_names, rows_lacking, rows_where
from gatebook.engine.thresholds import AT_NEGATIVE, RESULTS, rows_with
from gatebook.questionnaire.expressions import CONSTANTS


class _Unknown:
    """The value of anything that depends on an unanswered question."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        return False


UNKNOWN: Any = _Unknown()


def _strict(function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapped(*args: Any) -> Any:
        for arg in args:  # a loop, not any(...): this runs for every operator
            if arg is UNKNOWN:
                return UNKNOWN
        try:
            return function(*args)
        except (TypeError, ArithmeticError, InvalidOperation, ValueError):
            return UNKNOWN

    return wrapped


def _contains(item: Any, container: Any) -> Any:
    if isinstance(container, str) and not isinstance(item, str):
        return UNKNOWN
    return item in container


OPERATORS: dict[type[ast.AST], Callable[..., Any]] = {
    ast.Add: _strict(operator.add),
    ast.Sub: _strict(operator.sub),
    ast.Mult: _strict(operator.mul),
    ast.Div: _strict(operator.truediv),
    ast.Mod: _strict(operator.mod),
    ast.USub: _strict(operator.neg),
    ast.UAdd: _strict(operator.pos),
    ast.Not: _strict(operator.not_),
    ast.Eq: _strict(operator.eq),
    ast.NotEq: _strict(operator.ne),
    ast.Lt: _strict(operator.lt),
    ast.LtE: _strict(operator.le),
    ast.Gt: _strict(operator.gt),
    ast.GtE: _strict(operator.ge),
    ast.In: _strict(_contains),
    ast.NotIn: _strict(lambda a, b: not _contains(a, b)),
}


def _number(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return UNKNOWN
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | float):
        return Decimal(str(value))
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return UNKNOWN


def _ratio(a: Any, b: Any) -> Any:
    if b == 0:
        return UNKNOWN
    return Decimal(a) / Decimal(b)


def _days_between(a: Any, b: Any) -> Any:
    if not isinstance(a, dt.date) or not isinstance(b, dt.date):
        return UNKNOWN
    return Decimal((b - a).days)


def _cell_matches(cell: Any, value: Any) -> bool:
    if isinstance(cell, list):
        return value in cell
    if isinstance(cell, str) and isinstance(value, str):
        return cell.strip().lower() == value.strip().lower()
    return bool(cell == value)


def _count_where(table: Any, column: Any, value: Any) -> Any:
    if not isinstance(table, list):
        return UNKNOWN
    return Decimal(sum(1 for row in table if _cell_matches(row.get(column), value)))


def _rows_missing(table: Any, *columns: Any) -> Any:
    if not isinstance(table, list):
        return UNKNOWN
    return Decimal(sum(1 for row in table if any(row.get(c) in (None, "") for c in columns)))


def _rows_out_of_order(table: Any, direction_column: Any, *columns: Any) -> Any:
    """Rows whose numbers are not strictly ordered: higher-is-better wants descending."""
    if not isinstance(table, list):
        return UNKNOWN
    count = 0
    for row in table:
        values = [_number(row.get(c)) for c in columns]
        if any(v is UNKNOWN for v in values):
            continue
        direction = str(row.get(direction_column, "higher")).lower()
        pairs = list(itertools.pairwise(values))
        ordered = (
            all(a < b for a, b in pairs)
            if direction.startswith("low")
            else all(a > b for a, b in pairs)
        )
        count += not ordered
    return Decimal(count)


def _count_results(table: Any, result: Any) -> Any:
    if not isinstance(table, list) or result not in (*RESULTS, AT_NEGATIVE):
        return UNKNOWN
    return Decimal(len(rows_with(table, result)))


def _metrics_with(table: Any, result: Any) -> Any:
    if not isinstance(table, list) or result not in (*RESULTS, AT_NEGATIVE):
        return UNKNOWN
    named = [f"{row.get('metric') or '?'} ({row.get('value')})" for row in rows_with(table, result)]
    return ", ".join(named) if named else "none"


def _checked(checklist: Any) -> Any:
    if not isinstance(checklist, dict):
        return UNKNOWN
    return Decimal(sum(1 for met in checklist.values() if met))


HELPER_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "ratio": _strict(_ratio),
    "days_between": _strict(_days_between),
    "len": _strict(lambda x: Decimal(len(x))),
    "any": _strict(any),
    "all": _strict(all),
    "min": _strict(min),
    "max": _strict(max),
    "count_where": _strict(_count_where),
    "rows_missing": _strict(_rows_missing),
    "rows_out_of_order": _strict(_rows_out_of_order),
    "checked": _strict(_checked),
    "count_results": _strict(_count_results),
    "metrics_with": _strict(_metrics_with),
    # issue 33: delivery (rows named in a flag's explanation; engine/rows.py)
    "rows_where": _strict(rows_where),
    "rows_lacking": _strict(rows_lacking),
    "row_names": _strict(row_names),
}


_DISPATCH: dict[type[ast.AST], Callable[[Any, Any], Any]] = {}


def _ignoring_self(function: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    def call(_self: Any, node: Any) -> Any:
        return function(node)

    return call


def _dispatch() -> dict[type[ast.AST], Callable[[Any, Any], Any]]:
    """Node type -> ConditionEvaluator's method for it (overrides included), from the
    table simpleeval builds for one instance."""
    if not _DISPATCH:
        prototype = EvalWithCompoundTypes()
        for node_type, bound in prototype.nodes.items():
            method = inspect.getattr_static(ConditionEvaluator, bound.__name__)
            if isinstance(method, staticmethod):  # simpleeval has some: (node) only
                _DISPATCH[node_type] = _ignoring_self(method.__func__)
            else:
                _DISPATCH[node_type] = getattr(ConditionEvaluator, bound.__name__)
    return _DISPATCH


class ConditionEvaluator(EvalWithCompoundTypes):  # type: ignore[misc]
    """simpleeval with Kleene logic, UNKNOWN propagation and decimal constants."""

    def __init__(
        self,
        names: Mapping[str, Any],
        count_flags: Callable[..., Any] | None = None,
        extra: Mapping[str, Callable[..., Any]] | None = None,
    ) -> None:
        # Not simpleeval's __init__: it builds a table of ~25 bound methods (a reference
        # cycle for the collector) inside warnings.catch_warnings, and an evaluation
        # makes six evaluators per keystroke. Nodes are dispatched from one class-level
        # table instead (conditions allow no comprehensions, the only simpleeval code
        # that edits the per-instance table).
        functions = dict(HELPER_FUNCTIONS)
        if count_flags is not None:
            functions["count_flags"] = count_flags
        functions.update(extra or {})
        functions.update(list=list, tuple=tuple, dict=dict, set=set)
        self.operators = OPERATORS
        self.functions = functions
        self.names: dict[str, Any] = {}
        self.allowed_attrs = None
        self.ATTR_INDEX_FALLBACK = ATTR_INDEX_FALLBACK
        self.values = names

    def with_functions(self, **functions: Callable[..., Any]) -> ConditionEvaluator:
        """The same values and helpers, with these helpers added (a rule's own context:
        `other_flags_raised` that leaves the rule out)."""
        copy = ConditionEvaluator(self.values)
        copy.functions = {**self.functions, **functions}
        return copy

    def evaluate(self, node: ast.expr) -> Any:
        """The value of a parsed condition; any failure inside is UNKNOWN, never raised."""
        try:
            return compiled(node)(self)
        except (TypeError, ArithmeticError, ValueError, KeyError, AttributeError):
            return UNKNOWN

    def holds(self, node: ast.expr) -> bool:
        return self.evaluate(node) is True

    def _eval(self, node: ast.AST) -> Any:
        return compiled(node)(self)

    def _eval_name(self, node: ast.Name) -> Any:
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        return self.values.get(node.id, UNKNOWN)

    @staticmethod
    def _eval_constant(node: ast.Constant) -> Any:
        value = node.value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Decimal(str(value))
        return value

    def _eval_boolop(self, node: ast.BoolOp) -> Any:
        unknown = False
        stop = not isinstance(node.op, ast.And)
        for child in node.values:
            value = self._eval(child)
            if value is UNKNOWN:
                unknown = True
            elif bool(value) is stop:
                return stop
        return UNKNOWN if unknown else not stop

    def _eval_unaryop(self, node: ast.UnaryOp) -> Any:
        value = self._eval(node.operand)
        if isinstance(node.op, ast.Not):
            return UNKNOWN if value is UNKNOWN else not value
        return self.operators[type(node.op)](value)

    def _eval_compare(self, node: ast.Compare) -> Any:
        left = self._eval(node.left)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self._eval(comparator)
            value = self.operators[type(op)](left, right)
            if value is UNKNOWN:
                result = UNKNOWN
            elif not value:
                return False
            left = right
        return result

    def _eval_call(self, node: ast.Call) -> Any:
        assert isinstance(node.func, ast.Name)
        name = node.func.id
        if name == "answered":
            argument = node.args[0]
            assert isinstance(argument, ast.Name)
            return self.values.get(argument.id, UNKNOWN) is not UNKNOWN
        function = self.functions[name]
        args = [self._eval(a) for a in node.args]
        kwargs = {k.arg: self._eval(k.value) for k in node.keywords if k.arg}
        return function(*args, **kwargs)

    def _eval_list(self, node: ast.List) -> Any:
        return [self._eval(item) for item in node.elts]

    def _eval_tuple(self, node: ast.Tuple) -> Any:
        return [self._eval(item) for item in node.elts]


Run = Callable[[ConditionEvaluator], Any]
"""A condition compiled once: its value for an evaluator's answers and helpers."""

_COMPILED = "_gatebook_run"


def compiled(node: ast.AST) -> Run:
    """The node as nested closures, built once per parsed node (kept on the node, which
    the questionnaire holds): the same steps as ConditionEvaluator's methods, without
    dispatching on the node's type at each visit. Node kinds without a closure here run
    their evaluator method, so the result is the same value or the same error."""
    run: Run | None = node.__dict__.get(_COMPILED)
    if run is None:
        run = _compile(node)
        setattr(node, _COMPILED, run)
    return run


def _compile(node: ast.AST) -> Run:
    if isinstance(node, ast.Name):
        return _compile_name(node.id)
    if isinstance(node, ast.Constant):
        try:
            constant = ConditionEvaluator._eval_constant(node)
        except ValueError:  # an int past Python's digit limit: it fails where it is read
            return lambda _: ConditionEvaluator._eval_constant(node)
        return lambda _: constant
    if isinstance(node, ast.BoolOp):
        return _compile_boolop(node)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        operand = compiled(node.operand)

        def negate(evaluator: ConditionEvaluator) -> Any:
            value = operand(evaluator)
            return UNKNOWN if value is UNKNOWN else not value

        return negate
    if isinstance(node, ast.UnaryOp | ast.BinOp) and type(node.op) in OPERATORS:
        return _compile_operator(node)
    if isinstance(node, ast.Compare) and all(type(op) in OPERATORS for op in node.ops):
        return _compile_compare(node)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        return _compile_call(node, node.func.id)
    if isinstance(node, ast.List | ast.Tuple):
        items = [compiled(item) for item in node.elts]
        return lambda evaluator: [item(evaluator) for item in items]
    return lambda evaluator: _dispatch()[type(node)](evaluator, node)


def _compile_name(name: str) -> Run:
    if name in CONSTANTS:
        return lambda _: CONSTANTS[name]
    return lambda evaluator: evaluator.values.get(name, UNKNOWN)


def _compile_boolop(node: ast.BoolOp) -> Run:
    stop = not isinstance(node.op, ast.And)
    children = [compiled(child) for child in node.values]

    def boolop(evaluator: ConditionEvaluator) -> Any:
        unknown = False
        for child in children:
            value = child(evaluator)
            if value is UNKNOWN:
                unknown = True
            elif bool(value) is stop:
                return stop
        return UNKNOWN if unknown else not stop

    return boolop


def _compile_operator(node: ast.UnaryOp | ast.BinOp) -> Run:
    function = OPERATORS[type(node.op)]
    if isinstance(node, ast.UnaryOp):
        operand = compiled(node.operand)
        return lambda evaluator: function(operand(evaluator))
    left, right = compiled(node.left), compiled(node.right)
    return lambda evaluator: function(left(evaluator), right(evaluator))


def _compile_compare(node: ast.Compare) -> Run:
    first = compiled(node.left)
    steps = [
        (OPERATORS[type(op)], compiled(comparator))
        for op, comparator in zip(node.ops, node.comparators, strict=True)
    ]

    def compare(evaluator: ConditionEvaluator) -> Any:
        left = first(evaluator)
        result: Any = True
        for function, comparator in steps:
            right = comparator(evaluator)
            value = function(left, right)
            if value is UNKNOWN:
                result = UNKNOWN
            elif not value:
                return False
            left = right
        return result

    return compare


def _compile_call(node: ast.Call, name: str) -> Run:
    if name == "answered":
        argument = node.args[0] if node.args else None
        if not isinstance(argument, ast.Name):
            return lambda evaluator: _dispatch()[ast.Call](evaluator, node)
        asked = argument.id
        return lambda evaluator: evaluator.values.get(asked, UNKNOWN) is not UNKNOWN
    args = [compiled(a) for a in node.args]
    keywords = [(k.arg, compiled(k.value)) for k in node.keywords if k.arg]

    def call(evaluator: ConditionEvaluator) -> Any:
        function = evaluator.functions[name]
        values = [arg(evaluator) for arg in args]
        named = {key: value(evaluator) for key, value in keywords}
        return function(*values, **named)

    return call
