"""Plan format 4: the chapter "Since milestone NAME" — what changed since a milestone,
grouped, and a Mermaid chart of the overall score per milestone against the target.

Rendered from what the plan's data block carries under `since` (the milestone
summaries and the diff), so `verify` re-renders and checks it like the rest.
"""

from __future__ import annotations

from typing import Any

from gatebook.engine.formatting import format_value
from gatebook.plan.escape import cell, inline
from gatebook.questionnaire.models import Questionnaire


def _score(value: Any) -> str:
    return "-" if value is None else f"{value:g}"


def _value(questionnaire: Questionnaire, qid: str, value: Any) -> str:
    if value is None:
        return "(none)"
    return cell(format_value(questionnaire.question(qid), value))


def _text(value: Any) -> str:
    return "-" if value is None else cell(str(value))


def since_chapter(since: dict[str, Any], questionnaire: Questionnaire) -> list[str]:
    """The chapter's lines: the chart, then one table per kind of change."""
    diff = since["diff"]
    lines = [f"## Since milestone {inline(str(since['name']), mid_line=True)}", ""]
    points = since["milestones"]
    target = since.get("target")
    if points:
        labels = ", ".join(f'"{p["name"]}"' for p in points)
        scores = ", ".join(_score(p["overall"] if p["overall"] is not None else 0) for p in points)
        lines += [
            "```mermaid",
            "xychart-beta",
            '    title "Overall score per milestone"',
            f"    x-axis [{labels}]",
            '    y-axis "Score" 0 --> 100',
            f"    line [{scores}]",
        ]
        if target is not None:
            lines.append(f"    line [{', '.join(_score(target) for _ in points)}]")
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
        changes.append(f"| Score | overall | {_score(overall['from'])} | {_score(overall['to'])} |")
    changes += [
        f"| Score | `{d['id']}` | {_score(d['from'])} | {_score(d['to'])} |"
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
