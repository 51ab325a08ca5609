"""Format 1 of the combined plan (gatebook before issue 31), kept so plans already
exported keep verifying: its summary is rendered from its data block alone, and the
block binds neither the members nor the summary to them, so `verify` checks each
member as a plan and calls the summary NOT BOUND (re-export to bind it)."""

from __future__ import annotations

import json
from typing import Any

from gatebook.engagement.plan_summary import reviews_table
from gatebook.engagement.plan_text import (
    FRONT_MATTER_INFO,
    MEMBER_START,
    data_details,
    score_chart,
)
from gatebook.engagement.view import MemberRow
from gatebook.engine.formatting import score_text
from gatebook.plan.document import PlanError
from gatebook.plan.escape import cell, inline
from gatebook.plan.markdown import table
from gatebook.store.canonical import sha256_of

ENGAGEMENT_PLAN_FORMAT_1 = 1
NOT_BOUND_WHY = "format 1 binds neither members nor summary; re-export"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return cell(", ".join(str(item) for item in value)) or "(none)"
    return cell(str(value)) if value is not None else "-"


def _member_row(member: dict[str, Any]) -> MemberRow:
    """A format-1 block's member as the reviews table reads it (a key missing: KeyError,
    which `summary_problems_v1` reports as a block that cannot be rendered)."""
    return MemberRow(
        stage=member["stage"],
        id=member["id"],
        title=member["title"],
        questionnaire=member["questionnaire"],
        status=member["status"],
        high=member["high"],
        medium=member["medium"],
        overall=member["overall"],
        target=member["target"],
    )


def render_summary_v1(data: dict[str, Any]) -> str:
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
    reviews = [_member_row(m) for m in members]
    lines += ["", "## Reviews", ""]
    lines += reviews_table(reviews) if reviews else ["No reviews yet."]
    scored = [m for m in reviews if m.target is not None]
    if scored:
        lines += score_chart(
            [f'"{m.id}"' for m in scored],
            [score_text(m.overall or 0) for m in scored],
            [score_text(m.target) for m in scored],
        )
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
    lines += data_details(data)
    return "\n".join(lines) + "\n"


def summary_problems_v1(summary: str, data: dict[str, Any]) -> list[str]:
    """Why a format-1 summary does not match its own data block (empty: it does)."""
    problems = []
    if data.get("digest") != sha256_of(data["content"]):
        problems.append("the engagement data block changed since it was written")
    try:
        expected = render_summary_v1(data)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        return [*problems, f"the engagement data block cannot be rendered ({error})"]
    if expected != summary:
        problems.append("the engagement summary differs from what its data block renders")
    return problems


def member_plan_v1(review_id: str, chapter: str) -> str:
    """A format-1 member's plan as exported: the fenced front matter back at the top."""
    opening = f"\n```{FRONT_MATTER_INFO}\n"
    if not chapter.startswith(MEMBER_START.format(id=review_id) + "\n" + opening):
        raise PlanError(f"member {review_id}: its front matter block is missing")
    rest = chapter[len(MEMBER_START.format(id=review_id)) + 1 + len(opening) :]
    end = rest.find("\n```\n")
    if end < 0:
        raise PlanError(f"member {review_id}: its front matter block is not closed")
    front, body = rest[: end + 1], rest[end + 5 :]
    return f"---\n{front}---\n{body}"
