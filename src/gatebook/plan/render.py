"""Render a review as a Markdown plan: deterministic bytes, inert typed text.

The same review always renders to the same text (stable order, LF, no "generated
at" stamp; the only times are the sign-off times), so plans diff cleanly in git
and `verify` can re-render the data block and compare byte for byte.
"""

from __future__ import annotations

import json
import re
from typing import Any

from gatebook.engine.evaluate import Evaluation
from gatebook.engine.formatting import format_number, format_value, unmet_lines
from gatebook.plan.document import INERT_JSON, PLAN_FORMAT, data_block, plan_data
from gatebook.plan.escape import block, cell, inline
from gatebook.plan.report import ReviewReport, review_report
from gatebook.questionnaire.models import Question, Questionnaire
from gatebook.store.canonical import (
    SignoffView,
    content_digest,
    current_signoffs,
)
from gatebook.store.model import Review

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}
SEVERITY_MARK = {"high": "▲ HIGH", "medium": "◆ MEDIUM", "low": "▽ LOW"}


def _table(headers: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


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


def _summary(
    questionnaire: Questionnaire, result: Evaluation, status: str, plan_format: int
) -> list[str]:
    counts = {sev: sum(1 for f in result.flags if f.severity == sev) for sev in SEVERITY_ORDER}
    overall = "not scored yet" if result.overall is None else format_number(result.overall)
    target = "" if result.target is None else f" against a target of {format_number(result.target)}"
    if result.overall is not None and result.target is not None:
        target += " (met)" if result.overall >= result.target else " (below target)"
    total = len(result.visible)
    lines = [
        "## Summary\n",
        f"- Status: **{status}**",
        f"- Overall score: {overall}{target}",
        f"- Flags: {counts['high']} high · {counts['medium']} medium · {counts['low']} low",
        f"- Answered: {result.answered} of {total} questions asked;"
        f" {len(result.missing)} required still missing",
    ]
    if result.escalate:
        lines.append("- **Escalation required:**")
        lines += [f"  - {inline(reason)}" for reason in result.escalation_reasons]
    else:
        lines.append("- Escalation: not required")
    for gate in result.gates.values():
        lines.append(f"- Gate {inline(gate.title)}: {gate.met} of {gate.total} met")
        if plan_format >= 2:  # what is unmet, and why (format 1 plans did not say)
            lines += [f"  - Unmet: {inline(line)}" for line in unmet_lines(questionnaire, gate)]
    return lines


def _flags(review: Review, result: Evaluation) -> list[str]:
    if not result.flags:
        return ["## Flags\n", "No flags raised."]
    flags = sorted(result.flags, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.id))
    rows = [
        [
            SEVERITY_MARK.get(f.severity, f.severity),
            f"{cell(f.title)} (`{f.id}`)",
            cell(f.why),
            _mitigation_cell(review.mitigations.get(f.id, ""), f.mitigation),
        ]
        for f in flags
    ]
    return ["## Flags\n", _table(["Severity", "Flag", "Why", "Mitigation"], rows)]


def _mitigation_cell(written: str, suggested: str) -> str:
    text = cell(written) or "*none written*"
    if suggested:
        text += f"<br>*Suggested:* {cell(suggested)}"
    return text


def _pillars(result: Evaluation) -> list[str]:
    pillars = result.extra.get("pillars")
    if not pillars:
        return []
    rows = [
        [
            f"`{pid}`",
            *(str(c[k]) for k in ("high", "medium", "none", "not_applicable", "unanswered")),
        ]
        for pid, c in pillars.items()
    ]
    headers = ["Pillar", "High", "Medium", "None", "Not applicable", "Unanswered"]
    return ["## Pillars\n", _table(headers, rows)]


def _scores(questionnaire: Questionnaire, result: Evaluation) -> list[str]:
    if not questionnaire.dimensions:
        return []
    rows = [
        [
            cell(d.title),
            "—" if result.scores.get(d.id) is None else format_number(result.scores[d.id]),
        ]
        for d in questionnaire.dimensions
    ]
    return ["## Scores\n", _table(["Dimension", "Score (0-100)"], rows)]


def _answer(question: Question, value: Any) -> str:
    if question.type == "table" and isinstance(value, list):
        if not value:
            return "*no rows*"
        headers = [cell(c.prompt) for c in question.columns]
        rows = [
            [
                cell(format_value(c, row.get(c.id)) if row.get(c.id) not in (None, "") else "")
                for c in question.columns
            ]
            for row in value
            if isinstance(row, dict)
        ]
        return _table(headers, rows).rstrip("\n")
    if question.type == "checklist" and isinstance(value, dict):
        return "\n".join(
            f"- [{'x' if value.get(item.id) else ' '}] {inline(item.title)}"
            for item in question.items
        )
    return block(format_value(question, value)) or "*empty*"


def _answers(review: Review, questionnaire: Questionnaire, result: Evaluation) -> list[str]:
    lines = ["## Answers"]
    for section in questionnaire.sections:
        entries: list[str] = []
        for question in section.questions:
            qid = question.id
            answered = qid in review.answers
            if not (answered or qid in review.not_applicable or qid in review.notes):
                continue
            parts = [f"**{inline(question.prompt)}** (`{qid}`)"]
            if qid in review.not_applicable:
                reason = block(review.not_applicable[qid]) or "no reason given"
                parts.append(f"*Not applicable:* {reason}")
            elif answered:
                if qid not in result.visible:
                    parts.append("*Not asked now (its condition does not hold); kept:*")
                parts.append(_answer(question, review.answers[qid]))
            if qid in review.notes:
                parts.append(f"*Note:* {block(review.notes[qid])}")
            entries.append("\n\n".join(parts))
        if entries:
            lines.append(f"\n### {inline(section.title)}\n")
            lines.append("\n\n".join(entries))
    known = {q.id for q in questionnaire.questions()}
    orphans = sorted(k for k in review.answers if k not in known)
    if orphans:
        lines.append("\n### Answers this questionnaire version no longer asks\n")
        lines += [f"- `{k}`: {inline(str(review.answers[k]))}" for k in orphans]
    if len(lines) == 1:
        lines.append("\nNothing answered yet.")
    return lines


def _follow_ups(review: Review, questionnaire: Questionnaire) -> list[str]:
    if not review.follow_ups:
        return []
    lines = ["## Follow-ups still open\n"]
    for qid in sorted(review.follow_ups):
        question = questionnaire.question(qid)
        prompt = inline(question.prompt) if question is not None else "(no longer asked)"
        lines.append(f"- {prompt} (`{qid}`)")
    return lines


def _signoff_state(view: SignoffView) -> str:
    return {"superseded": "superseded", "void": "**VOID** (changed since)"}.get(
        view.state, "current"
    )


def _signoffs(review: Review, questionnaire: Questionnaire, report: ReviewReport) -> list[str]:
    lines = ["## Sign-off\n"]
    roles = ", ".join(
        f"{inline(r.title)} (`{r.id}`{'' if r.required else ', optional'})"
        for r in questionnaire.signoff
    )
    if roles:
        lines.append(f"Roles: {roles}\n")
    if not review.signoffs:
        lines.append("Not signed off yet.")
        return lines
    rows = [
        [
            f"`{v.signoff.role}`",
            cell(v.signoff.name),
            v.signoff.decision,
            cell(v.signoff.comment),
            v.signoff.time,
            _signoff_state(v),
            cell(v.signoff.override or ""),
            "yes" if v.signoff.signature else "no",
        ]
        for v in report.signoffs
    ]
    headers = ["Role", "Name", "Decision", "Comment", "Time", "State", "Override", "SSH-signed"]
    lines.append(_table(headers, rows))
    return lines


def render_plan(
    review: Review, questionnaire: Questionnaire, *, plan_format: int = PLAN_FORMAT
) -> str:
    """The whole plan: front matter, human-readable body, machine-readable block.

    `plan_format` 1 re-renders plans written before format 2, byte for byte, so they
    keep verifying."""
    report = review_report(review, questionnaire)
    result, status = report.evaluation, report.status
    digest = content_digest(review)
    version = inline(review.version, mid_line=True)
    about = (
        f"{inline(questionnaire.title)} · `{review.questionnaire}` {version} · review `{review.id}`"
    )
    if review.subject:
        about += f" · subject: {inline(review.subject, mid_line=True)}"
    parts: list[str | list[str]] = [
        _front_matter(review, report, digest, plan_format),
        f"# {inline(review.title) or 'Untitled review'}\n",
        about + "\n",
        _summary(questionnaire, result, status, plan_format),
        _flags(review, result),
        _pillars(result),
        _scores(questionnaire, result),
        _answers(review, questionnaire, result),
        _follow_ups(review, questionnaire),
        _signoffs(review, questionnaire, report),
        [
            "<details>\n<summary>gatebook data (machine-readable; "
            "<code>gatebook verify</code> checks it)</summary>\n",
            data_block(plan_data(review, questionnaire, plan_format)),
            "</details>",
        ],
    ]
    chunks = ["\n".join(p).rstrip("\n") if isinstance(p, list) else p.rstrip("\n") for p in parts]
    return "\n\n".join(c for c in chunks if c) + "\n"
