"""What changed between two points of a review: answers, N/A, flags, scores, gates,
the register, the outcomes and the sign-offs (docs/contracts.md "diff"). Pure: two points in, one
mapping out, every list sorted by id, values as `show --format json` writes them."""

from __future__ import annotations

from typing import Any

from gatebook.engine.formatting import score_text
from gatebook.milestone.point import OUTCOME_FIELDS, REGISTER_FIELDS, Point
from gatebook.questionnaire.models import Questionnaire


def diff_points(old: Point, new: Point) -> dict[str, Any]:
    """`{from, to, answers, na, flags, scores, gates, register, outcomes, signoffs}`. An answer
    whose question the newer point's questionnaire no longer has shows `to: null`."""
    answers = []
    for qid in sorted(set(old.answers) | set(new.answers)):
        before, after = old.answers.get(qid), new.answers.get(qid)
        if before != after:
            prompt = new.questions.get(qid) or old.questions.get(qid) or qid
            answers.append({"id": qid, "prompt": prompt, "from": before, "to": after})
    na = [
        {"id": qid, "from": old.not_applicable.get(qid), "to": new.not_applicable.get(qid)}
        for qid in sorted(set(old.not_applicable) | set(new.not_applicable))
        if old.not_applicable.get(qid) != new.not_applicable.get(qid)
    ]
    flags = {
        "raised": sorted(set(new.flags) - set(old.flags)),
        "cleared": sorted(set(old.flags) - set(new.flags)),
        "changed_level": [
            {"id": fid, "from": old.flags[fid], "to": new.flags[fid]}
            for fid in sorted(set(old.flags) & set(new.flags))
            if old.flags[fid] != new.flags[fid]
        ],
    }
    scores = {
        "overall": {"from": old.overall, "to": new.overall},
        "dimensions": [
            {"id": did, "from": old.scores.get(did), "to": new.scores.get(did)}
            for did in sorted(set(old.scores) | set(new.scores))
            if old.scores.get(did) != new.scores.get(did)
        ],
    }
    gates = [
        {"id": gid, "from": old.gates.get(gid), "to": new.gates.get(gid)}
        for gid in sorted(set(old.gates) | set(new.gates))
        if old.gates.get(gid) != new.gates.get(gid)
    ]
    return {
        "from": old.name,
        "to": new.name,
        "answers": answers,
        "na": na,
        "flags": flags,
        "scores": scores,
        "gates": gates,
        "register": _rows(old.register, new.register, REGISTER_FIELDS),
        "outcomes": _rows(old.outcomes, new.outcomes, OUTCOME_FIELDS),
        "signoffs": _signoffs(old, new),
    }


def _rows(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], fields: tuple[str, ...]
) -> list[dict[str, Any]]:
    """`{row, field, from, to}` per field that differs, rows by id: a row added or
    removed lists each field it holds, the missing side null."""
    changed = []
    for row in sorted(set(old) | set(new)):
        before_row, after_row = old.get(row, {}), new.get(row, {})
        for name in fields:
            if before_row.get(name) != after_row.get(name):
                changed.append(
                    {"row": row, "field": name, "from": before_row.get(name),
                     "to": after_row.get(name)}
                )  # fmt: skip
    return changed


def _identity(signoff: dict[str, Any]) -> tuple[Any, ...]:
    return (signoff.get("role"), signoff.get("name"), signoff.get("decision"), signoff.get("time"))


def _signoffs(old: Point, new: Point) -> dict[str, list[dict[str, Any]]]:
    before = {_identity(s): s for s in old.signoffs}
    after = {_identity(s): s for s in new.signoffs}

    def shown(signoff: dict[str, Any]) -> dict[str, Any]:
        return {key: signoff.get(key) for key in ("role", "name", "decision")}

    added = [shown(s) for key, s in after.items() if key not in before]
    voided = [
        shown(s)
        for key, s in after.items()
        if s.get("state") == "void" and before.get(key, {}).get("state") == "current"
    ]
    order = lambda s: (s["role"] or "", s["name"] or "", s["decision"] or "")  # noqa: E731
    return {"added": sorted(added, key=order), "voided": sorted(voided, key=order)}


def is_empty(diff: dict[str, Any]) -> bool:
    return not (
        diff["answers"]
        or diff["na"]
        or any(diff["flags"].values())
        or diff["scores"]["overall"]["from"] != diff["scores"]["overall"]["to"]
        or diff["scores"]["dimensions"]
        or diff["gates"]
        or diff["register"]
        or diff["outcomes"]
        or diff["signoffs"]["added"]
        or diff["signoffs"]["voided"]
    )


def diff_lines(diff: dict[str, Any], questionnaire: Questionnaire | None) -> list[str]:
    """The diff for people: grouped, one line a change, values as the app shows them."""
    from gatebook.engine.formatting import format_value

    def value(qid: str, raw: Any) -> str:
        if raw is None:
            return "(none)"
        question = questionnaire.question(qid) if questionnaire is not None else None
        return format_value(question, raw)

    lines = [f"Changes from {diff['from']} to {diff['to']}"]
    if is_empty(diff):
        return [*lines, "  nothing changed"]
    if diff["answers"]:
        lines.append("Answers:")
        for a in diff["answers"]:
            gone = (
                " (no longer in the questionnaire)"
                if a["to"] is None
                and questionnaire is not None
                and not questionnaire.question(a["id"])
                else ""
            )
            lines.append(
                f"  {a['prompt']} [{a['id']}]: {value(a['id'], a['from'])} -> "
                f"{value(a['id'], a['to'])}{gone}"
            )
    if diff["na"]:
        lines.append("Not applicable:")
        lines += [
            f"  {n['id']}: {n['from'] or '(applies)'} -> {n['to'] or '(applies)'}"
            for n in diff["na"]
        ]
    flags = diff["flags"]
    if any(flags.values()):
        lines.append("Flags:")
        lines += [f"  raised {fid}" for fid in flags["raised"]]
        lines += [f"  cleared {fid}" for fid in flags["cleared"]]
        lines += [f"  {c['id']}: {c['from']} -> {c['to']}" for c in flags["changed_level"]]
    overall = diff["scores"]["overall"]
    if overall["from"] != overall["to"] or diff["scores"]["dimensions"]:
        lines.append("Scores:")
        lines.append(f"  overall {score_text(overall['from'])} -> {score_text(overall['to'])}")
        lines += [
            f"  {d['id']} {score_text(d['from'])} -> {score_text(d['to'])}"
            for d in diff["scores"]["dimensions"]
        ]
    if diff["gates"]:
        lines.append("Gates:")
        word = {True: "passed", False: "not passed", None: "(none)"}
        lines += [f"  {g['id']}: {word[g['from']]} -> {word[g['to']]}" for g in diff["gates"]]
    if diff["register"]:
        lines.append("Risk register:")
        lines += [
            f"  {r['row']} {r['field']}: {r['from'] if r['from'] is not None else '(none)'} -> "
            f"{r['to'] if r['to'] is not None else '(none)'}"
            for r in diff["register"]
        ]
    if diff["outcomes"]:
        lines.append("Outcomes:")
        lines += [
            f"  {r['row']} {r['field']}: {r['from'] if r['from'] is not None else '(none)'} -> "
            f"{r['to'] if r['to'] is not None else '(none)'}"
            for r in diff["outcomes"]
        ]
    signoffs = diff["signoffs"]
    if signoffs["added"] or signoffs["voided"]:
        lines.append("Sign-offs:")
        lines += [f"  added {s['role']}: {s['decision']} by {s['name']}" for s in signoffs["added"]]
        lines += [
            f"  voided {s['role']}: {s['decision']} by {s['name']}" for s in signoffs["voided"]
        ]
    return lines
