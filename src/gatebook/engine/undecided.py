"""Undecided items: flags, escalation rules and gate items whose condition is unknown
with the answers so far (docs/contracts.md "Undecided").

A flag is undecided when a level tried before the one that holds (or any level,
when none holds) is unknown: raised at a lower level while a higher one is still
unknown, it is both raised and undecided. A rule that counts flags is undecided
while the flags still undecided could move the count across its threshold: it is
evaluated with the fewest and the most flags the answers allow, and is undecided
when the two disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gatebook.questionnaire.models import RiskRule


@dataclass(frozen=True)
class Undecided:
    flags: list[str] = field(default_factory=list)
    escalation: list[str] = field(default_factory=list)
    gates: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "flags": list(self.flags),
            "escalation": list(self.escalation),
            "gates": {gate: list(items) for gate, items in self.gates.items()},
        }

    @property
    def count(self) -> int:
        return len(self.flags) + len(self.escalation) + sum(len(i) for i in self.gates.values())


def possible_severities(rule: RiskRule) -> frozenset[str]:
    """Every severity a rule's levels can raise (a flag with a high level counts as high)."""
    if len(rule.ordered_levels()) == 1:  # the common case, asked on every keystroke
        severity = rule.ordered_levels()[0].severity
        return _SINGLE[severity]
    return frozenset(level.severity for level in rule.ordered_levels() if level.severity != "none")


_SINGLE = {
    s: frozenset() if s == "none" else frozenset({s}) for s in ("high", "medium", "low", "none")
}


def flag_counters(
    rules: list[RiskRule],
    raised: dict[str, tuple[str, str]],
    undecided: Collection[str],
) -> tuple[Callable[..., Decimal], Callable[..., Decimal]]:
    """`count_flags` at its fewest (decided matches only) and at its most (undecided
    flags that could match counted too). `raised` maps flag id -> (severity, category)."""

    def fewest(severity: Any = None, category: Any = None) -> Decimal:
        return Decimal(
            sum(
                1
                for flag_id, (sev, cat) in raised.items()
                if flag_id not in undecided
                and (severity is None or sev == severity)
                and (category is None or cat == category)
            )
        )

    def most(severity: Any = None, category: Any = None) -> Decimal:
        count = 0
        for rule in rules:
            if category is not None and rule.category != category:
                continue
            if rule.id in raised and rule.id not in undecided:
                count += severity is None or raised[rule.id][0] == severity
            elif rule.id in undecided:
                count += severity is None or severity in possible_severities(rule)
        return Decimal(count)

    return fewest, most
