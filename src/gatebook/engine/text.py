"""New text as people type it: refused where it enters when it cannot be stored.

A control character (but tab and line breaks) is invisible on screen and can drive a
terminal; a lone surrogate is not a character and cannot be written as UTF-8. Both
are refused where text enters (`set`, `new`, answers files, the app's fields), with
the position named, so nothing that cannot be written out is ever saved. A CR or CRLF
is stored as a line feed. Values already stored are never checked or rewritten here
(docs/contracts.md "Values").
"""

from __future__ import annotations

import re
from typing import Any

from gatebook.engine.numbers import ValueProblem

_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
"""C0 controls but tab (09), line feed (0A) and carriage return (0D); surrogates."""


def typed_text(text: str) -> str:
    """`text` as it is stored (CR and CRLF become LF), or ValueProblem saying where the
    character that cannot be stored is."""
    found = _UNSTORABLE.search(text)
    if found is not None:
        code = ord(found.group())
        where = f"U+{code:04X} at character {found.start() + 1}"
        if code >= 0xD800:
            raise ValueProblem(
                f"the text holds {where}, half of a UTF-16 surrogate pair and not a "
                "character; retype the text without it"
            )
        raise ValueProblem(
            f"the text holds the control character {where}; only tab and line breaks are "
            "allowed: retype the text without it"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def typed_value(value: Any) -> Any:
    """A value read from what was typed, with every text in it (table cells, list items)
    checked and stored as `typed_text` stores it."""
    if isinstance(value, str):
        return typed_text(value)
    if isinstance(value, list):
        return [typed_value(item) for item in value]
    if isinstance(value, dict):
        return {typed_text(str(key)): typed_value(item) for key, item in value.items()}
    return value
