"""A metric measured against its own four thresholds (seed 003, the OKR process).

One row of an observed-values table (`value`, `direction`, `success`,
`partial_success`, `no_impact`, `negative_impact`, as okr-intake's `target_metrics`
names them) reads `success`, `partial_success`, `no_impact` or `negative_impact`;
where more is better, at or above a threshold reaches it, and below no impact is
negative impact; where less is better the same, mirrored. A row at or past its
negative threshold is `negative_impact` too, and also `at_negative`: what a high
flag escalates. Pure, so flags, `show --format json` and tests read one rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

RESULTS = ("success", "partial_success", "no_impact", "negative_impact")
"""The four results, best first."""
AT_NEGATIVE = "at_negative"
"""Not a result of its own: a `negative_impact` row at or past the negative threshold."""
THRESHOLD_COLUMNS = ("success", "partial_success", "no_impact", "negative_impact")


def _decimal(value: Any) -> Decimal | None:
    """The cell as a finite number; None for anything else (a hand-edited NaN or
    Infinity is no measurement, and NaN cannot be compared)."""
    if isinstance(value, bool) or value is None or value == "":
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _lower_is_better(row: Mapping[str, Any]) -> bool:
    return str(row.get("direction") or "higher").strip().lower().startswith("low")


def metric_result(row: Mapping[str, Any]) -> str | None:
    """The row's result, or None while its value or a threshold is missing."""
    value = _decimal(row.get("value"))
    thresholds = [_decimal(row.get(column)) for column in THRESHOLD_COLUMNS[:3]]
    if value is None or any(t is None for t in thresholds):
        return None
    lower = _lower_is_better(row)
    for result, threshold in zip(RESULTS, thresholds, strict=False):
        assert threshold is not None
        if (value <= threshold) if lower else (value >= threshold):
            return result
    return "negative_impact"


def at_negative(row: Mapping[str, Any]) -> bool:
    """True when the row is at or past its negative-impact threshold."""
    value = _decimal(row.get("value"))
    negative = _decimal(row.get("negative_impact"))
    if value is None or negative is None or metric_result(row) != "negative_impact":
        return False
    return value >= negative if _lower_is_better(row) else value <= negative


def matches(row: Mapping[str, Any], result: str) -> bool:
    """The row reads `result` (or is at or past its negative threshold, for
    `at_negative`)."""
    return at_negative(row) if result == AT_NEGATIVE else metric_result(row) == result


def rows_with(table: list[Any], result: str) -> list[Mapping[str, Any]]:
    """The rows of an observed-values table that read `result`."""
    return [row for row in table if isinstance(row, Mapping) and matches(row, result)]
