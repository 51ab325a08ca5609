"""Numbers as people type them on a call: `1,200`, `57.5`, `5M`, `750 thousand`, `15 %`.

Read whole or refused (docs/contracts.md "Values"): no prefix of a text is ever
taken for the number, and absurd figures (NaN, infinities, more than 24 digits)
are refused with a message saying what is accepted.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal


class ValueProblem(ValueError):
    """A value that cannot be read for a question; the message is for the person."""


_MULTIPLIERS = {
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
}


_MONEY_RE = re.compile(
    r"^(?P<sign>-)?(?:\$|usd)?\s*(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)\s*"
    r"(?P<mult>k|thousands?|m|millions?|bn|b|billions?)?\s*(?:usd)?$"
)


_NUMBER_RE = re.compile(r"^(?P<sign>[-+])?(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)$")


_THOUSANDS_RE = re.compile(r"^\d{1,3}(,\d{3})*(\.\d+)?$")


MAX_TEXT_CHARS = 64


MAX_DIGITS = 24


"""No figure on a review has more digits than this; a longer one is a typo or an attack."""


def to_json_number(value: Decimal) -> int | float:
    """A Decimal as the plain JSON number people expect: 5000000, not 5E+6 or 5000000.0."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _check_grouping(num: str, raw: str, accepted: str) -> None:
    if "," in num and not _THOUSANDS_RE.match(num):
        raise ValueProblem(f"cannot read {raw!r}: commas must group thousands. {accepted}")


def _scalar_text(raw: object) -> str:
    if isinstance(raw, bool):
        raise ValueProblem("expected a number, got yes/no")
    if isinstance(raw, list | dict):
        raise ValueProblem("expected a number, got a list or mapping")
    text = str(raw).strip()
    if len(text) > MAX_TEXT_CHARS:
        raise ValueProblem(f"a number of more than {MAX_TEXT_CHARS} characters cannot be right")
    return text


def _bounded(value: Decimal, raw: object) -> Decimal:
    """Refuse NaN, infinities and figures with absurdly many digits."""
    if not value.is_finite():
        raise ValueProblem(f"{_shown(raw)} is not a number. Write a figure such as 1200.")
    if value != 0 and value.adjusted() >= MAX_DIGITS:
        raise ValueProblem(f"{_shown(raw)} is too large (more than {MAX_DIGITS} digits).")
    return value


def _shown(raw: object) -> str:
    text = repr(str(raw)) if not isinstance(raw, int) or raw.bit_length() < 256 else "the number"
    return text[:40] + ("..." if len(text) > 40 else "")


def _from_json_number(raw: int | float) -> Decimal:
    if isinstance(raw, int) and raw.bit_length() > 128:
        raise ValueProblem(f"the number is too large (more than {MAX_DIGITS} digits).")
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValueProblem(f"{raw!r} is not a number. Write a figure such as 1200.")
    return _bounded(Decimal(str(raw)), raw)


def parse_decimal(raw: object) -> Decimal:
    """A plain number with optional thousands separators: `1,200`, `57.5`, `-3`."""
    accepted = "Write a number such as 1200, 1,200 or 57.5."
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_json_number(raw)
    text = _scalar_text(raw).replace(" ", "")
    match = _NUMBER_RE.match(text)
    if not match:
        raise ValueProblem(f"cannot read {str(raw)!r} as a number. {accepted}")
    _check_grouping(match["num"], str(raw), accepted)
    value = _bounded(Decimal(match["num"].replace(",", "")), raw)
    return -value if match["sign"] == "-" else value


def parse_money(raw: object) -> int | float:
    """Money as people say it, read whole or refused: `5M`, `5.5m`, `$5,000,000`, `500k`,
    `1.2bn`, `5 million`, `750 thousand`, `5000000`, with an optional `$` or `USD`."""
    accepted = (
        "Write an amount such as 5M, 5.5m, 500k, 1.2bn, 5 million, 750 thousand, "
        "$5,000,000 or 5000000."
    )
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return to_json_number(_from_json_number(raw))
    text = _scalar_text(raw).lower()
    match = _MONEY_RE.match(text)
    if not match:
        raise ValueProblem(f"cannot read {str(raw)!r} as money. {accepted}")
    _check_grouping(match["num"], str(raw), accepted)
    value = _bounded(Decimal(match["num"].replace(",", "")), raw)
    if match["mult"]:
        value *= _MULTIPLIERS[match["mult"].removesuffix("s")]
    value = _bounded(value, raw)
    return to_json_number(-value if match["sign"] else value)


def parse_percent(raw: object) -> int | float:
    """A percentage on the 0-100 scale: `15`, `15%`, `15.5 %` (15% is stored as 15)."""
    accepted = "Write a percentage such as 15, 15% or 15.5 %."
    text = raw if isinstance(raw, int | float) else _scalar_text(raw).rstrip("%").strip()
    try:
        value = parse_decimal(text)
    except ValueProblem as problem:
        if "too large" in str(problem) or "not a number" in str(problem):
            raise
        raise ValueProblem(f"cannot read {str(raw)!r} as a percentage. {accepted}") from None
    return to_json_number(value)


def parse_number(raw: object) -> int | float:
    return to_json_number(parse_decimal(raw))


def parse_integer(raw: object) -> int:
    value = parse_decimal(raw)
    if value != value.to_integral_value():
        raise ValueProblem(f"{str(raw)!r} is not a whole number. Write a whole number such as 3.")
    return int(value)
