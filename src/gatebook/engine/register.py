"""The risk register: one row per raised flag and per risk added by hand.

Pure: built from the flags an evaluation raised, the rows written so far and the
mitigations, so the panel, `show`, the plan and sign-off all read the same rows
(docs/contracts.md "Risk register"). A flag's row exists while the flag is raised
or once something is written on it; a flag no longer raised keeps its row as
`resolved`, so nothing written is lost.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.questionnaire.models import SEVERITY_RANK, Questionnaire, RiskRule

if TYPE_CHECKING:
    from gatebook.engine.flags import RaisedFlag

MITIGATED_STATUSES = frozenset({"mitigated", "resolved"})
OVERDUE_STATUSES = frozenset({"open", "mitigating"})


@dataclass(frozen=True)
class RegisterRow:
    id: str
    flag: str | None
    title: str
    severity: str | None
    category: str
    why: str
    likelihood: str | None
    impact: str | None
    mitigation: str
    contingency: str
    owner: str
    due: str | None
    status: str
    hint: str = ""
    """The flag's suggested mitigation (from the questionnaire), not written by anyone."""
    probes: tuple[str, ...] = ()
    """What to ask the customer about a raised flag (the rule's `probes`)."""
    origin: str | None = None
    """REVIEW_ID/ROW_ID of the earlier stage's row this one was carried from."""

    @property
    def addressed(self) -> bool:
        """A mitigation and a contingency are written (what a high row needs to sign)."""
        return bool(self.mitigation.strip()) and bool(self.contingency.strip())

    @property
    def open_high(self) -> bool:
        """A high row still in play that is not addressed."""
        return self.severity == "high" and self.status != "resolved" and not self.addressed

    def past_due(self, today: str) -> bool:
        """Due before `today` and still open or being mitigated (overdue)."""
        return bool(self.due) and str(self.due) < today and self.status in OVERDUE_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The row as `show --format json` prints it (absent values null)."""
        return {
            "id": self.id,
            "flag": self.flag,
            "title": self.title,
            "severity": self.severity,
            "category": self.category or None,
            "why": self.why or None,
            "likelihood": self.likelihood,
            "impact": self.impact,
            "mitigation": self.mitigation or None,
            "contingency": self.contingency or None,
            "owner": self.owner or None,
            "due": self.due,
            "status": self.status,
            "origin": self.origin,
        }


def _rule_severity(rule: RiskRule) -> str | None:
    levels = [level.severity for level in rule.ordered_levels() if level.severity != "none"]
    return min(levels, key=lambda s: SEVERITY_RANK[s]) if levels else None


def build_register(
    questionnaire: Questionnaire,
    flags: list[RaisedFlag],
    stored: Mapping[str, Mapping[str, Any]],
    mitigations: Mapping[str, str],
) -> list[RegisterRow]:
    """Raised flags first (severity, then id), then flags no longer raised whose rows
    hold something (resolved), then rows added by hand in the order they were added."""
    rules = {rule.id: rule for rule in questionnaire.risks}
    raised = {flag.id: flag for flag in flags}
    rows: list[RegisterRow] = []
    for flag in flags:
        probes = tuple(rules[flag.id].probes) if flag.id in rules else ()
        rows.append(_row(flag.id, stored.get(flag.id, {}), mitigations, flag=flag, probes=probes))
    written = [key for key in rules if key not in raised and (key in stored or key in mitigations)]
    for key in written:
        rows.append(_row(key, stored.get(key, {}), mitigations, rule=rules[key]))
    for key, row in stored.items():
        if key not in rules and not row.get("flag"):
            rows.append(_row(key, row, mitigations))
    return rows


def _row(
    key: str,
    row: Mapping[str, Any],
    mitigations: Mapping[str, str],
    *,
    flag: RaisedFlag | None = None,
    rule: RiskRule | None = None,
    probes: tuple[str, ...] = (),
) -> RegisterRow:
    text, optional = (_text, _optional) if row else (_no_text, _no_value)
    status = text(row, "status") or "open"
    severity: str | None
    if flag is not None:
        title, severity, category, why, hint = (
            flag.title,
            flag.severity,
            flag.category,
            flag.why,
            flag.mitigation,
        )
    elif rule is not None:
        title, severity, category, why, hint = (
            rule.title,
            _rule_severity(rule),
            rule.category,
            "",
            "",
        )
        status = "resolved"
    else:
        title, severity = text(row, "title"), optional(row, "severity")
        category, why, hint = text(row, "category"), "", ""
    return RegisterRow(
        id=key,
        flag=key if (flag is not None or rule is not None) else None,
        title=title,
        severity=severity,
        category=category,
        why=why,
        likelihood=optional(row, "likelihood"),
        impact=optional(row, "impact"),
        mitigation=mitigations.get(key, ""),
        contingency=text(row, "contingency"),
        owner=text(row, "owner"),
        due=optional(row, "due"),
        status=status,
        hint=hint,
        probes=probes,
        origin=optional(row, "origin"),
    )


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return value if isinstance(value, str) else ""


def _optional(row: Mapping[str, Any], name: str) -> str | None:
    value = row.get(name)
    return value if isinstance(value, str) and value else None


def _no_text(row: Mapping[str, Any], name: str) -> str:
    """A flag's row with nothing written yet (the common case): every text empty."""
    return ""


def _no_value(row: Mapping[str, Any], name: str) -> str | None:
    return None


def mitigated_line(rows: list[RegisterRow]) -> str:
    """The seed's success metric: `Risks mitigated: 3 of 5 (60 %)` (mitigated or resolved)."""
    done = sum(1 for row in rows if row.status in MITIGATED_STATUSES)
    if not rows:
        return "Risks mitigated: 0 of 0"
    share = round(100 * done / len(rows))
    return f"Risks mitigated: {done} of {len(rows)} ({share} %)"
