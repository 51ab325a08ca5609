"""Reading a combined plan back: its summary, its engagement data block and its
members' chapters, as found in the file (line numbers kept for messages), and what
`import` restores of the engagement."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from gatebook.engagement.plan_summary import PlanContent
from gatebook.engagement.plan_text import ENGAGEMENT_INFO, MEMBER_END, MEMBER_LINE
from gatebook.plan.document import PlanError

FORMATS = (1, 2)


@dataclass(frozen=True)
class Chapter:
    """A member's chapter as found in the file."""

    id: str
    line: int
    """The line of its start marker (1-based)."""
    closed: bool
    inner: str
    """Format 2: the text between its marker lines."""
    raw: str
    """Format 1: the start marker and the lines up to its end marker."""


@dataclass(frozen=True)
class CombinedPlan:
    summary: str
    data: dict[str, Any]
    data_line: int
    chapters: list[Chapter]
    stray: list[int]
    """Lines of text outside the summary and the chapters."""
    last_line: int

    @property
    def format(self) -> int:
        return int(self.data["gatebook_engagement"])

    @property
    def engagement_id(self) -> str:
        return str(self.data["content"].get("id"))


def read_combined(text: str) -> CombinedPlan:
    """Split a combined plan; PlanError (exit 2) when it is not one gatebook writes."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if MEMBER_LINE.match(line)]
    stray: list[int] = []
    if starts:
        summary = "\n".join(lines[: max(starts[0] - 1, 0)]) + "\n"
        if starts[0] == 0 or lines[starts[0] - 1] != "":
            stray.append(starts[0])
    else:
        summary = text
    data, data_line = _engagement_data(summary)
    chapters = []
    for number, start in enumerate(starts):
        stop = starts[number + 1] if number + 1 < len(starts) else len(lines)
        match = MEMBER_LINE.match(lines[start])
        assert match is not None
        end_marker = MEMBER_END.format(id=match.group(1))
        end = next((i for i in range(start + 1, stop) if lines[i] == end_marker), None)
        closed = end is not None
        end = stop if end is None else end
        inner = "\n".join(lines[start + 1 : end]) + "\n"
        chapters.append(
            Chapter(match.group(1), start + 1, closed, inner, "\n".join(lines[start:end]))
        )
        after = lines[end + 1 : stop] if closed else [""]
        if after != [""]:
            stray.append(end + 2 if not after or after[0] != "" else end + 3)
    last = len(lines) - 1 if lines[-1] == "" else len(lines)  # the last line of text
    return CombinedPlan(summary, data, data_line, chapters, stray, max(last, 1))


def _engagement_data(summary: str) -> tuple[dict[str, Any], int]:
    fence = f"```{ENGAGEMENT_INFO}\n"
    if summary.count(fence) != 1:
        raise PlanError("not a combined engagement plan: it needs one engagement data block")
    start = summary.index(fence) + len(fence)
    line = summary[:start].count("\n")
    end = summary.find("\n```\n", start)
    if end < 0:
        raise PlanError(f"line {line}: the engagement data block is not closed")
    try:
        data = json.loads(summary[start:end])
    except (json.JSONDecodeError, RecursionError) as error:
        raise PlanError(f"line {line}: the engagement data block is not JSON ({error})") from None
    if (
        not isinstance(data, dict)
        or type(data.get("gatebook_engagement")) is not int  # `true` is no format 1
        or data.get("gatebook_engagement") not in FORMATS
        or not isinstance(data.get("content"), dict)
    ):
        raise PlanError(
            f"line {line}: the engagement data block is not one gatebook writes "
            "(gatebook_engagement: 1 or 2); a newer gatebook may have written it"
        )
    return data, line


def engagement_record(combined: CombinedPlan) -> dict[str, Any]:
    """What `import` restores of the engagement itself (its members are the reviews)."""
    content = combined.data["content"]
    if combined.format == 1:
        keys = ("id", "title", "start", "shared")
        return {key: content.get(key) for key in keys if content.get(key) is not None}
    checked = plan_content(combined)
    return {
        "id": checked.id,
        "title": checked.title,
        "start": checked.start,
        "shared": {qid: fact.value for qid, fact in checked.shared.items()},
        "overrides": [o.model_dump(mode="json") for o in checked.overrides],
    }


def plan_content(combined: CombinedPlan) -> PlanContent:
    try:
        return PlanContent.model_validate(combined.data["content"])
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanError(
            f"line {combined.data_line}: the engagement data block does not describe an "
            f"engagement: {where}: {first['msg']}"
        ) from None
