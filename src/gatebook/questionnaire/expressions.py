"""Parsing and checking conditions at load time.

Conditions are written by people who are not programmers, so every mistake is
found when the questionnaire loads — syntax, unknown names, unknown helpers —
never while someone is typing on a call. Evaluation lives in `gatebook.engine`.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

HELPERS: dict[str, str] = {
    "answered": "answered(x): true when question x has an answer (never unknown)",
    "ratio": "ratio(a, b): a / b, unknown when b is 0 or either is unanswered",
    "days_between": "days_between(a, b): days from date a to date b",
    "count_flags": 'count_flags(severity="high", category=...): raised flags (escalation only)',
    "len": "len(x): number of items selected / rows",
    "any": "any(x): true when any item is true",
    "all": "all(x): true when every item is true",
    "min": "min(a, b, ...)",
    "max": "max(a, b, ...)",
    "count_where": "count_where(table, column, value): rows whose column equals (or holds) value",
    "rows_missing": "rows_missing(table, col, ...): rows with any of these cells empty",
    "rows_out_of_order": "rows_out_of_order(table, direction_col, col1, col2, ...): rows whose "
    "values are not strictly ordered for their direction (higher: descending, lower: ascending)",
    "checked": "checked(checklist): number of checklist items met",
    "count_results": "count_results(table, result): rows of an observed-values table (value, "
    "direction and the four thresholds) whose result is success, partial_success, no_impact, "
    "negative_impact, or at_negative (at or past the negative threshold)",
    "metrics_with": "metrics_with(table, result): those rows as text, 'metric (value), ...'",
    # issue 33: delivery
    "rows_where": "rows_where(table, column, op, value): the rows whose column compares "
    'with value by op ("==", "!=", "<", "<=", ">", ">=", "in", "not in"; an empty cell '
    "is in no order and equals nothing)",
    "rows_lacking": "rows_lacking(table, col, ...): the rows with any of these cells empty or no",
    "row_names": "row_names(rows, column): each row's column as text, to name rows in a "
    '`why:` ({row_names(rows_lacking(t, "done"), "name"):list})',
    "risk_rows": "risk_rows(): rows in the risk register (gate items only)",
    "outcomes": "outcomes(): rows in the outcomes register (unknown without a review)",
    "outcomes_where": 'outcomes_where("at_risk", ...): outcomes with any of these statuses',
    "outcomes_missing": 'outcomes_missing("metric", ...): outcomes with any of these fields empty',
    "outcomes_with": 'outcomes_with("metric", ...): outcomes with each of these fields written',
    "outcome_titles": 'outcome_titles("at_risk", ...): the titles of outcomes with these '
    "statuses (every outcome without one), for a flag's `why`",
    "outcome_titles_missing": 'outcome_titles_missing("metric", ...): the titles of outcomes '
    "with any of these fields empty",
    "carried_overdue": "carried_overdue(at): carried risk rows (with an origin) due before the "
    'date `at` (a question id or "YYYY-MM-DD") and still open or mitigating',
    "carried_overdue_titles": "carried_overdue_titles(at): the titles of those rows",
    "risks_unaddressed": "risks_unaddressed(): high register rows without both a mitigation "
    "and a contingency (gate items only)",
    # issue 33: inspections
    "other_flags_raised": 'other_flags_raised("high", "medium"): true when another flag of '
    "these severities is raised (never the rule itself; risk rules only)",
}
ESCALATION_ONLY = frozenset({"count_flags"})
REGISTER_HELPERS = frozenset({"risk_rows", "risks_unaddressed"})
RISK_ONLY = frozenset({"other_flags_raised"})
"""Helpers a risk rule's `when` may call (issue 33: inspections)."""
CONTEXT_HELPERS = frozenset({"carried_overdue", "carried_overdue_titles", "other_flags_raised"})
"""Helpers whose value does not come from the answers alone (the register, the other
flags): a rule that calls one is evaluated afresh every time, never reused."""
GATE_ONLY = REGISTER_HELPERS | ESCALATION_ONLY
RESTRICTED = ESCALATION_ONLY | REGISTER_HELPERS | RISK_ONLY
OUTCOME_STATUS_VALUES: tuple[str, ...] = (
    "planned",
    "on_track",
    "at_risk",
    "off_track",
    "achieved",
    "partly_achieved",
    "not_achieved",
)
"""The outcomes register's statuses (store/model.py OUTCOME_STATUSES; a test keeps them equal)."""
OUTCOME_FIELDS: tuple[str, ...] = ("title", "cbo", "metric", "baseline", "target", "by", "evidence")
_OUTCOME_ARGUMENTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "outcomes_where": ("status", OUTCOME_STATUS_VALUES),
    "outcome_titles": ("status", OUTCOME_STATUS_VALUES),
    "outcomes_missing": ("field", OUTCOME_FIELDS),
    "outcomes_with": ("field", OUTCOME_FIELDS),
    "outcome_titles_missing": ("field", OUTCOME_FIELDS),
}
CONSTANTS: dict[str, object] = {"true": True, "false": False, "True": True, "False": False}
MAX_EXPRESSION_CHARS = 20_000
MAX_EXPRESSION_DEPTH = 40

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Mod,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Call,
    ast.keyword,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
)


@dataclass(frozen=True)
class ExpressionProblem(Exception):
    """A mistake in a condition; `column` is 0-based within the expression text."""

    message: str
    column: int = 0

    def __str__(self) -> str:
        return self.message


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


def _too_deep() -> str:
    return (
        f"the condition is nested more than {MAX_EXPRESSION_DEPTH} levels deep; "
        "write it flatter, or split it into several rules"
    )


def _check_depth(tree: ast.AST) -> None:
    """Bound nesting before anything recurses over the tree (evaluation recurses)."""
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_EXPRESSION_DEPTH:
            raise ExpressionProblem(_too_deep(), getattr(node, "col_offset", 0))
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def parse_expression(
    source: str, names: set[str], *, allow: frozenset[str] = frozenset()
) -> ast.expr:
    """Parse `source` and check every name and helper; raise ExpressionProblem."""
    text = source.strip()
    if not text:
        raise ExpressionProblem("the condition is empty; write e.g. `tcv_usd > 5000000`")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionProblem(
            f"the condition is longer than {MAX_EXPRESSION_CHARS:,} characters; "
            "split it into several rules"
        )
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        column = max((error.offset or 1) - 1, 0)
        hint = " (use `and`, `or`, `not`; compare with `==`, `>`, `in [...]`)"
        raise ExpressionProblem(f"cannot read the condition: {error.msg}{hint}", column) from None
    except (RecursionError, MemoryError):
        raise ExpressionProblem(_too_deep()) from None
    _check_depth(tree)
    nodes = list(ast.walk(tree))  # walked once: a 1,000-question file has thousands
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    for node in nodes:
        column = getattr(node, "col_offset", 0)
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionProblem(
                f"`{ast.unparse(node) if isinstance(node, ast.expr) else type(node).__name__}`"
                " is not allowed in a condition (use names, numbers, text, lists, comparisons, "
                "and/or/not and the helpers)",
                column,
            )
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name) or node.func.id not in HELPERS:
                called = ast.unparse(node.func)
                raise ExpressionProblem(
                    f"unknown function {called!r}.{_suggest(called, HELPERS)} "
                    f"Helpers: {', '.join(sorted(HELPERS))}",
                    column,
                )
            helper = node.func.id
            if helper in RESTRICTED and helper not in allow:
                where = "gate items" if helper in REGISTER_HELPERS else "`escalation` rules"
                where = "a risk rule's `when`" if helper in RISK_ONLY else where
                raise ExpressionProblem(f"{helper}() can only be used in {where}", column)
            if node.keywords and helper != "count_flags":
                raise ExpressionProblem(f"{helper}() takes no keyword arguments", column)
            if helper in _OUTCOME_ARGUMENTS:
                _check_outcome_arguments(node, helper)
            if helper in ("carried_overdue", "carried_overdue_titles") and len(node.args) != 1:
                raise ExpressionProblem(
                    f'{helper}() takes one date: a question id or "YYYY-MM-DD"', column
                )
            if helper == "outcomes" and node.args:
                raise ExpressionProblem("outcomes() takes no arguments", column)
            if helper == "answered" and (
                len(node.args) != 1 or not isinstance(node.args[0], ast.Name)
            ):
                raise ExpressionProblem("answered() takes one question id", column)
        elif (
            isinstance(node, ast.Name)
            and id(node) not in callees
            and node.id not in names
            and node.id not in CONSTANTS
        ):
            raise ExpressionProblem(
                f"unknown question id {node.id!r}.{_suggest(node.id, names)}", column
            )
    return tree.body


def called_helpers(node: ast.AST) -> set[str]:
    """The helpers a parsed condition calls."""
    return {
        n.func.id
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
    }


def _check_outcome_arguments(node: ast.Call, helper: str) -> None:
    """Statuses and fields are quoted names from a fixed list: a typo would count nothing."""
    kind, known = _OUTCOME_ARGUMENTS[helper]
    for argument in node.args:
        value = argument.value if isinstance(argument, ast.Constant) else None
        if not isinstance(value, str) or value not in known:
            shown = ast.unparse(argument)
            raise ExpressionProblem(
                f"{helper}(): {shown} is not an outcome {kind}."
                f"{_suggest(shown.strip(chr(34) + chr(39)), known)} "
                f"Write one of {', '.join(repr(k) for k in known)} (quoted)",
                getattr(argument, "col_offset", 0),
            )
    if not node.args and helper != "outcome_titles":
        raise ExpressionProblem(f"{helper}() needs at least one {kind}, e.g. {known[2]!r}")


def expression_names(node: ast.AST) -> set[str]:
    """The question ids a parsed condition reads (helpers excluded)."""
    nodes = list(ast.walk(node))
    callees = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
    return {
        n.id
        for n in nodes
        if isinstance(n, ast.Name) and id(n) not in callees and n.id not in CONSTANTS
    }


_FIELD_RE = re.compile(r"\{([^{}]+?)(?::([a-z_]+))?\}")
FORMATS = frozenset(
    {"money", "percent", "share", "number", "list", "text", "date", "label", "improvements"}
)


def parse_template(
    source: str, names: set[str], *, allow: frozenset[str] = frozenset()
) -> list[tuple[str, ast.expr | None, str]]:
    """Split a `why` template into literal text and `{expression:format}` fields."""
    parts: list[tuple[str, ast.expr | None, str]] = []
    position = 0
    for match in _FIELD_RE.finditer(source):
        fmt = match.group(2) or "text"
        if fmt not in FORMATS:
            raise ExpressionProblem(
                f"unknown format {fmt!r} in {match.group(0)}; use one of "
                f"{', '.join(sorted(FORMATS))}",
                match.start(2),
            )
        try:
            expression = parse_expression(match.group(1), names, allow=allow)
        except ExpressionProblem as problem:
            raise ExpressionProblem(
                f"in {match.group(0)}: {problem.message}", match.start(1) + problem.column
            ) from None
        parts.append((source[position : match.start()], expression, fmt))
        position = match.end()
    parts.append((source[position:], None, "text"))
    return parts
