"""Render a review as a Markdown plan: deterministic bytes, inert typed text.

The same review always renders to the same text (stable order, LF, no "generated
at" stamp; the only times are the sign-off times), so plans diff cleanly in git
and `verify` can re-render the data block and compare byte for byte.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gatebook.plan.chapters import render_chapters
from gatebook.plan.document import (
    BOUND_FORMAT,
    INERT_JSON,
    PLAN_FORMAT,
    SINCE_FORMAT,
    data_block,
    plan_data,
)
from gatebook.plan.escape import inline, writable
from gatebook.plan.report import ReviewReport, review_report
from gatebook.plan.sections import (
    answers_section,
    flags_section,
    follow_ups_section,
    pillars_section,
    scores_section,
    signoffs_section,
    summary_section,
)
from gatebook.plan.since import BoundSince, since_chapter
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import (
    content_digest,
    current_signoffs,
)
from gatebook.store.model import Review


def _front_matter(review: Review, report: ReviewReport, digest: str, plan_format: int) -> str:
    status = report.status
    latest = current_signoffs(review)
    void = {id(v.signoff) for v in report.signoffs if v.state == "void"}
    data = {
        "gatebook": "plan",
        "questionnaire": review.questionnaire,
        "questionnaire_version": review.version,
        "review": review.id,
        "title": review.title,
        "subject": review.subject,
        "status": status,
        "digest": digest,
        "signoffs": [
            {
                "role": s.role,
                "name": s.name,
                "decision": s.decision,
                "time": s.time,
                "void": id(s) in void,
                "ssh_signed": s.signature is not None,
            }
            for s in latest.values()
        ],
    }
    return "---\n" + _yaml(data, plan_format) + "---\n"


_MARKDOWN_ACTIVE = frozenset('\\`*_[]()#!|~<>&$"/@')
"""What can open markup mid-line: emphasis, code, links, images, tags, entities, table
cells, math, and the `://` and `@` that GFM autolinks; `www.` is broken separately."""
_WWW = re.compile(r"(?i)(www)\.")


def _inert_char(char: str) -> str:
    code = ord(char)
    if char in _MARKDOWN_ACTIVE or code < 0x20 or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    if code in (0x2028, 0x2029, 0xFEFF) or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069:
        return f"\\u{code:04x}"
    return char


def _scalar(value: Any, plan_format: int = PLAN_FORMAT) -> str:
    """A YAML scalar that is also inert Markdown (code hosts and cmark-gfm render front
    matter as text). Format 2: a double-quoted string, valid YAML, in which every
    Markdown-active character, control and bidi override is a `\\uXXXX` escape, so
    no link, image, tag or autolink can form and YAML reads back the same value.
    Format 1 escaped only `<`, `>`, `&` and `` ` `` (kept, so old plans verify)."""
    if plan_format >= 2 and isinstance(value, str):
        escaped = "".join(_inert_char(char) for char in value)
        return '"' + _WWW.sub(lambda m: m.group(1) + "\\u002e", escaped) + '"'
    text = json.dumps(value, ensure_ascii=False)
    for char, escaped in INERT_JSON.items():
        text = text.replace(char, escaped)
    return text


def _yaml(data: dict[str, Any], plan_format: int) -> str:
    lines = []
    for key, value in data.items():
        if isinstance(value, list):
            lines.append(f"{key}:" + (" []" if not value else ""))
            for item in value:
                pairs = [f"{k}: {_scalar(v, plan_format)}" for k, v in item.items()]
                lines.append("  - " + "\n    ".join(pairs))
        else:
            lines.append(f"{key}: {_scalar(value, plan_format)}")
    return "\n".join(lines) + "\n"


def render_plan(
    review: Review,
    questionnaire: Questionnaire,
    *,
    plan_format: int = PLAN_FORMAT,
    since: dict[str, Any] | None = None,
    bound_since: BoundSince | None = None,
) -> str:
    """The whole plan: front matter, human-readable body, machine-readable block.

    Format 3 lays the body out in the questionnaire's chapters; `plan_format` 1 to 4
    re-render plans written before, byte for byte, so they keep verifying. `since` is
    a format-4 since chapter's data; `bound_since` a format-5 one's milestone file and
    the chapter derived from it."""
    report = review_report(review, questionnaire)
    result, status = report.evaluation, report.status
    digest = content_digest(review)
    version = inline(review.version, mid_line=True)
    about = (
        f"{inline(questionnaire.title)} · `{review.questionnaire}` {version} · review `{review.id}`"
    )
    if review.subject:
        about += f" · subject: {inline(review.subject, mid_line=True)}"
    if plan_format >= 3:
        body: list[str | list[str]] = list(
            render_chapters(review, questionnaire, report, plan_format)
        )
        if plan_format == SINCE_FORMAT and since is not None:
            body.append(since_chapter(since, questionnaire))
        elif plan_format >= BOUND_FORMAT and bound_since is not None:
            body.append(since_chapter(bound_since.chapter, questionnaire, bound=True))
            since = bound_since.milestone
    else:
        body = [
            summary_section(questionnaire, result, status, plan_format),
            flags_section(review, result),
            pillars_section(result),
            scores_section(questionnaire, result),
            answers_section(review, questionnaire, result),
            follow_ups_section(review, questionnaire),
            signoffs_section(review, questionnaire, report),
        ]
    parts: list[str | list[str]] = [
        _front_matter(review, report, digest, plan_format),
        f"# {inline(review.title) or 'Untitled review'}\n",
        about + "\n",
        *body,
        [
            "<details>\n<summary>gatebook data (machine-readable; "
            "<code>gatebook verify</code> checks it)</summary>\n",
            data_block(plan_data(review, questionnaire, plan_format, since)),
            "</details>",
        ],
    ]
    chunks = ["\n".join(p).rstrip("\n") if isinstance(p, list) else p.rstrip("\n") for p in parts]
    return writable("\n\n".join(c for c in chunks if c) + "\n")


def plan_front_matter(
    review: Review, questionnaire: Questionnaire, plan_format: int = PLAN_FORMAT
) -> str:
    """The front matter `render_plan` writes. A combined plan shows a member's as a
    table; `verify` puts this back in front of the member's text to check it as a plan."""
    report = review_report(review, questionnaire)
    return _front_matter(review, report, content_digest(review), plan_format)


def inert_scalar(value: Any) -> str:
    """A front-matter value as the current plan format writes it: YAML that is inert
    Markdown (a combined plan's front matter uses it too)."""
    return _scalar(value)
