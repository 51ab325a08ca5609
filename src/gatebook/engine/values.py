"""Reading values the way people type them on a call.

Every reader takes what a person typed (a string, or a YAML/JSON scalar from an
answers file) and returns the normalised value that is stored: plain JSON numbers,
booleans, strings, lists and mappings. Anything unreadable raises `ValueProblem`
with a message that says what *is* accepted, so the field can show it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from gatebook.engine.numbers import (
    MAX_TEXT_CHARS,
    ValueProblem,
    parse_decimal,
    parse_integer,
    parse_money,
    parse_number,
    parse_percent,
    to_json_number,
)
from gatebook.engine.text import typed_value
from gatebook.questionnaire.models import Question, QuestionType

__all__ = [
    "JsonValue",
    "ValueProblem",
    "parse_decimal",
    "parse_money",
    "parse_percent",
    "read_typed",
    "read_value",
    "stored_value",
    "to_json_number",
]

JsonValue = Any
"""A normalised answer: None, bool, int, float, str, list or dict of those."""


TRUE_WORDS = frozenset({"yes", "y", "true", "t", "1", "on"})
FALSE_WORDS = frozenset({"no", "n", "false", "f", "0", "off"})


def parse_boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueProblem(f"cannot read {str(raw)!r} as yes or no. Write yes or no (y/n).")


MIN_YEAR, MAX_YEAR = 1900, 2999


def parse_date(raw: object) -> str:
    """A date that exists, `YYYY-MM-DD`, in the years 1900-2999."""
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        day = raw
    else:
        text = str(raw).strip()[:MAX_TEXT_CHARS]
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text, flags=re.ASCII):
                raise ValueError
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise ValueProblem(
                f"cannot read {text!r} as a date. Write an existing date as YYYY-MM-DD, "
                "e.g. 2026-03-31."
            ) from None
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueProblem(
            f"{day.isoformat()} is outside the years {MIN_YEAR}-{MAX_YEAR}; check the year."
        )
    return day.isoformat()


def parse_text(raw: object) -> str:
    if isinstance(raw, list | dict):
        raise ValueProblem("expected text, got a list or mapping")
    return str(raw)


def _option_lookup(question: Question, raw: object) -> str:
    text = str(raw).strip()
    for option in question.options:
        if text == option.value:
            return option.value
    lowered = text.lower()
    for option in question.options:
        if lowered in (option.value.lower(), option.label.lower()):
            return option.value
    values = ", ".join(option.value for option in question.options)
    raise ValueProblem(f"{text!r} is not one of the options. Choose one of: {values}.")


def parse_choice(question: Question, raw: object) -> str:
    return _option_lookup(question, raw)


def parse_multichoice(question: Question, raw: object) -> list[str]:
    """A list of option values, or a comma-separated string; `[]` means none selected."""
    if isinstance(raw, str):
        items: list[object] = [part for part in raw.split(",") if part.strip()]
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        raise ValueProblem("expected a list of options, e.g. pii,phi or [pii, phi]")
    chosen: list[str] = []
    for item in items:
        value = _option_lookup(question, item)
        if value not in chosen:
            chosen.append(value)
    exclusive = [o.value for o in question.options if o.exclusive and o.value in chosen]
    if exclusive and len(chosen) > 1:
        raise ValueProblem(
            f"{exclusive[0]!r} cannot be combined with other options: choose it alone, "
            "or remove it."
        )
    order = {option.value: index for index, option in enumerate(question.options)}
    return sorted(chosen, key=order.__getitem__)


def parse_rating(question: Question, raw: object) -> int:
    scale = question.scale_labels()
    try:
        value = parse_integer(raw)
    except ValueProblem:
        value = -1
        lowered = str(raw).strip().lower()
        for index, label in enumerate(scale):
            if lowered == label.lower():
                value = index
    if not 0 <= value < len(scale):
        raise ValueProblem(f"cannot read {str(raw)!r} as a rating. Write 0 to {len(scale) - 1}.")
    return value


def parse_checklist(question: Question, raw: object) -> dict[str, bool]:
    """A mapping of item id to met (yes/no), or a list / comma string of met item ids."""
    ids = [item.id for item in question.items]
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, list | tuple):
        unknown = [str(item) for item in raw if str(item) not in ids]
        if unknown:
            raise ValueProblem(f"unknown checklist item {unknown[0]!r}. Items: {', '.join(ids)}.")
        met = {str(item) for item in raw}
        return {item_id: item_id in met for item_id in ids}
    if isinstance(raw, dict):
        result: dict[str, bool] = {}
        for key, value in raw.items():
            if str(key) not in ids:
                raise ValueProblem(f"unknown checklist item {key!r}. Items: {', '.join(ids)}.")
            try:
                result[str(key)] = parse_boolean(value)
            except ValueProblem as problem:
                raise ValueProblem(f"item {key}: {problem}") from None
        return {item_id: result[item_id] for item_id in ids if item_id in result}
    raise ValueProblem("expected checklist items, e.g. item_a,item_b or {item_a: yes}")


def parse_table(question: Question, raw: object) -> list[dict[str, JsonValue]]:
    """Rows of a table: a list of mappings (or the same as JSON text), each cell typed."""
    if isinstance(raw, str):
        if not raw.strip():
            return []
        try:
            raw = json.loads(raw)
        except RecursionError:
            raise ValueProblem("the table is nested too deeply; write a list of rows") from None
        except json.JSONDecodeError as error:
            raise ValueProblem(
                f"cannot read the table as JSON ({error.msg}). Write a list of rows, "
                'e.g. [{"name": "Ana", "role": "CTO"}].'
            ) from None
    if not isinstance(raw, list):
        raise ValueProblem('expected a list of rows, e.g. [{"name": "Ana", "role": "CTO"}]')
    columns = {column.id: column for column in question.columns}
    rows: list[dict[str, JsonValue]] = []
    for number, row in enumerate(raw, start=1):
        if not isinstance(row, dict):
            raise ValueProblem(f"row {number} is not a mapping of column to value")
        clean: dict[str, JsonValue] = {}
        for key, cell in row.items():
            column = columns.get(str(key))
            if column is None:
                raise ValueProblem(
                    f"row {number}: unknown column {key!r}. Columns: {', '.join(columns)}."
                )
            if cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            try:
                clean[column.id] = read_value(column, cell)
            except ValueProblem as problem:
                raise ValueProblem(f"row {number}, {column.id}: {problem}") from None
        rows.append({c: clean[c] for c in columns if c in clean})
    return rows


_SIMPLE_READERS: dict[QuestionType, Callable[[object], JsonValue]] = {
    "text": parse_text,
    "longtext": parse_text,
    "number": parse_number,
    "integer": parse_integer,
    "money": parse_money,
    "percent": parse_percent,
    "boolean": parse_boolean,
    "date": parse_date,
}

_OPTION_READERS: dict[QuestionType, Callable[[Question, object], JsonValue]] = {
    "choice": parse_choice,
    "multichoice": parse_multichoice,
    "rating": parse_rating,
    "checklist": parse_checklist,
    "table": parse_table,
}


DEFAULT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "money": (0, None),
    "percent": (0, 100),
}


def value_range(question: Question) -> tuple[float | None, float | None]:
    """The question's `min`/`max`, else its type's default (money >= 0, percent 0-100)."""
    low, high = DEFAULT_RANGES.get(question.type, (None, None))
    return (
        question.min if question.min is not None else low,
        question.max if question.max is not None else high,
    )


def _check_range(question: Question, value: int | float, raw: object) -> None:
    low, high = value_range(question)
    shown = str(raw).strip() if isinstance(raw, str) else f"{value:g}"
    if low is not None and value < Decimal(str(low)):
        raise ValueProblem(f"{shown} is below the minimum {low:g}; write {low:g} or more.")
    if high is not None and value > Decimal(str(high)):
        raise ValueProblem(f"{shown} is above the maximum {high:g}; write {high:g} or less.")


def read_value(question: Question, raw: object) -> JsonValue:
    """Read `raw` for `question`; None (or blank text) means "no answer"."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    simple = _SIMPLE_READERS.get(question.type)
    if simple is None:
        return _OPTION_READERS[question.type](question, raw)
    value = simple(raw)
    if question.type in NUMERIC_TYPES:
        _check_range(question, value, raw)
    return value


NUMERIC_TYPES = frozenset({"number", "integer", "money", "percent"})


def read_typed(question: Question, raw: object) -> JsonValue:
    """Read what a person typed just now (`set`, an answers file, the app): as
    `read_value` reads it, with every text in it checked as new text (no control
    character but tab and line breaks, no lone surrogate; CR and CRLF stored as LF).
    Stored values are read with `stored_value`, never rewritten."""
    return typed_value(read_value(question, raw))


def stored_value(question: Question, value: object) -> JsonValue:
    """A stored answer, checked as input would check it (ValueProblem if it no longer
    reads). The normalised values the store holds take a fast path: evaluation runs
    on every keystroke over every answer."""
    kind = question.type
    if kind in ("text", "longtext") and isinstance(value, str):
        return value
    if kind == "boolean" and isinstance(value, bool):
        return value
    if kind in NUMERIC_TYPES and isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and not math.isfinite(value):
            return read_value(question, value)
        if isinstance(value, int) and value.bit_length() > 80:
            return read_value(question, value)
        low, high = value_range(question)
        if kind == "integer" and isinstance(value, float):
            return read_value(question, value)
        if (low is None or value >= low) and (high is None or value <= high):
            return value
        return read_value(question, value)
    if kind == "choice" and isinstance(value, str) and value in _option_values(question):
        return value
    if kind == "rating" and type(value) is int and 0 <= value < len(question.scale_labels()):
        return value
    if (
        kind == "multichoice"
        and isinstance(value, list)
        and len(value) <= 1
        and all(isinstance(v, str) and v in _option_values(question) for v in value)
    ):
        return value
    return read_value(question, value)


_OPTION_SETS: dict[int, tuple[Question, frozenset[str]]] = {}


def _option_values(question: Question) -> frozenset[str]:
    """The option values of a question, computed once (the question is kept alive with
    them, so its id cannot be reused while cached)."""
    found = _OPTION_SETS.get(id(question))
    if found is None or found[0] is not question:
        found = (question, frozenset(option.value for option in question.options))
        _OPTION_SETS[id(question)] = found
    return found[1]
