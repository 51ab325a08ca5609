"""`verify` of a combined plan (docs/contracts.md "Engagements").

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

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from operator import add
from pathlib import Path
from typing import Any

from gatebook.engagement.lifecycle import Member
from gatebook.engagement.plan import (
    block_data,
    member_inner,
    member_table,
    placed_member,
    shared_facts,
)
from gatebook.engagement.plan_read import Chapter, CombinedPlan, plan_content, read_combined
from gatebook.engagement.plan_summary import (
    Derived,
    PlanContent,
    PlanMember,
    derive,
    fact_row,
    render_summary,
)
from gatebook.engagement.plan_text import first_difference, text_digest
from gatebook.engagement.plan_v1 import NOT_BOUND_WHY, member_plan_v1, summary_problems_v1
from gatebook.engagement.summary_before_33 import next_step_before_33, rag_before_33
from gatebook.plan.document import PlanError, parse_plan, plan_questionnaire, review_from_data
from gatebook.plan.render import plan_front_matter
from gatebook.plan.verify import VerifyReport, verify_plan
from gatebook.questionnaire.models import STAGES, Questionnaire
from gatebook.questionnaire.source import SourceError
from gatebook.store.canonical import content_digest, sha256_of
from gatebook.store.errors import StoreError
from gatebook.store.model import Review

_PLACEHOLDER = '---\ngatebook: "plan"\n---\n'
_LINE = re.compile(r"(^|\()line (\d+):")
_KEY = re.compile(r'^ *"((?:[^"\\]|\\.)*)": ')
_SUMMARY_EDIT = "the summary is not what its members and data block give"


@dataclass
class EngagementReport(VerifyReport):
    """The `FILE#ENG_ID` entry: the summary, and how the members are bound to it."""

    text_only: bool = False
    """Every problem is a summary text that differs from what its data give: what
    `import --force` accepts (never a member missing, added, moved or unbound)."""

    def to_json(self) -> dict[str, Any]:
        return {**super().to_json(), "bound": self.bound}


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
        at = f"line {chapter.line}: member {chapter.id}"
        if not chapter.closed:
            raise PlanError(f"{at}: its end marker is missing")
        try:
            plan = member_plan_v1(chapter.id, chapter.raw)
            report = verify_plan(plan, questionnaire_for, allowed, filename=filename)
        except PlanError as error:  # its lines as the combined file numbers them
            message = str(error).removeprefix(f"member {chapter.id}: ")
            shifted = _relined(message, partial(add, chapter.line + 1))
            raise PlanError(f"{at}: {shifted}") from None
        reports.append((f"{filename}#{chapter.id}", report))
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
    return _LINE.sub(lambda m: f"{m.group(1)}line {line_of(int(m.group(2)))}:", problem)


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
        questionnaire = installed_questionnaire(questionnaire_for, review)
        if questionnaire is None:
            failed.problems.append(
                f"line {chapter.line}: {named}: cannot re-render: questionnaire "
                f"{review.questionnaire} is not installed here"
            )
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
    if entry is not None:
        _check_stage(chapter, entry, review, questionnaire_for, report)
    return _Checked(report, member)


def _check_stage(
    chapter: Chapter,
    entry: PlanMember,
    review: Review,
    questionnaire_for: Callable[[Review], Questionnaire],
    report: VerifyReport,
) -> None:
    """The block's stage for a member is its questionnaire's (the carried one has no
    stage): a DQI placed at `close` would drop its rating from the RAG. Checked against
    the questionnaire installed here, as `engagement plan` placed it; a note when there
    is none."""
    installed = installed_questionnaire(questionnaire_for, review)
    if installed is None:
        report.notes.append(
            f"member {chapter.id}: its stage ({entry.stage}) is the engagement data block's "
            f"word: questionnaire {review.questionnaire} is not installed here"
        )
        return
    stage = installed.stage
    if stage != entry.stage:
        report.problems.append(
            f"line {chapter.line}: member {chapter.id}: the engagement data block places it at "
            f"stage {entry.stage}; its questionnaire {review.questionnaire} belongs to stage "
            f"{stage}"
        )


def installed_questionnaire(
    questionnaire_for: Callable[[Review], Questionnaire], review: Review
) -> Questionnaire | None:
    """The questionnaire of the member's id installed here, or None (an id that reads
    as a file name never gets here: the plan is refused when read)."""
    try:
        return questionnaire_for(review)
    except (SourceError, StoreError, OSError):
        return None


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
    listed_set, present_set = set(listed), set(present)  # one pass each: no quadratic scan
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
        for mid in _repeats(listed)
    ]
    seen: set[str] = set()
    for chapter in combined.chapters:
        if chapter.id not in listed_set:
            problems.append(
                f"line {chapter.line}: member {chapter.id} is not in the engagement data "
                "block (a member added)"
            )
        elif chapter.id in seen:
            problems.append(f"line {chapter.line}: member {chapter.id} appears a second time")
        seen.add(chapter.id)
    for position, mid in enumerate(listed):
        if mid not in present_set:
            at = (
                combined.chapters[position].line
                if position < len(combined.chapters)
                else combined.last_line
            )
            problems.append(
                f"line {at}: member {mid} is missing: the engagement data block lists it "
                f"as member {position + 1}"
            )
    found = [cid for cid in dict.fromkeys(present) if cid in listed_set]
    wanted = [mid for mid in dict.fromkeys(listed) if mid in present_set]
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


def _repeats(ids: list[str]) -> list[str]:
    """Each id listed again after its first place, in order."""
    seen: set[str] = set()
    repeats = []
    for item in ids:
        if item in seen:
            repeats.append(item)
        seen.add(item)
    return repeats


def _block_lines(combined: CombinedPlan) -> dict[str, int]:
    """The first line of each key in the engagement data block (`KEY{` when its value
    opens an object), found in one pass: a lookup per shared fact scanning the file
    was quadratic."""
    found: dict[str, int] = {}
    for number, line in enumerate(combined.summary.split("\n"), 1):
        match = _KEY.match(line) if number > combined.data_line else None
        if match is not None:
            key = match.group(1) + ("{" if line.endswith("{") else "")
            found.setdefault(key, number)
    return found


def _verify_v2(
    combined: CombinedPlan,
    filename: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed: Path | None,
) -> list[tuple[str, VerifyReport]]:
    content = plan_content(combined)
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
    checked_ids: set[str] = set()
    for chapter in combined.chapters:
        entry = entries.get(chapter.id) if chapter.id not in checked_ids else None
        checked_ids.add(chapter.id)
        checked = _check_member(chapter, entry, filename, questionnaire_for, allowed)
        reports.append((f"{filename}#{chapter.id}", checked.report))
        if checked.member is not None and entry is not None:
            placed[chapter.id] = checked.member
    if not problems or all("data block changed" in p for p in problems):
        problems += _summary_problems(
            combined, content, [placed[m.id] for m in content.members if m.id in placed]
        )
    problems += _as_of_problems(combined, content, list(placed.values()))
    problems += _left_out_facts(combined, content, list(placed.values()), questionnaire_for)
    engagement.problems = problems
    engagement.text_only = all(_SUMMARY_EDIT in p for p in problems)
    engagement.body_ok = not [p for p in problems if "data block changed" not in p]
    reports.append((f"{filename}#{content.id}", engagement))
    return reports


def _as_of_problems(
    combined: CombinedPlan, content: PlanContent, members: list[Member]
) -> list[str]:
    """`as_of` is the render date: never before a sign-off the plan shows (backdated,
    a risk past its due date would no longer be red)."""
    signed = [
        (signoff.time[:10], member.id)
        for member in members
        if member.review is not None
        for signoff in member.review.signoffs
    ]
    if not signed or max(signed)[0] <= content.as_of:
        return []
    date, member_id = max(signed)
    at = _block_lines(combined).get("as_of", combined.data_line)
    return [
        f"line {at}: as_of {content.as_of} is before {member_id}'s sign-off of {date}: "
        "a plan is never rendered before what it shows"
    ]


def _left_out_facts(
    combined: CombinedPlan,
    content: PlanContent,
    placed: list[Member],
    questionnaire_for: Callable[[Review], Questionnaire],
) -> list[str]:
    """The block's shared facts are the ones `engagement plan` chooses: every question
    a member's questionnaire (as installed here; the carried one does not say) shares
    and a member answered. A fact left out would hide what the members hold."""
    installed = []
    for member in placed:
        assert member.review is not None
        questionnaire = installed_questionnaire(questionnaire_for, member.review)
        if questionnaire is None:
            return []  # its member's entry notes that it is not installed here
        installed.append(Member(member.id, member.review, questionnaire))
    expected = shared_facts(installed, placed)
    at = f"line {_block_lines(combined).get('shared{', combined.data_line)}"
    problems = [
        f"{at}: shared fact {qid} is left out: the members' questionnaires share it and a "
        "member holds a value"
        for qid in expected
        if qid not in content.shared
    ]
    problems += [
        f"{at}: shared fact {qid}: no member's questionnaire shares it"
        for qid in content.shared
        if qid not in expected
    ]
    return problems


def _summary_problems(
    combined: CombinedPlan, content: PlanContent, members: list[Member]
) -> list[str]:
    """The summary derived again from the members and the block, compared."""
    if len(members) != len(content.members):
        return []  # a member that could not be read fails its own entry
    problems = []
    lines = _block_lines(combined)
    for qid, fact in sorted(content.shared.items()):
        row = fact_row(members, qid, fact)
        at = f"line {lines.get(qid + '{', combined.data_line)}: shared fact {qid}"
        if row.question is None:
            problems.append(
                f"{at}: no member holds a {fact.type} question {qid} with these options"
            )
        elif row.value != fact.value:
            problems.append(f"{at}: the block says {fact.value!r}, the members hold {row.value!r}")
    data = {**block_data(content), "digest": combined.data.get("digest")}
    derived = derive(content, members)
    difference = first_difference(render_summary(data, content, derived), combined.summary)
    if difference is not None and _before_33(data, content, derived, members) == combined.summary:
        difference = None  # written before issue 33, by the rules of its time
    if difference is not None:
        problems.append(f"line {difference[0]}: {_SUMMARY_EDIT}: {difference[1]}")
    return problems


def _before_33(
    data: dict[str, Any], content: PlanContent, derived: Derived, members: list[Member]
) -> str:
    """The summary as gatebook derived it before issue 33 (summary_before_33.py)."""
    today = content.as_of
    return render_summary(
        data,
        content,
        replace(
            derived,
            rag=rag_before_33(members, today),
            next_step=next_step_before_33(members, content.engagement(), today),
        ),
    )
