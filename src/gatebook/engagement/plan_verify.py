"""Reading a combined plan back, and `verify` of it (docs/contracts.md "Engagements").

Format 2: every member's chapter is checked as a plan (its own data block, digest,
text and sign-offs), bound to the engagement data block (its review digest and the
`plan_digest` of its text), and the block's members must be exactly the chapters, in
order, once each, with no text outside the summary and the chapters. The summary is
derived again from the members' data and the block (plan_summary.py) and compared
byte for byte: a summary `verify` did not recompute is never trusted. Each problem
names its line in the file and, where there is one, the member.

Format 1 (plan_v1.py): each member verifies as a plan; the summary binds nothing, so
its `FILE#ENG_ID` entry says NOT BOUND (exit 0) when it matches its own block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gatebook.engagement.lifecycle import Member
from gatebook.engagement.plan import block_data, member_inner, member_table, placed_member
from gatebook.engagement.plan_summary import (
    PlanContent,
    PlanMember,
    derive,
    fact_row,
    render_summary,
)
from gatebook.engagement.plan_text import (
    ENGAGEMENT_INFO,
    MEMBER_END,
    MEMBER_LINE,
    first_difference,
    text_digest,
)
from gatebook.engagement.plan_v1 import NOT_BOUND_WHY, member_plan_v1, summary_problems_v1
from gatebook.plan.document import PlanError, parse_plan, plan_questionnaire, review_from_data
from gatebook.plan.render import plan_front_matter
from gatebook.plan.verify import VerifyReport, verify_plan
from gatebook.questionnaire.models import STAGES, Questionnaire
from gatebook.questionnaire.source import SourceError
from gatebook.store.canonical import content_digest, sha256_of
from gatebook.store.errors import StoreError
from gatebook.store.model import Review

FORMATS = (1, 2)
_PLACEHOLDER = '---\ngatebook: "plan"\n---\n'
_LINE = re.compile(r"\bline (\d+)")
_SUMMARY_EDIT = "the summary is not what its members and data block give"


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


@dataclass
class EngagementReport(VerifyReport):
    """The `FILE#ENG_ID` entry: the summary, and how the members are bound to it."""

    text_only: bool = False
    """Every problem is a summary text that differs from what its data give: what
    `import --force` accepts (never a member missing, added, moved or unbound)."""

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "bound": self.bound}


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
    return CombinedPlan(summary, data, data_line, chapters, stray, len(lines))


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
    checked = PlanContent.model_validate(content)
    return {
        "id": checked.id,
        "title": checked.title,
        "start": checked.start,
        "shared": {qid: fact.value for qid, fact in checked.shared.items()},
        "overrides": [o.model_dump(mode="json") for o in checked.overrides],
    }


def verify_engagement_plan(
    text: str,
    filename: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed_signers: Path | None,
) -> list[tuple[str, VerifyReport]]:
    """One report per member (`FILE#REVIEW_ID`), then the engagement's own
    (`FILE#ENG_ID`). PlanError (exit 2) when the file is not a combined plan of ours."""
    combined = read_combined(text)
    if combined.format == 1:
        return _verify_v1(combined, filename, questionnaire_for, allowed_signers)
    return _verify_v2(combined, filename, questionnaire_for, allowed_signers)


def _verify_v1(
    combined: CombinedPlan,
    filename: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed: Path | None,
) -> list[tuple[str, VerifyReport]]:
    reports: list[tuple[str, VerifyReport]] = []
    for chapter in combined.chapters:
        if not chapter.closed:
            raise PlanError(f"member {chapter.id}: its end marker is missing")
        plan = member_plan_v1(chapter.id, chapter.raw)
        reports.append(
            (
                f"{filename}#{chapter.id}",
                verify_plan(plan, questionnaire_for, allowed, filename=filename),
            )
        )
    summary = EngagementReport(checked_signatures=allowed is not None)
    summary.problems = summary_problems_v1(combined.summary, combined.data)
    summary.digest_ok = not any("data block changed" in p for p in summary.problems)
    summary.body_ok = not any("summary" in p or "rendered" in p for p in summary.problems)
    summary.bound, summary.not_bound_why = False, NOT_BOUND_WHY
    summary.text_only = summary.digest_ok
    reports.append((f"{filename}#{combined.engagement_id}", summary))
    return reports


# ---- format 2 ------------------------------------------------------------------------------


def _relined(problem: str, line_of: Callable[[int], int]) -> str:
    """A member plan's problem with its line numbers made the combined file's."""
    return _LINE.sub(lambda m: f"line {line_of(int(m.group(1)))}", problem)


@dataclass
class _Checked:
    report: VerifyReport
    member: Member | None = None


def _check_member(
    chapter: Chapter,
    entry: PlanMember | None,
    filename: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed: Path | None,
) -> _Checked:
    """The chapter checked as a plan and against the block's entry for it."""
    named = f"member {chapter.id}"
    failed = VerifyReport(checked_signatures=allowed is not None)
    if not chapter.closed:
        failed.problems.append(f"line {chapter.line}: {named}: its end marker is missing")
        return _Checked(failed)
    lines = chapter.inner.split("\n")
    rows = 1
    while rows < len(lines) and lines[rows].startswith("|"):
        rows += 1
    if lines[0] != "" or rows == 1:
        failed.problems.append(
            f"line {chapter.line + 1}: {named}: its table (title, questionnaire, status, "
            "sign-offs) is missing"
        )
        return _Checked(failed)
    table_text = "\n".join(lines[1:rows]) + "\n"
    body = chapter.inner[1 + len(table_text) :]
    rest = body[:-1] if body.endswith("\n\n") else body
    try:
        parsed = parse_plan(_PLACEHOLDER + rest)
        review = review_from_data(parsed.data, now="")
        questionnaire = plan_questionnaire(parsed, filename)
    except PlanError as error:
        message = _relined(str(error), lambda n: chapter.line + rows + n - 3)
        raise PlanError(f"{named}: {message}") from None
    if questionnaire is None:  # a format-1 member: the questionnaire installed here
        try:
            questionnaire = questionnaire_for(review)
        except (SourceError, StoreError, OSError) as error:
            failed.problems.append(f"line {chapter.line}: {named}: cannot re-render: {error}")
            return _Checked(failed)
    front = plan_front_matter(review, questionnaire, int(parsed.data["gatebook_plan"]))
    head = front.count("\n")
    report = verify_plan(front + rest, questionnaire_for, allowed, filename=filename)
    report.problems = [
        _relined(p, lambda n: chapter.line + rows + n - head if n > head else chapter.line)
        for p in report.problems
    ]
    member = placed_member(chapter.id, entry.stage if entry else None, review, questionnaire)
    assert member.report is not None
    expected = member_inner(member_table(review, member.report), rest)
    difference = first_difference(expected, chapter.inner, chapter.line + 1)
    if difference is not None:
        report.body_ok = False
        report.problems.append(
            f"the text differs from the member's table and chapter as gatebook writes them "
            f"(line {difference[0]}: {named}: {difference[1]})"
        )
    report.problems += _binding_problems(chapter, entry, review)
    return _Checked(report, member)


def _binding_problems(chapter: Chapter, entry: PlanMember | None, review: Review) -> list[str]:
    at = f"line {chapter.line}: member {chapter.id}"
    if entry is None:
        return []
    problems = []
    if review.id != chapter.id:
        problems.append(f"{at}: the chapter holds review {review.id} (a review spliced in)")
    if review.questionnaire != entry.questionnaire:
        problems.append(
            f"{at}: the chapter is a {review.questionnaire} review; the engagement data block "
            f"lists a {entry.questionnaire} review"
        )
    if content_digest(review) != entry.digest:
        problems.append(
            f"{at}: its review digest is not the one the engagement data block lists "
            "(the review was replaced or changed)"
        )
    if text_digest(chapter.inner) != entry.plan_digest:
        problems.append(
            f"the text differs from what the engagement data block binds ({at}: "
            "plan_digest differs)"
        )
    return problems


def _structure(combined: CombinedPlan, content: PlanContent) -> list[str]:
    """Members missing, added, repeated or out of order; text outside the chapters."""
    listed = [m.id for m in content.members]
    present = [c.id for c in combined.chapters]
    problems = [
        f"line {line}: text stands outside the summary and the member chapters"
        for line in combined.stray
    ]
    if not listed:
        problems.append(
            f"line {combined.data_line}: the engagement data block lists no members; "
            "gatebook writes no combined plan without one"
        )
    problems += [
        f"line {combined.data_line}: the engagement data block lists member {mid} twice"
        for number, mid in enumerate(listed)
        if mid in listed[:number]
    ]
    for number, chapter in enumerate(combined.chapters):
        if chapter.id not in listed:
            problems.append(
                f"line {chapter.line}: member {chapter.id} is not in the engagement data "
                "block (a member added)"
            )
        elif chapter.id in present[:number]:
            problems.append(f"line {chapter.line}: member {chapter.id} appears a second time")
    for position, mid in enumerate(listed):
        if mid not in present:
            at = (
                combined.chapters[position].line
                if position < len(combined.chapters)
                else combined.last_line
            )
            problems.append(
                f"line {at}: member {mid} is missing: the engagement data block lists it "
                f"as member {position + 1}"
            )
    found = [cid for cid in dict.fromkeys(present) if cid in listed]
    wanted = [mid for mid in listed if mid in present]
    for mid, expected in zip(found, wanted, strict=True):
        if mid != expected:
            at = next(c.line for c in combined.chapters if c.id == mid)
            problems.append(
                f"line {at}: member {mid} is out of order: the engagement data block puts "
                f"{expected} here"
            )
            break
    ranks = [STAGES.index(m.stage) if m.stage else len(STAGES) for m in content.members]
    problems += [
        f"line {combined.data_line}: member {content.members[n].id} is listed after a member "
        "of a later stage"
        for n in range(1, len(ranks))
        if ranks[n] < ranks[n - 1]
    ]
    return problems


def _block_line(combined: CombinedPlan, needle: str) -> int:
    lines = combined.summary.split("\n")
    found = next(
        (n for n, line in enumerate(lines, 1) if n > combined.data_line and needle in line), None
    )
    return found or combined.data_line


def _content(combined: CombinedPlan) -> PlanContent:
    try:
        return PlanContent.model_validate(combined.data["content"])
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise PlanError(
            f"line {combined.data_line}: the engagement data block does not describe an "
            f"engagement: {where}: {first['msg']}"
        ) from None


def _verify_v2(
    combined: CombinedPlan,
    filename: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed: Path | None,
) -> list[tuple[str, VerifyReport]]:
    content = _content(combined)
    engagement = EngagementReport(checked_signatures=allowed is not None)
    digest = sha256_of(combined.data["content"])
    engagement.digest_ok = combined.data.get("digest") == digest
    problems = []
    if not engagement.digest_ok:
        problems.append(
            f"line {combined.data_line}: the engagement data block changed: its content "
            f"hashes to {digest}, the plan says {combined.data.get('digest')}"
        )
    problems += _structure(combined, content)
    entries = {m.id: m for m in reversed(content.members)}
    reports: list[tuple[str, VerifyReport]] = []
    placed: dict[str, Member] = {}
    for number, chapter in enumerate(combined.chapters):
        first = chapter.id not in [c.id for c in combined.chapters[:number]]
        entry = entries.get(chapter.id) if first else None
        checked = _check_member(chapter, entry, filename, questionnaire_for, allowed)
        reports.append((f"{filename}#{chapter.id}", checked.report))
        if checked.member is not None and entry is not None:
            placed[chapter.id] = checked.member
    if not problems or all("data block changed" in p for p in problems):
        problems += _summary_problems(
            combined, content, [placed[m.id] for m in content.members if m.id in placed]
        )
    engagement.problems = problems
    engagement.text_only = all(_SUMMARY_EDIT in p for p in problems)
    engagement.body_ok = not [p for p in problems if "data block changed" not in p]
    reports.append((f"{filename}#{content.id}", engagement))
    return reports


def _summary_problems(
    combined: CombinedPlan, content: PlanContent, members: list[Member]
) -> list[str]:
    """The summary derived again from the members and the block, compared."""
    if len(members) != len(content.members):
        return []  # a member that could not be read fails its own entry
    problems = []
    for qid, fact in sorted(content.shared.items()):
        row = fact_row(members, qid, fact)
        needle = '"' + qid + '": {'
        at = f"line {_block_line(combined, needle)}: shared fact {qid}"
        if row.question is None:
            problems.append(
                f"{at}: no member holds a {fact.type} question {qid} with these options"
            )
        elif row.value != fact.value:
            problems.append(f"{at}: the block says {fact.value!r}, the members hold {row.value!r}")
    data = {**block_data(content), "digest": combined.data.get("digest")}
    expected = render_summary(data, content, derive(content, members))
    difference = first_difference(expected, combined.summary)
    if difference is not None:
        problems.append(f"line {difference[0]}: {_SUMMARY_EDIT}: {difference[1]}")
    return problems
