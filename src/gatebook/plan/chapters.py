"""The body of a format-3 plan: the questionnaire's chapters, in its order.

A questionnaire's `plan:` names each chapter's `##` title and what it shows
(sections, questions, or the blocks below); without it the default layout is
today's: summary, risk register, pillars, scores, answers, follow-ups, sessions,
escalation, sign-off. A chapter whose documentation is empty says `Not
documented` (docs/authoring.md "Plan chapters").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gatebook.engine.facts import render_facts
from gatebook.engine.formatting import format_number, gate_item_title
from gatebook.engine.register import mitigated_line
from gatebook.plan.escape import block, cell, inline
from gatebook.plan.markdown import SEVERITY_MARK, answer_markdown, origin_cell, table
from gatebook.plan.outcomes import NO_OUTCOMES, outcomes_table, with_outcomes_chapter
from gatebook.plan.report import ReviewReport
from gatebook.plan.sections import (
    answers_section,
    follow_ups_section,
    pillars_section,
    signoffs_section,
)
from gatebook.questionnaire.models import PlanChapter, Question, Questionnaire
from gatebook.store.model import Review

NOT_DOCUMENTED = "Not documented"
FROM_COLUMN_FORMAT = 5
"""From format 5 the register shows where a carried row came from (`From`)."""
DOCUMENTATION = ("section", "question", "register", "outcomes")
"""What a chapter documents: when all of it is empty, the chapter says so."""

DEFAULT_CHAPTERS = [
    PlanChapter(title="Summary", show=["summary"]),
    PlanChapter(title="Risk register", show=["register"]),
    PlanChapter(title="Pillars", show=["pillars"]),
    PlanChapter(title="Scores", show=["scores"]),
    PlanChapter(title="Answers", show=["answers"]),
    PlanChapter(title="Follow-ups still open", show=["follow_ups"]),
    PlanChapter(title="Sessions", show=["sessions"]),
    PlanChapter(title="Escalation", show=["escalation"]),
    PlanChapter(title="Sign-off", show=["signoff"]),
]
OPTIONAL_IN_DEFAULT = frozenset({"pillars", "follow_ups", "sessions", "escalation"})
"""Default chapters left out when they have nothing to show (a questionnaire that
names them in `plan:` gets them always)."""


@dataclass(frozen=True)
class PlanContext:
    review: Review
    questionnaire: Questionnaire
    report: ReviewReport
    plan_format: int = 3


def _summary(ctx: PlanContext) -> list[str]:
    result, escalation = ctx.report.evaluation, ctx.report.escalation
    counts = result.flag_counts()
    lines = [f"- Status: **{ctx.report.status}**", f"- Score: {_score_line(ctx)}"]
    if escalation.required:
        decided = escalation.record
        state = (
            f"decided **{decided.decision}** by {inline(decided.to, mid_line=True)} "
            f"on {decided.date}"
            if decided is not None
            else "no decision recorded yet"
        )
        due = " (a new reason since: decision due again)" if decided and escalation.due else ""
        lines.append(f"- Escalation: **required**, {state}{due}")
    elif escalation.record is not None:
        lines.append(f"- Escalation: recorded ({escalation.record.decision}), no longer required")
    else:
        lines.append("- Escalation: not required")
    lines += [
        f"- Flags: {counts['high']} high · {counts['medium']} medium · {counts['low']} low",
        f"- {mitigated_line(result.register)}",
        f"- Answered: {result.answered} of {len(result.visible)} questions asked;"
        f" {len(result.missing)} required still missing",
    ]
    for gate in ctx.questionnaire.gates:
        status = result.gates[gate.id]
        decides = " (decides sign-off)" if gate.decides_signoff else ""
        lines.append(f"- Gate {inline(gate.title)}{decides}: {status.met} of {status.total} met")
    return lines


def _score_line(ctx: PlanContext) -> str:
    result = ctx.report.evaluation
    overall = "not scored yet" if result.overall is None else format_number(result.overall)
    if result.target is None:
        return overall
    target = format_number(result.target)
    met = result.overall is not None and result.overall >= result.target
    return f"{overall} against the target {target} ({'met' if met else 'below target'})"


def _register(ctx: PlanContext) -> list[str]:
    rows = ctx.report.evaluation.register
    if not rows:
        return []
    shown = [
        [
            SEVERITY_MARK.get(row.severity or "", row.severity or "—"),
            f"{cell(row.title)} (`{row.id}`)"
            + (f"<br>{cell(row.why)}" if row.why else "")
            + (
                f"<br>*Likelihood:* {row.likelihood or '—'} · *impact:* {row.impact or '—'}"
                if row.likelihood or row.impact
                else ""
            ),
            (cell(row.mitigation) or "*none written*")
            + (f"<br>*Suggested:* {cell(row.hint)}" if row.hint else "")
            + "".join(f"<br>*Ask:* {cell(probe)}" for probe in row.probes),
            cell(row.contingency) or "*none written*",
            cell(row.owner) or "—",
            row.due or "—",
            row.status,
        ]
        for row in rows
    ]
    headers = ["Severity", "Risk", "Mitigation", "Contingency", "Owner", "Due", "Status"]
    if ctx.plan_format >= FROM_COLUMN_FORMAT and any(row.origin for row in rows):
        headers.append("From")
        for line, row in zip(shown, rows, strict=True):
            line.append(origin_cell(row.origin))
    return [table(headers, shown), mitigated_line(rows)]


def _flags(ctx: PlanContext) -> list[str]:
    flags = ctx.report.evaluation.flags
    if not flags:
        return ["No flags raised."]
    rows = [
        [SEVERITY_MARK.get(f.severity, f.severity), f"{cell(f.title)} (`{f.id}`)", cell(f.why)]
        for f in flags
    ]
    return [table(["Severity", "Flag", "Why"], rows)]


def _scores(ctx: PlanContext) -> list[str]:
    questionnaire, result = ctx.questionnaire, ctx.report.evaluation
    if not questionnaire.dimensions:
        return ["This questionnaire has no scored dimensions."]
    target = result.target
    headers = ["Dimension", "Score (0-100)"] + (["Target"] if target is not None else [])
    goal = [format_number(target)] if target is not None else []
    rows = [
        [
            f"{cell(d.title)} (`{d.id}`)",
            "—" if result.scores.get(d.id) is None else format_number(result.scores[d.id]),
            *goal,
        ]
        for d in questionnaire.dimensions
    ]
    overall = "—" if result.overall is None else format_number(result.overall)
    rows.append(["**Overall**", f"**{overall}**", *goal])
    lines = [table(headers, rows)]
    if target is not None:
        lines.append(_chart(ctx))
    return lines


def _chart(ctx: PlanContext) -> str:
    """A Mermaid bar chart of the dimension scores with the target as a line (code
    hosts draw it; the table above stays for those that don't). Only ids and numbers
    reach it, never typed text."""
    result = ctx.report.evaluation
    dimensions = ctx.questionnaire.dimensions
    assert result.target is not None
    target = format_number(result.target)
    scores = ", ".join(format_number(result.scores.get(d.id) or 0) for d in dimensions)
    return "\n".join(
        [
            "```mermaid",
            "xychart-beta",
            f'    title "Dimension scores against the target {target}"',
            f"    x-axis [{', '.join(d.id for d in dimensions)}]",
            '    y-axis "Score" 0 --> 100',
            f"    bar [{scores}]",
            f"    line [{', '.join(target for _ in dimensions)}]",
            "```",
        ]
    )


def _gates(ctx: PlanContext) -> list[str]:
    lines: list[str] = []
    for gate in ctx.questionnaire.gates:
        status = ctx.report.evaluation.gates[gate.id]
        role = "decides this sign-off" if gate.decides_signoff else "a later checkpoint"
        phase = f"{inline(gate.phase, mid_line=True)}; " if gate.phase else ""
        verdict = "passed" if status.passed else f"{status.met} of {status.total} met"
        lines.append(f"### {inline(gate.title)}\n")
        lines.append(f"*{phase}{role}:* {verdict}\n")
        for ref, met in status.items:
            mark = "x" if met else " "
            title = inline(gate_item_title(ctx.questionnaire, ref))
            why = "" if met or met is None else f" — {inline(status.why_unmet(ref), mid_line=True)}"
            na = " (not applicable)" if met is None else ""
            lines.append(f"- [{mark}] {title}{na}{why}")
        lines.append("")
    return lines or ["This questionnaire has no quality gates."]


def _sessions(ctx: PlanContext) -> list[str]:
    if not ctx.review.meetings:
        return ["No sessions recorded."]
    lines: list[str] = []
    for number, meeting in enumerate(ctx.review.meetings, 1):
        lines.append(f"### Session {number}: {meeting.date}\n")
        if meeting.attendees:
            rows = [[cell(a.name), cell(a.organisation), cell(a.role)] for a in meeting.attendees]
            lines.append(table(["Name", "Organisation", "Role"], rows))
        if meeting.notes.strip():
            lines.append(f"*Notes:* {block(meeting.notes)}\n")
    return lines


def _escalation(ctx: PlanContext) -> list[str]:
    state = ctx.report.escalation
    lines: list[str] = []
    if state.required:
        lines.append("Escalation to senior leadership is **required**:\n")
        lines += [f"- {inline(reason)}" for reason in state.reasons]
        lines.append("")
    else:
        lines.append("Escalation is not required.\n")
    record = state.record
    if record is None:
        if state.required:
            lines.append("**No decision recorded yet.**")
        return lines
    rows = [
        ["Escalated to", cell(record.to)],
        ["Decision", record.decision],
        ["Date", record.date],
        ["Note", cell(record.note) or "—"],
    ]
    lines.append(table(["", "Record"], rows))
    if state.due:
        lines.append("**A reason has been added since this decision: a new decision is due.**")
    return lines


def _question(ctx: PlanContext, question: Question) -> str | None:
    review, qid = ctx.review, question.id
    if not (qid in review.answers or qid in review.not_applicable or qid in review.notes):
        return None
    parts = [f"**{inline(question.prompt)}** (`{qid}`)"]
    if qid in review.not_applicable:
        parts.append(f"*Not applicable:* {block(review.not_applicable[qid]) or 'no reason given'}")
    elif qid in review.answers:
        if qid not in ctx.report.evaluation.visible:
            parts.append("*Not asked now (its condition does not hold); kept:*")
        parts.append(answer_markdown(question, review.answers[qid]))
    if qid in review.notes:
        parts.append(f"*Note:* {block(review.notes[qid])}")
    return "\n\n".join(parts)


def _documented(ctx: PlanContext, entry: str) -> list[str]:
    kind, _, ident = entry.partition(":")
    if kind == "register":
        return _register(ctx)
    if kind == "outcomes":
        return outcomes_table(ctx.review, ctx.questionnaire)
    questions = (
        next(s.questions for s in ctx.questionnaire.sections if s.id == ident.strip())
        if kind == "section"
        else [q for q in [ctx.questionnaire.question(ident.strip())] if q is not None]
    )
    shown = [text for q in questions if (text := _question(ctx, q)) is not None]
    return ["\n\n".join(shown)] if shown else []


BLOCKS: dict[str, Callable[[PlanContext], list[str]]] = {
    "summary": _summary,
    "flags": _flags,
    "scores": _scores,
    "gates": _gates,
    "sessions": _sessions,
    "escalation": _escalation,
    "pillars": lambda ctx: pillars_section(ctx.report.evaluation)[1:],
    "follow_ups": lambda ctx: (
        ["Follow-ups still open:\n", *follow_ups_section(ctx.review, ctx.questionnaire)[1:]]
        if ctx.review.follow_ups
        else ["No follow-ups open."]
    ),
    "signoff": lambda ctx: signoffs_section(ctx.review, ctx.questionnaire, ctx.report)[1:],
    "answers": lambda ctx: [
        line.lstrip("\n")
        for line in answers_section(ctx.review, ctx.questionnaire, ctx.report.evaluation)[1:]
    ],
}


def _chapter(ctx: PlanContext, chapter: PlanChapter, default: bool) -> list[str]:
    lines: list[str] = []
    if chapter.lines:
        facts = render_facts(
            ctx.questionnaire, ctx.review.answers, ctx.report.evaluation, chapter.lines
        )
        lines += [f"- {inline(fact)}" for fact in facts] + [""]
    documents = [e for e in chapter.show if e.partition(":")[0] in DOCUMENTATION and not default]
    documented = False
    for entry in chapter.show:
        if default and entry == "register":
            part = _register(ctx) or ["No risks raised or added."]
        elif entry == "outcomes" and (default or chapter.show == [entry]):
            part = outcomes_table(ctx.review, ctx.questionnaire) or [NO_OUTCOMES]
            documented = True  # a chapter of its own says so rather than "Not documented"
        elif entry.partition(":")[0] in DOCUMENTATION:
            part = _documented(ctx, entry)
            documented = documented or bool(part)
        else:
            part = BLOCKS[entry](ctx)
            if default and entry in OPTIONAL_IN_DEFAULT and _nothing(ctx, entry):
                part = []
        if part:
            lines += [*part, ""]
    if documents and not documented:
        lines.append(NOT_DOCUMENTED)
    if default and not any(line.strip() for line in lines):
        return []
    return [f"## {inline(chapter.title)}\n", *lines]


def _nothing(ctx: PlanContext, entry: str) -> bool:
    """A default-layout chapter with nothing to show is left out."""
    if entry == "pillars":
        return not ctx.report.evaluation.extra.get("pillars")
    if entry == "follow_ups":
        return not ctx.review.follow_ups
    if entry == "sessions":
        return not ctx.review.meetings
    return not ctx.report.escalation.required and ctx.report.escalation.record is None


def render_chapters(
    review: Review, questionnaire: Questionnaire, report: ReviewReport, plan_format: int = 3
) -> list[str]:
    """The chapters' Markdown, one string per chapter (empty ones left out)."""
    ctx = PlanContext(review, questionnaire, report, plan_format)
    default = questionnaire.plan is None
    chapters = with_outcomes_chapter(
        questionnaire, DEFAULT_CHAPTERS if default else (questionnaire.plan or [])
    )
    rendered = [_chapter(ctx, chapter, default) for chapter in chapters]
    return ["\n".join(lines).rstrip("\n") for lines in rendered if lines]
