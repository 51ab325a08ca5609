"""Text people typed, made inert in Markdown.

Whatever is typed (`|`, backticks, `#`, `<script>`, HTML comments, newlines, emoji,
right-to-left text) must stay text: it may not open a heading, a list, a table, a
code span, a link or raw HTML. CommonMark lets any ASCII punctuation be escaped
with a backslash, so we escape every character that can start markup anywhere in
a line, and the few that only matter at a line's start (`-`, `+`, `=`, `1.`).
"""

from __future__ import annotations

import re

# Characters that can open inline or block markup anywhere in a line (GFM included:
# `~` strikethrough, `|` table cells, `$` math on GitHub, `&` entity references).
_ANYWHERE = frozenset("\\`*_[]#|~&!$")
_ESCAPE_ANYWHERE = re.compile("([" + re.escape("".join(sorted(_ANYWHERE))) + "])")
# Only at a line's start: bullets, setext underlines, ordered-list markers.
_LINE_START = re.compile(r"^([-+=:])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def _escape_line(line: str, *, mid_line: bool = False) -> str:
    line = _ESCAPE_ANYWHERE.sub(r"\\\1", line.strip())
    # `<` and `>` as entities: no typed tag, comment or autolink, not even as source text.
    line = line.replace("<", "&lt;").replace(">", "&gt;")
    if mid_line:
        return line
    line = _LINE_START.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", line)


def _lines(text: str, *, mid_line: bool = False) -> list[str]:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\0", "\ufffd")
    lines = [line for line in text.split("\n") if line.strip()]
    return [_escape_line(line, mid_line=mid_line and i == 0) for i, line in enumerate(lines)]


_SURROGATE = re.compile("[\ud800-\udfff]")


def writable(text: str) -> str:
    """A rendered plan that can be written as UTF-8: a lone surrogate (only a hand-edited
    or merged file can store one; new text is refused where it enters) becomes the six
    characters `\\udXXX`. In the JSON data block that is the same code point's escape,
    so the digest still checks; in the body it shows as that text; front matter escapes
    it already (docs/contracts.md "Values")."""
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def inline(text: str, *, mid_line: bool = False) -> str:
    """One line of inert text (headings, bold labels): line breaks become spaces.

    `mid_line` is for text placed after other text on its line, where list and
    heading markers cannot start (so `2.0` stays `2.0`).
    """
    return " ".join(_lines(text, mid_line=mid_line))


def block(text: str) -> str:
    """A paragraph of inert text; the typed line breaks are kept as hard breaks."""
    return "\\\n".join(_lines(text))


def cell(text: str) -> str:
    """Inert text inside a GFM table cell; line breaks become our own `<br>`."""
    return "<br>".join(_lines(text))
