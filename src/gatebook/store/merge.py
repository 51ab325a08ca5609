"""Three-way merge of review and engagement files, field by field (the git merge
driver's core), in time linear in the files' size.

Answers, notes, N/A and mitigations merge per question; register rows (risks and
outcomes) per row and field; the title, subject, escalation record and version as
values; follow-ups as a set; sessions, sign-offs and history as unions (an entry is the
same entry when all its fields are equal; time order kept, so the latest sign-off of a
role is still the current one, and `undo_of` is re-pointed at the same entry). Where
both sides changed one field to different values the merge keeps ours and records the
conflict in the file (`conflicts`, outside the digest) for `gatebook resolve`. The
conflicts the sides already hold merge three ways too, keyed by field
(`merge_conflicts`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from gatebook.store.conflict_fields import FileKind, field_parts, value_at, with_value

MAPPINGS = ("answers", "notes", "not_applicable", "mitigations")
SCALARS = ("title", "subject", "escalation", "version")
ENGAGEMENT_VERSION_WITH_CONFLICTS = 2


class NotMergeable(ValueError):
    """Input that is not a gatebook file of the expected kind (the driver exits 2)."""


@dataclass
class Merged:
    data: dict[str, Any]
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    """The fields this merge found changed on both sides (the file holds these and the
    ones the sides still had open, in `data["conflicts"]`)."""


Conflicts = list[dict[str, Any]]


def _three(path: str, base: Any, ours: Any, theirs: Any, conflicts: Conflicts) -> Any:
    if ours == theirs:
        return ours
    if base == ours:
        return theirs
    if base == theirs:
        return ours
    conflicts.append({"base": base, "field": path, "ours": ours, "theirs": theirs})
    return ours


def _ours_kept(path: str, base: Any, ours: Any, theirs: Any, conflicts: Conflicts) -> Any:
    """Ours, with a conflict when theirs differs (the row it belongs to is in conflict)."""
    if ours != theirs:
        conflicts.append({"base": base, "field": path, "ours": ours, "theirs": theirs})
    return ours


def _mapping(
    name: str, base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any],
    conflicts: Conflicts, clashing: Iterable[str] = (),
) -> dict[str, Any]:  # fmt: skip
    result: dict[str, Any] = {}
    strict = set(clashing)
    for key in [*ours, *(k for k in theirs if k not in ours)]:
        merge = _ours_kept if key in strict else _three
        value = merge(f"{name}.{key}", base.get(key), ours.get(key), theirs.get(key), conflicts)
        if value is not None:
            result[key] = value
    return result


def clashing_rows(base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any]) -> set[str]:
    """Rows both sides created under one id with different titles: two risks, not one
    (files from before hand-added rows had random ids)."""
    return {
        row
        for row, mine in ours.items()
        if row not in base
        and isinstance(mine, dict)
        and isinstance(theirs.get(row), dict)
        and mine.get("title") != theirs[row].get("title")
    }


def _register(
    base: dict[str, Any], ours: dict[str, Any], theirs: dict[str, Any],
    conflicts: Conflicts, clashing: set[str], register: str = "risk_register",
) -> dict[str, Any]:  # fmt: skip
    """A register (`risk_register`, `outcomes`) per row and field."""
    result: dict[str, Any] = {}
    for row in [*ours, *(r for r in theirs if r not in ours)]:
        b, o, t = base.get(row), ours.get(row), theirs.get(row)
        if row in clashing:
            result[row] = _ours_kept(f"{register}.{row}", b, o, t, conflicts)
        elif isinstance(o, dict) and isinstance(t, dict):
            b_row = b if isinstance(b, dict) else {}
            result[row] = {
                name: _three(f"{register}.{row}.{name}", b_row.get(name), o.get(name),
                             t.get(name), conflicts)
                for name in [*o, *(n for n in t if n not in o)]
            }  # fmt: skip
        else:
            value = _three(f"{register}.{row}", b, o, t, conflicts)
            if value is not None:
                result[row] = value
    return result


def _set(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Kept: ours not removed by theirs, then theirs' new ones (hashable entries)."""
    removed, in_theirs = set(base), set(theirs)
    kept = [x for x in ours if x in in_theirs or x not in removed]
    seen = set(kept)
    for x in theirs:
        if x not in removed and x not in seen:
            kept.append(x)
            seen.add(x)
    return kept


def _key(entry: Any) -> str:
    return json.dumps(entry, sort_keys=True, ensure_ascii=False)


def _union(ours: list[Any], theirs: list[Any], time_key: str) -> list[Any]:
    seen: dict[str, Any] = {}
    for entry in [*ours, *theirs]:
        seen.setdefault(_key(entry), entry)
    entries = list(seen.values())
    return sorted(entries, key=lambda e: str(e.get(time_key, "")) if isinstance(e, dict) else "")


def _frozen(value: Any) -> Any:
    """A value as part of a hashable identity: 1, 1.0 and true stay three values."""
    if value is None or type(value) is str:
        return value
    if type(value) in (int, float, bool):
        return (type(value).__name__, value)
    return ("json", _key(value))


_PLAIN_ENTRY = itemgetter("time", "user", "kind", "key", "old", "new", "undo_of", "undone")
"""Every field of a history entry without sharing (the model writes all eight)."""
_PLAIN_FIELDS = 8


def _identities(side: list[dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    """Each entry's identity (its fields but `undone`, and what it undid by identity)
    and its `undo_of` as stored. An entry with exactly the eight plain fields and text
    or no old and new values (nearly all of them) is read with one lookup."""
    keys: list[Any] = []
    targets: list[Any] = []
    append, point = keys.append, targets.append
    for entry in side:
        try:
            time, user, kind, key, old, new, target, _ = _PLAIN_ENTRY(entry)
            plain = len(entry) == _PLAIN_FIELDS
        except KeyError:
            get = entry.get
            time, user, kind, key = get("time"), get("user"), get("kind"), get("key")
            old, new, target, plain = get("old"), get("new"), get("undo_of"), False
        if plain:
            shared_from = shared_to = None
        else:
            shared_from, shared_to = entry.get("shared_from"), entry.get("shared_to")
            shared_to = None if shared_to is None else _frozen(shared_to)
        undid = keys[target] if type(target) is int and 0 <= target < len(keys) else None
        append((
            time, user, kind, key,
            old if old is None or type(old) is str else _frozen(old),
            new if new is None or type(new) is str else _frozen(new),
            shared_from, shared_to, undid,
        ))  # fmt: skip
        point(target)
    return keys, targets


def _history(ours: list[dict[str, Any]], theirs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Union by identity (`_identities`), in time order; `undone` if either side undid
    it, `undo_of` re-pointed at the entry it undid. Identities are tuples, not JSON
    texts: linear, and fast enough for 100,000 entries a side."""
    merged: dict[Any, dict[str, Any]] = {}
    targets: dict[Any, Any] = {}
    for side in (ours, theirs):
        keys, stored = _identities(side)
        setdefault = merged.setdefault
        for key, entry in zip(keys, side, strict=True):
            found = setdefault(key, entry)  # copied only where it changes
            if found is not entry and entry.get("undone") and not found.get("undone"):
                merged[key] = {**found, "undone": True}
        for key, target in zip(keys, stored, strict=True):
            if target is not None and type(target) is int and 0 <= target < len(side):
                targets[key] = keys[target]
    keys = list(merged)
    entries = list(merged.values())
    times = [str(entry["time"]) for entry in entries]
    order = sorted(range(len(entries)), key=times.__getitem__)
    result = [entries[position] for position in order]
    if targets:
        index = {keys[position]: number for number, position in enumerate(order)}
        for number, position in enumerate(order):
            target = targets.get(keys[position])
            entry = result[number]
            if target in index and entry.get("undo_of") != index[target]:
                result[number] = {**entry, "undo_of": index[target]}
    return result


Sides = tuple[dict[str, Any] | None, dict[str, Any], dict[str, Any]]


def undecided_as_base(kind: FileKind, sides: Sides) -> Sides:
    """A field one side still holds open that the other side settled since BASE: the
    open side's value was only kept by a merge (it is that conflict's `ours`), never
    chosen, so it counts as unchanged since BASE and the settled value wins. (In a
    criss-cross merge git's BASE is itself a merge that kept one side: without this the
    stale value would win over the settled one, silently.)"""
    base, ours, theirs = sides
    before = {c["field"] for c in (base or {}).get("conflicts") or []}
    if base is None or not before:
        return sides
    found = [{c["field"]: c for c in side.get("conflicts") or []} for side in (ours, theirs)]
    result = [ours, theirs]
    for number, (held, other) in enumerate(((found[0], found[1]), (found[1], found[0]))):
        for name, conflict in held.items():
            parts = field_parts(kind, name)
            if name not in before or name in other or parts is None:
                continue
            if value_at(result[number], parts) == conflict.get("ours"):
                result[number] = with_value(result[number], parts, value_at(base, parts))
    return base, result[0], result[1]


def merge_conflicts(
    kind: FileKind,
    sides: tuple[dict[str, Any] | None, dict[str, Any], dict[str, Any]],
    found: Conflicts,
) -> Conflicts:
    """The conflicts the merged file holds, keyed by field, three ways against BASE: one
    settled on either side stays settled; one open on both sides is kept once, with
    base, ours and theirs as this merge sees them; one opened on one side since BASE
    is kept as that side recorded it; `found` (this merge's own) replace any other."""
    base, ours, theirs = sides

    def listed(side: dict[str, Any] | None) -> dict[str, dict[str, Any]]:
        return {c["field"]: c for c in (side or {}).get("conflicts") or []}

    before, mine, yours = listed(base), listed(ours), listed(theirs)
    result: dict[str, dict[str, Any]] = {}
    for name in [*mine, *(f for f in yours if f not in mine)]:
        if name in mine and name in yours:
            parts = field_parts(kind, name) or (name,)
            was, mine_now, yours_now = (value_at(side, parts) for side in sides)
            result[name] = {"base": was, "field": name, "ours": mine_now, "theirs": yours_now}
        elif name not in before:
            result[name] = mine.get(name) or yours[name]
    for conflict in found:
        result[conflict["field"]] = conflict
    return list(result.values())


def merge_review_data(
    base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]
) -> Merged:
    """Merge three reviews' data (each a review as its file stores it)."""
    if ours.get("id") != theirs.get("id") or ours.get("questionnaire") != theirs.get(
        "questionnaire"
    ):
        raise NotMergeable("ours and theirs are not the same review (id or questionnaire differ)")
    base, ours, theirs = undecided_as_base("review", (base, ours, theirs))
    b = base or {}
    conflicts: Conflicts = []
    data = dict(ours)
    rows: tuple[dict[str, Any], dict[str, Any], dict[str, Any]] = (
        b.get("risk_register") or {}, ours.get("risk_register") or {},
        theirs.get("risk_register") or {},
    )  # fmt: skip
    clashing = clashing_rows(*rows)
    for name in MAPPINGS:
        data[name] = _mapping(name, b.get(name) or {}, ours.get(name) or {},
                              theirs.get(name) or {}, conflicts,
                              clashing if name == "mitigations" else ())  # fmt: skip
    data["risk_register"] = _register(*rows, conflicts, clashing)
    outcomes = (b.get("outcomes") or {}, ours.get("outcomes") or {}, theirs.get("outcomes") or {})
    data["outcomes"] = _register(*outcomes, conflicts, clashing_rows(*outcomes), "outcomes")
    if not data["outcomes"]:
        del data["outcomes"]  # as stored: written only once non-empty
    for name in SCALARS:
        data[name] = _three(name, b.get(name), ours.get(name), theirs.get(name), conflicts)
        if data[name] is None and name not in ours:
            del data[name]  # as stored: a default is not written where it was not
    data["follow_ups"] = _set(b.get("follow_ups") or [], ours.get("follow_ups") or [],
                              theirs.get("follow_ups") or [])  # fmt: skip
    data["meetings"] = _union(ours.get("meetings") or [], theirs.get("meetings") or [], "date")
    data["signoffs"] = _union(ours.get("signoffs") or [], theirs.get("signoffs") or [], "time")
    data["history"] = _history(ours.get("history") or [], theirs.get("history") or [])
    data["updated"] = max(str(ours.get("updated", "")), str(theirs.get("updated", "")))
    data["conflicts"] = merge_conflicts("review", (base, ours, theirs), conflicts)
    return Merged(data, conflicts)


def merge_engagement_data(
    base: dict[str, Any] | None, ours: dict[str, Any], theirs: dict[str, Any]
) -> Merged:
    """Engagement files: members and overrides a union, shared answers per question,
    title and start as values; conflicts recorded in the file as a review's are."""
    if ours.get("id") != theirs.get("id"):
        raise NotMergeable("ours and theirs are not the same engagement (their ids differ)")
    base, ours, theirs = undecided_as_base("engagement", (base, ours, theirs))
    b = base or {}
    conflicts: Conflicts = []
    data = dict(ours)
    for name in ("title", "start"):
        data[name] = _three(name, b.get(name), ours.get(name), theirs.get(name), conflicts)
    data["shared"] = _mapping("shared", b.get("shared") or {}, ours.get("shared") or {},
                              theirs.get("shared") or {}, conflicts)  # fmt: skip
    members = _set(b.get("members") or [], ours.get("members") or [], theirs.get("members") or [])
    data["members"] = members
    data["overrides"] = _union(ours.get("overrides") or [], theirs.get("overrides") or [], "time")
    data["updated"] = max(str(ours.get("updated", "")), str(theirs.get("updated", "")))
    data["conflicts"] = merge_conflicts("engagement", (base, ours, theirs), conflicts)
    versions = [ours.get("schema_version"), theirs.get("schema_version")]
    if data["conflicts"]:
        versions.append(ENGAGEMENT_VERSION_WITH_CONFLICTS)
    data["schema_version"] = max(v for v in versions if isinstance(v, int))
    return Merged(data, conflicts)
