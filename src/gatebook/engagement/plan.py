"""The combined plan of an engagement: a summary, then every member's plan.

One deterministic Markdown document. The summary (stage, RAG status, shared facts,
the engagement risk register with origins, each review's score against its target,
the DQI ratings in date order) is rendered from an engagement data block with its
own digest, and checked like a plan body. Each member's plan follows between two
HTML comments (which a code host does not show and typed text cannot forge: every
`<` a person types is escaped), exactly as `gatebook export` writes it except that
its YAML front matter is shown as a fenced block, so every member keeps verifying
with its own data block and signatures.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebook.engagement.lifecycle import Member, dqi_date, dqi_rating, load_members
from gatebook.engagement.model import Engagement
from gatebook.engagement.view import engagement_view, member_json
from gatebook.plan.document import INERT_JSON, PlanError
from gatebook.plan.escape import cell, inline, writable
from gatebook.plan.markdown import table
from gatebook.plan.render import render_plan
from gatebook.plan.verify import VerifyReport, verify_plan
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import sha256_of
from gatebook.store.model import Review

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore

ENGAGEMENT_PLAN_FORMAT = 1
ENGAGEMENT_INFO = "json gatebook-engagement"
FRONT_MATTER_INFO = "yaml gatebook-front-matter"
MEMBER_START = "<!-- gatebook-member: {id} -->"
MEMBER_END = "<!-- gatebook-member-end: {id} -->"
_MEMBER_LINE = re.compile(r"^<!-- gatebook-member: ([A-Za-z0-9][A-Za-z0-9._-]{0,63}) -->$")


def is_engagement_plan(text: str) -> bool:
    return text.startswith('---\ngatebook: "engagement-plan"\n')


# ---- rendering -----------------------------------------------------------------------


def engagement_content(
    reviews: ReviewStore, engagement: Engagement, members: list[Member]
) -> dict[str, Any]:
    """Everything the summary shows, as data: what the data block carries."""
    view = engagement_view(reviews, engagement, members)
    return {
        "id": engagement.id,
        "title": engagement.title,
        "start": engagement.start,
        "customer": view["customer"],
        "stage": view["stage"],
        "status": view["status"],
        "status_reasons": view["status_reasons"],
        "next_step": view["next_step"],
        "shared": view["shared"],
        "risks": view["risks"],
        "members": [_member_summary(m) for m in members if m.review is not None],
    }


def _member_summary(member: Member) -> dict[str, Any]:
    data = member_json(member)
    if member.stage == "inspect":
        data["dqi_rating"] = dqi_rating(member)
        data["dqi_date"] = dqi_date(member)
    return data


def _json_block(info: str, data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1)
    for char, escaped in INERT_JSON.items():
        text = text.replace(char, escaped)
    return f"```{info}\n{text}\n```\n"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return cell(", ".join(str(item) for item in value)) or "(none)"
    return cell(str(value)) if value is not None else "-"


def _score(value: Any) -> str:
    return "-" if value is None else f"{value:g}"


def render_summary(data: dict[str, Any]) -> str:
    """The combined plan's front matter and summary, from the data block alone."""
    content = data["content"]
    status = str(content["status"])
    front = [
        "---",
        'gatebook: "engagement-plan"',
        f"engagement: {json.dumps(content['id'])}",
        f"title: {json.dumps(content['title'], ensure_ascii=False)}",
        f"status: {json.dumps(status)}",
        f"digest: {json.dumps(data['digest'])}",
        "---",
        "",
    ]
    about = f"engagement `{content['id']}` · started {content['start']}"
    if content.get("customer"):
        about = f"{inline(str(content['customer']))} · {about}"
    lines = [*front, f"# {inline(str(content['title'])) or 'Engagement'}", "", about, ""]
    lines += ["## Engagement Summary", ""]
    lines.append(f"- Status: **{status.upper()}**")
    lines += [f"  - {inline(reason, mid_line=True)}" for reason in content["status_reasons"]]
    lines.append(f"- Stage: {content['stage'] or 'not started'}")
    step = content["next_step"]
    if step:
        lines.append(
            f"- Next step: {step['stage']} (`{step['questionnaire']}`): "
            f"{inline(step['reason'], mid_line=True)}"
        )
    else:
        lines.append("- Next step: none, the engagement is closed")
    members = content["members"]
    lines += ["", "## Reviews", ""]
    if members:
        rows = [
            [
                m["stage"] or "-",
                f"`{m['id']}`",
                cell(m["title"] or ""),
                f"`{m['questionnaire']}`",
                m["status"],
                str(m["high"]),
                str(m["medium"]),
                _score(m["overall"]),
                _score(m["target"]),
            ]
            for m in members
        ]
        headers = ["Stage", "Review", "Title", "Questionnaire", "Status", "High", "Medium"]
        lines.append(table([*headers, "Score", "Target"], rows).rstrip("\n"))
    else:
        lines.append("No reviews yet.")
    scored = [m for m in members if m["target"] is not None]
    if scored:
        labels = ", ".join(f'"{m["id"]}"' for m in scored)
        bars = ", ".join(_score(m["overall"] or 0) for m in scored)
        targets = ", ".join(_score(m["target"]) for m in scored)
        lines += [
            "",
            "## Scores Against Target",
            "",
            "```mermaid",
            "xychart-beta",
            '    title "Overall score (bars) against the target (line)"',
            f"    x-axis [{labels}]",
            '    y-axis "Score" 0 --> 100',
            f"    bar [{bars}]",
            f"    line [{targets}]",
            "```",
        ]
    dqis = sorted((m for m in members if "dqi_rating" in m), key=lambda m: (m["dqi_date"], m["id"]))
    if dqis:
        lines += ["", "## Delivery Quality Inspections", ""]
        rows = [
            [m["dqi_date"], f"`{m['id']}`", (m["dqi_rating"] or "not rated").upper()] for m in dqis
        ]
        lines.append(table(["Date", "Review", "Rating"], rows).rstrip("\n"))
    lines += ["", "## Shared Facts", ""]
    if content["shared"]:
        rows = [[f"`{key}`", _value(value)] for key, value in content["shared"].items()]
        lines.append(table(["Question", "Value"], rows).rstrip("\n"))
    else:
        lines.append("No shared answers yet.")
    lines += ["", "## Engagement Risk Register", ""]
    if content["risks"]:
        rows = [
            [
                (r["severity"] or "-").upper(),
                cell(r["title"] or r["id"]),
                f"`{r['review']}/{r['id']}`",
                r["status"],
                cell(r["owner"]) if r["owner"] else "-",
                r["due"] or "-",
                f"`{r['origin']}`" if r["origin"] else "-",
            ]
            for r in content["risks"]
        ]
        headers = ["Severity", "Risk", "Row", "Status", "Owner", "Due", "Carried from"]
        lines.append(table(headers, rows).rstrip("\n"))
    else:
        lines.append("No risks recorded.")
    lines += [
        "",
        "<details><summary>Engagement data (gatebook)</summary>",
        "",
        _json_block(ENGAGEMENT_INFO, data).rstrip("\n"),
        "",
        "</details>",
        "",
    ]
    return writable("\n".join(lines) + "\n")  # a stored lone surrogate: escaped, not a crash


def member_chapter(review_id: str, plan_text: str) -> str:
    """A member's plan as a chapter: its front matter as a fenced block, the rest as
    `gatebook export` writes it, between the member markers."""
    if not plan_text.startswith("---\n"):
        raise PlanError(f"{review_id}: a plan starts with its front matter")
    end = plan_text.index("\n---\n", 4)
    front, rest = plan_text[4 : end + 1], plan_text[end + 5 :]
    return (
        f"{MEMBER_START.format(id=review_id)}\n\n```{FRONT_MATTER_INFO}\n{front}```\n{rest}"
        f"\n{MEMBER_END.format(id=review_id)}\n"
    )


def render_engagement_plan(reviews: ReviewStore, engagement: Engagement) -> str:
    members = load_members(reviews, engagement)
    content = engagement_content(reviews, engagement, members)
    data = {
        "gatebook_engagement": ENGAGEMENT_PLAN_FORMAT,
        "digest": sha256_of(content),
        "content": content,
    }
    parts = [render_summary(data)]
    for member in members:
        if member.review is None or member.questionnaire is None:
            continue
        parts.append(
            "\n" + member_chapter(member.id, render_plan(member.review, member.questionnaire))
        )
    return "".join(parts)


# ---- reading back ---------------------------------------------------------------------


@dataclass(frozen=True)
class CombinedPlan:
    """A combined plan split into its summary's data and its members' plans."""

    summary: str
    data: dict[str, Any]
    members: list[tuple[str, str]]
    """(review id, the member's plan text as `gatebook export` wrote it)."""

    @property
    def engagement_id(self) -> str:
        return str(self.data["content"]["id"])

    def summary_problems(self) -> list[str]:
        """Why the summary does not match its data block (empty: it does)."""
        problems = []
        if self.data.get("digest") != sha256_of(self.data["content"]):
            problems.append("the engagement data block changed since it was written")
        try:
            expected = render_summary(self.data)
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            return [*problems, f"the engagement data block cannot be rendered ({error})"]
        if expected != self.summary:
            problems.append("the engagement summary differs from what its data block renders")
        return problems


def split_engagement_plan(text: str) -> CombinedPlan:
    """Split a combined plan; PlanError when it is not one of ours."""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _MEMBER_LINE.match(line)]
    # The summary ends with the blank line before the first member's marker.
    summary = "\n".join(lines[: max(starts[0] - 1, 0)]) + "\n" if starts else text
    data = _engagement_data(summary)
    members: list[tuple[str, str]] = []
    for number, start in enumerate(starts):
        match = _MEMBER_LINE.match(lines[start])
        assert match is not None
        review_id = match.group(1)
        stop = starts[number + 1] - 1 if number + 1 < len(starts) else len(lines)
        chunk = lines[start:stop]
        end_marker = MEMBER_END.format(id=review_id)
        if end_marker not in chunk:
            raise PlanError(f"member {review_id}: its end marker is missing")
        body = chunk[: chunk.index(end_marker)]
        members.append((review_id, _plan_text(review_id, "\n".join(body))))
    return CombinedPlan(summary, data, members)


def _engagement_data(summary: str) -> dict[str, Any]:
    fence = f"```{ENGAGEMENT_INFO}\n"
    if summary.count(fence) != 1:
        raise PlanError("not a combined engagement plan: it needs one engagement data block")
    start = summary.index(fence) + len(fence)
    end = summary.find("\n```\n", start)
    if end < 0:
        raise PlanError("the engagement data block is not closed")
    try:
        data = json.loads(summary[start:end])
    except (json.JSONDecodeError, RecursionError) as error:
        raise PlanError(f"the engagement data block is not JSON ({error})") from None
    if (
        not isinstance(data, dict)
        or data.get("gatebook_engagement") != ENGAGEMENT_PLAN_FORMAT
        or not isinstance(data.get("content"), dict)
    ):
        raise PlanError("the engagement data block is not one gatebook writes")
    return data


def _plan_text(review_id: str, chapter: str) -> str:
    """The member's plan as exported: the fenced front matter back at the top."""
    opening = f"\n```{FRONT_MATTER_INFO}\n"
    if not chapter.startswith(MEMBER_START.format(id=review_id) + "\n" + opening):
        raise PlanError(f"member {review_id}: its front matter block is missing")
    rest = chapter[len(MEMBER_START.format(id=review_id)) + 1 + len(opening) :]
    end = rest.find("\n```\n")
    if end < 0:
        raise PlanError(f"member {review_id}: its front matter block is not closed")
    front, body = rest[: end + 1], rest[end + 5 :]
    return f"---\n{front}---\n{body}"


def verify_engagement_plan(
    text: str,
    filename: str,
    questionnaire_for: Callable[[Review], Questionnaire],
    allowed_signers: Path | None,
) -> list[tuple[str, VerifyReport]]:
    """One report per member, labelled `FILE#REVIEW_ID`; a summary that does not match
    its data block adds a failing `FILE#ENGAGEMENT_ID` report. PlanError (exit 2)
    when the file is not a combined plan of ours."""
    combined = split_engagement_plan(text)
    reports = [
        (
            f"{filename}#{review_id}",
            verify_plan(plan, questionnaire_for, allowed_signers, filename=filename),
        )
        for review_id, plan in combined.members
    ]
    problems = combined.summary_problems()
    if problems:
        summary = VerifyReport(checked_signatures=allowed_signers is not None)
        summary.body_ok = not any("summary" in p for p in problems)
        summary.digest_ok = not any("data block changed" in p for p in problems)
        summary.problems = problems
        reports.append((f"{filename}#{combined.engagement_id}", summary))
    return reports
