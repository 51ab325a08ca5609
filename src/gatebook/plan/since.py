"""The chapter "Since milestone NAME" — what changed since a milestone, grouped, and
a Mermaid chart of the overall score against the target.

Format 4 renders it from what the data block carries under `since` (the milestone
summaries and the diff), bound by nothing. Format 5 carries the stored milestone file
instead, and the chapter is derived from it and the plan's own data by the milestone
layer (`gatebook.milestone.bound`), which the plan layer may not import: `verify`
is handed that derivation as a `SinceDeriver`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gatebook.engine.formatting import format_value, score_text
from gatebook.plan.escape import cell, inline
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.model import Review


@dataclass(frozen=True)
class BoundSince:
    """A format-5 since chapter: the stored milestone file (carried whole in the data
    block) and what the chapter shows, derived from it and the plan's own data:
    `{name, milestones: [{name, time, overall}], target, diff}` (the milestone, then
    `now`)."""

    milestone: dict[str, Any]
    chapter: dict[str, Any]


@dataclass(frozen=True)
class SinceCheck:
    """What `verify` learns from a format-5 plan's milestone: the chapter to re-render
    (None when the milestone cannot back one), why it fails (exit 1), and what it says
    about the milestone (whether its frozen state is signed)."""

    chapter: dict[str, Any] | None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


SinceDeriver = Callable[[dict[str, Any], Review, Questionnaire, Path | None], SinceCheck]
"""(the carried milestone, the plan's review, its questionnaire, --allowed-signers)."""


def _value(questionnaire: Questionnaire, qid: str, value: Any) -> str:
    if value is None:
        return "(none)"
    return cell(format_value(questionnaire.question(qid), value))


def _text(value: Any) -> str:
    return "-" if value is None else cell(str(value))


def since_chapter(
    since: dict[str, Any], questionnaire: Questionnaire, *, bound: bool = False
) -> list[str]:
    """The chapter's lines: the chart, then one table per kind of change. Format 5
    (`bound`) charts the milestone and now; format 4 charted every milestone."""
    diff = since["diff"]
    lines = [f"## Since milestone {inline(str(since['name']), mid_line=True)}", ""]
    points = since["milestones"]
    target = since.get("target")
    if points:
        labels = ", ".join(f'"{p["name"]}"' for p in points)
        scores = ", ".join(
            score_text(p["overall"] if p["overall"] is not None else 0) for p in points
        )
        lines += [
            "```mermaid",
            "xychart-beta",
            '    title "Overall score at the milestone and now"'
            if bound
            else '    title "Overall score per milestone"',
            f"    x-axis [{labels}]",
            '    y-axis "Score" 0 --> 100',
            f"    line [{scores}]",
        ]
        if target is not None:
            lines.append(f"    line [{', '.join(score_text(target) for _ in points)}]")
        lines += ["```", ""]
    changes: list[str] = []
    for answer in diff["answers"]:
        qid = answer["id"]
        before = _value(questionnaire, qid, answer["from"])
        after = _value(questionnaire, qid, answer["to"])
        changes.append(f"| Answer | {cell(answer['prompt'])} | {before} | {after} |")
    for na in diff["na"]:
        before, after = cell(na["from"] or "(applies)"), cell(na["to"] or "(applies)")
        changes.append(f"| N/A | `{na['id']}` | {before} | {after} |")
    flags = diff["flags"]
    changes += [f"| Flag | `{fid}` | not raised | raised |" for fid in flags["raised"]]
    changes += [f"| Flag | `{fid}` | raised | cleared |" for fid in flags["cleared"]]
    changes += [f"| Flag | `{c['id']}` | {c['from']} | {c['to']} |" for c in flags["changed_level"]]
    overall = diff["scores"]["overall"]
    if overall["from"] != overall["to"]:
        changes.append(
            f"| Score | overall | {score_text(overall['from'])} | {score_text(overall['to'])} |"
        )
    changes += [
        f"| Score | `{d['id']}` | {score_text(d['from'])} | {score_text(d['to'])} |"
        for d in diff["scores"]["dimensions"]
    ]
    word = {True: "passed", False: "not passed", None: "-"}
    changes += [
        f"| Gate | `{g['id']}` | {word[g['from']]} | {word[g['to']]} |" for g in diff["gates"]
    ]
    changes += [
        f"| Risk | `{r['row']}` {r['field']} | {_text(r['from'])} | {_text(r['to'])} |"
        for r in diff["register"]
    ]
    signoffs = diff["signoffs"]
    changes += [
        f"| Sign-off | {cell(s['role'])} | - | {s['decision']} by {cell(s['name'])} |"
        for s in signoffs["added"]
    ]
    changes += [
        f"| Sign-off | {cell(s['role'])} | {s['decision']} by {cell(s['name'])} | void |"
        for s in signoffs["voided"]
    ]
    if changes:
        lines += ["| Change | What | Then | Now |", "|---|---|---|---|", *changes]
    else:
        lines.append("Nothing changed since this milestone.")
    return lines
