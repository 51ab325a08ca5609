"""Text bound for a terminal: control characters shown escaped, never sent raw.

A title, answer, note or questionnaire text may hold `\x1b]...` or `\x9b...`
sequences that would retitle, recolour or rewrite the user's terminal. Every line
the CLI prints passes through `terminal_safe`, which shows them as `\x1b`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_C1_AND_DEL = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """`text` with every control character but newline and tab shown escaped."""
    return _CONTROLS.sub(_escape, text)


def shown_in_place(text: str) -> str:
    """`text` with every character `terminal_safe` escapes drawn as U+FFFD instead, one
    for one: for an editable field, whose cursor counts the value's characters."""
    return _CONTROLS.sub("\ufffd", text)


def json_safe(text: str) -> str:
    """JSON text with DEL, C1 controls and bidi overrides as \\u escapes (still valid JSON;
    json.dumps already escapes C0 controls)."""
    return _C1_AND_DEL.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    click.echo(terminal_safe(text), err=err, nl=nl)


def echo_json(data: Any, **options: Any) -> None:
    """Print `data` as JSON whose strings carry no raw control character."""
    click.echo(json_safe(json.dumps(data, **options)))


def undecodable_argument(arguments: list[str]) -> str | None:
    """The first command-line argument that was not valid UTF-8, shown escaped."""
    for argument in arguments:
        if any(0xD800 <= ord(char) <= 0xDFFF for char in argument):
            return terminal_safe(argument)
    return None
