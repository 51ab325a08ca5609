"""The identifier rules (docs/contracts.md "Identifiers"), checked before any file is touched.

Question, flag, gate, dimension, section and role ids are ASCII identifiers;
questionnaire and review ids name files, so they are ASCII, start with a letter or
digit (never `.`), hold no separator and are at most 64 characters long.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

IDENTIFIER = r"^[A-Za-z_][A-Za-z0-9_]*$"
DOCUMENT_ID = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
MAX_DOCUMENT_ID = 64

_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DOCUMENT_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


class InvalidId(ValueError):
    """An id that breaks the rules; the message says what to write."""


def is_identifier(text: str) -> bool:
    return _IDENTIFIER_RE.fullmatch(text) is not None


def is_document_id(text: str) -> bool:
    return len(text) <= MAX_DOCUMENT_ID and _DOCUMENT_ID_RE.fullmatch(text) is not None


def check_document_id(text: str, kind: str = "review") -> str:
    """`text` if it is a valid review or questionnaire id, else InvalidId with a hint."""
    if not is_document_id(text):
        shown = repr(text[:80]).encode("ascii", "backslashreplace").decode("ascii")
        raise InvalidId(
            f"{shown} is not a valid {kind} id: use ASCII letters, digits, '.', '_' and '-', "
            f"starting with a letter or digit, at most {MAX_DOCUMENT_ID} characters "
            "(e.g. oqr-1a2b3c)"
        )
    return text


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` Did you mean 'x'?` with the closest known id, or '' when none is close."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""
