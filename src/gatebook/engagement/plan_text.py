"""What every format of the combined plan shares: its markers, its data block's
fence, and the small text helpers both the renderer and `verify` use."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from gatebook.plan.document import INERT_JSON

ENGAGEMENT_INFO = "json gatebook-engagement"
FRONT_MATTER_INFO = "yaml gatebook-front-matter"
MEMBER_START = "<!-- gatebook-member: {id} -->"
MEMBER_END = "<!-- gatebook-member-end: {id} -->"
MEMBER_LINE = re.compile(r"^<!-- gatebook-member: ([A-Za-z0-9][A-Za-z0-9._-]{0,63}) -->$")
PLAN_HEAD = '---\ngatebook: "engagement-plan"\n'


def is_engagement_plan(text: str) -> bool:
    return text.startswith(PLAN_HEAD)


def json_block(info: str, data: dict[str, Any]) -> str:
    """A fenced JSON block no typed text can close or turn into HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for char, escaped in INERT_JSON.items():
        text = text.replace(char, escaped)
    return f"```{info}\n{text}\n```\n"


def data_details(data: dict[str, Any]) -> list[str]:
    """The engagement data block at the summary's end, folded away on a code host."""
    return [
        "",
        "<details><summary>Engagement data (gatebook)</summary>",
        "",
        json_block(ENGAGEMENT_INFO, data).rstrip("\n"),
        "",
        "</details>",
        "",
    ]


def score_chart(labels: list[str], bars: list[str], targets: list[str]) -> list[str]:
    """The summary's Mermaid chart of each member's overall score against its target
    (both formats draw the same chart; labels come quoted and escaped)."""
    return [
        "",
        "## Scores Against Target",
        "",
        "```mermaid",
        "xychart-beta",
        '    title "Overall score (bars) against the target (line)"',
        f"    x-axis [{', '.join(labels)}]",
        '    y-axis "Score" 0 --> 100',
        f"    bar [{', '.join(bars)}]",
        f"    line [{', '.join(targets)}]",
        "```",
    ]


def text_digest(text: str) -> str:
    """`sha256:` + the SHA-256 of the text's UTF-8 bytes: a member's `plan_digest`."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def first_difference(expected: str, found: str, first_line: int = 1) -> tuple[int, str] | None:
    """The first line (numbered from `first_line`) where `found` differs from
    `expected`, and what each holds there; None when they are equal."""
    if expected == found:
        return None
    want, got = expected.split("\n"), found.split("\n")
    for number, (a, b) in enumerate(zip(want, got, strict=False), start=first_line):
        if a != b:
            return number, f"expected {a[:120]!r}, found {b[:120]!r}"
    number = first_line + min(len(want), len(got))
    if len(got) > len(want):
        return number - 1, f"{len(got) - len(want)} line(s) more than expected"
    return number - 1, f"{len(want) - len(got)} line(s) missing"
