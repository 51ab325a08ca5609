"""Markdown pieces every plan format shares: tables, answers, severity marks.

Changing the bytes any of these produce changes every plan format's body, so old
plans would stop verifying: extend, never alter (tests/golden/v1 and v2 check it).
"""

from __future__ import annotations

from typing import Any

from gatebook.engine.formatting import format_value
from gatebook.plan.escape import block, cell, inline
from gatebook.questionnaire.ids import is_document_id, is_identifier
from gatebook.questionnaire.models import Question

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SEVERITY_MARK = {"high": "▲ HIGH", "medium": "◆ MEDIUM", "low": "▽ LOW"}


def table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def origin_cell(origin: str | None) -> str:
    """A carried row's `REVIEW_ID/ROW_ID` (checked by the row's model; shown as code
    only when it is that shape), `—` for a row of this review: the `From` column of the
    risk register and the outcomes table."""
    if origin is None:
        return "—"
    review_id, _, row_id = origin.partition("/")
    if is_document_id(review_id) and is_identifier(row_id):
        return f"`{review_id}/{row_id}`"
    return cell(origin)


def mitigation_cell(written: str, suggested: str) -> str:
    text = cell(written) or "*none written*"
    if suggested:
        text += f"<br>*Suggested:* {cell(suggested)}"
    return text


def answer_markdown(question: Question, value: Any) -> str:
    if question.type == "table" and isinstance(value, list):
        if not value:
            return "*no rows*"
        headers = [cell(c.prompt) for c in question.columns]
        rows = [
            [
                cell(format_value(c, row.get(c.id)) if row.get(c.id) not in (None, "") else "")
                for c in question.columns
            ]
            for row in value
            if isinstance(row, dict)
        ]
        return table(headers, rows).rstrip("\n")
    if question.type == "checklist" and isinstance(value, dict):
        return "\n".join(
            f"- [{'x' if value.get(item.id) else ' '}] {inline(item.title)}"
            for item in question.items
        )
    return block(format_value(question, value)) or "*empty*"
