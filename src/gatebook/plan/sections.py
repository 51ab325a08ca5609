"""The body sections of plans in formats 1 and 2, each with its `##` heading.

Format 3 (chapters) reuses them without their heading. Their bytes are what old
plans were signed with: extend, never alter (tests/golden/v1 and v2 check it).
"""

from __future__ import annotations

from typing import Any

from gatebook.engine.evaluate import Evaluation
from gatebook.engine.formatting import format_number, unmet_lines
from gatebook.plan.escape import block, cell, inline
from gatebook.plan.markdown import (
    SEVERITY_MARK,
    SEVERITY_ORDER,
    answer_markdown,
    mitigation_cell,
    table,
)
from gatebook.plan.report import ReviewReport
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import SignoffView
from gatebook.store.model import Review


def summary_section(
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


def flags_section(review: Review, result: Evaluation) -> list[str]:
    if not result.flags:
        return ["## Flags\n", "No flags raised."]
    flags = sorted(result.flags, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.id))
    rows = [
        [
            SEVERITY_MARK.get(f.severity, f.severity),
            f"{cell(f.title)} (`{f.id}`)",
            cell(f.why),
            mitigation_cell(review.mitigations.get(f.id, ""), f.mitigation),
        ]
        for f in flags
    ]
    return ["## Flags\n", table(["Severity", "Flag", "Why", "Mitigation"], rows)]


def pillars_section(result: Evaluation) -> list[str]:
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
    return ["## Pillars\n", table(headers, rows)]


def scores_section(questionnaire: Questionnaire, result: Evaluation) -> list[str]:
    if not questionnaire.dimensions:
        return []
    rows = [
        [
            cell(d.title),
            "—" if result.scores.get(d.id) is None else format_number(result.scores[d.id]),
        ]
        for d in questionnaire.dimensions
    ]
    return ["## Scores\n", table(["Dimension", "Score (0-100)"], rows)]


def answers_section(review: Review, questionnaire: Questionnaire, result: Evaluation) -> list[str]:
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
                parts.append(answer_markdown(question, review.answers[qid]))
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
        lines += [f"- `{k}`: {inline(str(_key_order(review.answers[k])))}" for k in orphans]
    if len(lines) == 1:
        lines.append("\nNothing answered yet.")
    return lines


def follow_ups_section(review: Review, questionnaire: Questionnaire) -> list[str]:
    if not review.follow_ups:
        return []
    lines = ["## Follow-ups still open\n"]
    for qid in sorted(review.follow_ups):
        question = questionnaire.question(qid)
        prompt = inline(question.prompt) if question is not None else "(no longer asked)"
        lines.append(f"- {prompt} (`{qid}`)")
    return lines


def signoff_state(view: SignoffView) -> str:
    return {"superseded": "superseded", "void": "**VOID** (changed since)"}.get(
        view.state, "current"
    )


def signoffs_section(
    review: Review, questionnaire: Questionnaire, report: ReviewReport
) -> list[str]:
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
            signoff_state(v),
            cell(v.signoff.override or ""),
            "yes" if v.signoff.signature else "no",
        ]
        for v in report.signoffs
    ]
    headers = ["Role", "Name", "Decision", "Comment", "Time", "State", "Override", "SSH-signed"]
    lines.append(table(headers, rows))
    return lines


def _key_order(value: Any) -> Any:
    """Mappings with sorted keys, as the plan's data block stores them, so an orphaned
    answer renders the same from the workspace and from the plan."""
    if isinstance(value, dict):
        return {key: _key_order(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, list):
        return [_key_order(item) for item in value]
    return value
