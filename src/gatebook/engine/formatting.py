"""Showing values the way people read them: $5,500,000, 12.5%, Yes, labels not codes."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gatebook.engine.expressions import UNKNOWN
from gatebook.questionnaire.models import Question, Questionnaire

if TYPE_CHECKING:
    from gatebook.engine.expressions import ConditionEvaluator
    from gatebook.engine.gates import GateStatus

UNANSWERED_TEXT = "(unanswered)"


def score_text(value: Any) -> str:
    """A score as every listing and plan prints it: `62.5`, `90`, `-` when there is none."""
    return "-" if value is None else f"{value:g}"


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _trim(value: Decimal, places: int) -> str:
    text = f"{value:,.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_money(value: Any) -> str:
    amount = _decimal(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}${_trim(abs(amount), 2)}"


def format_number(value: Any) -> str:
    return _trim(_decimal(value), 4)


def format_percent(value: Any) -> str:
    return f"{_trim(_decimal(value), 2)}%"


def format_share(value: Any) -> str:
    return f"{_trim(_decimal(value) * 100, 1)}%"


def format_value(question: Question | None, value: Any) -> str:
    """An answer as a person reads it, by its question's type. A stored value that no
    longer reads (a hand edit, a dropped option) is shown as it is, marked, never a crash."""
    try:
        return _format_value(question, value)
    except (ArithmeticError, ValueError, TypeError, AttributeError, OverflowError):
        shown = repr(value)
        return f"{shown[:80]}{'...' if len(shown) > 80 else ''} (cannot be read)"


def _format_value(question: Question | None, value: Any) -> str:
    if value is None or value is UNKNOWN:
        return UNANSWERED_TEXT
    kind = question.type if question is not None else None
    if isinstance(value, bool) or kind == "boolean":
        return "Yes" if value else "No"
    if kind == "money":
        return format_money(value)
    if kind == "percent":
        return format_percent(value)
    if kind in ("number", "integer"):
        return format_number(value)
    if kind == "rating" and question is not None:
        labels = question.scale_labels()
        index = int(value)
        label = labels[index] if 0 <= index < len(labels) else ""
        return f"{index}/{len(labels) - 1} {label}".strip()
    if kind in ("choice", "multichoice") and question is not None:
        if isinstance(value, list):
            return ", ".join(question.option_label(str(v)) for v in value) or "none"
        return question.option_label(str(value))
    if kind == "checklist" and isinstance(value, dict) and question is not None:
        met = [item.title for item in question.items if value.get(item.id)]
        return f"{len(met)} of {len(question.items)} met"
    if kind == "table" and isinstance(value, list):
        return f"{len(value)} row" + ("" if len(value) == 1 else "s")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    return str(value)


_FORMATTERS = {
    "money": format_money,
    "percent": format_percent,
    "share": format_share,
    "number": format_number,
}


def improvements(question: Question, selected: Any) -> str:
    """The improvement plans of the best practices not selected ("None of these" excluded)."""
    chosen = set(selected) if isinstance(selected, list) else set()
    plans = [
        option.improvement
        for option in question.options
        if option.improvement and not option.exclusive and option.value not in chosen
    ]
    return " · ".join(plans) if plans else "All best practices are in place."


def render_field(
    questionnaire: Questionnaire, node: ast.expr, fmt: str, evaluator: ConditionEvaluator
) -> str:
    value = evaluator.evaluate(node)
    if value is UNKNOWN or value is None:
        return UNANSWERED_TEXT
    if isinstance(node, ast.Name) and fmt == "improvements":
        question = questionnaire.question(node.id)
        if question is not None:
            return improvements(question, value)
    if isinstance(node, ast.Name) and fmt in ("text", "label", "list"):
        question = questionnaire.question(node.id)
        if question is not None:
            return format_value(question, evaluator.values.get(node.id))
    formatter = _FORMATTERS.get(fmt)
    if formatter is not None:
        try:
            return formatter(value)
        except (ArithmeticError, ValueError, TypeError):
            return str(value)
    return format_value(None, value)


def render_template(
    questionnaire: Questionnaire, template: str, evaluator: ConditionEvaluator
) -> str:
    """Fill a `why` / `reason` template: "TCV {tcv_usd:money} is above $5M"."""
    if not template:
        return ""
    parts = []
    for literal, node, fmt in questionnaire.template(template):
        parts.append(literal)
        if node is not None:
            parts.append(render_field(questionnaire, node, fmt, evaluator))
    return "".join(parts)


def gate_item_title(questionnaire: Questionnaire, ref: str) -> str:
    """A gate item as people read it: the checklist item's title or the question's prompt."""
    question_id, _, item_id = ref.partition(".")
    question = questionnaire.question(question_id)
    if question is None:
        return ref
    if item_id:
        item = next((i for i in question.items if i.id == item_id), None)
        return item.title if item is not None else ref
    return question.prompt


def unmet_lines(questionnaire: Questionnaire, gate: GateStatus) -> list[str]:
    """`title — why` for each unmet item of a gate, in the gate's order."""
    return [f"{gate_item_title(questionnaire, ref)} — {gate.why_unmet(ref)}" for ref in gate.unmet]
