"""What changed in an engagement between two points: members added and removed, stage,
RAG status and reasons before and after, and each kept member's diff exactly as
`gatebook diff` gives it (docs/contracts.md "engagement diff"). The CLI prints it and
the engagement screen's `d` shows the same text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gatebook.engagement.lifecycle import unique_members
from gatebook.engagement.timeline import (
    EngagementPoint,
    default_from,
    now_members,
    point_at,
    point_now,
    unreadable_member,
)
from gatebook.milestone.diff import diff_lines, diff_points, is_empty
from gatebook.milestone.service import NOW
from gatebook.milestone.store import check_name

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore


@dataclass(frozen=True)
class EngagementDiff:
    engagement: str
    old: EngagementPoint
    new: EngagementPoint
    reviews: Mapping[str, dict[str, Any]]
    """Each member at both points: its diff as `gatebook diff` gives it."""
    warnings: tuple[str, ...] = ()

    @property
    def members_added(self) -> list[str]:
        return sorted(set(self.new.members) - set(self.old.members))

    @property
    def members_removed(self) -> list[str]:
        return sorted(set(self.old.members) - set(self.new.members))

    def to_json(self) -> dict[str, Any]:
        """`engagement diff --format json`, exactly."""
        return {
            "from": self.old.name,
            "to": self.new.name,
            "members_added": self.members_added,
            "members_removed": self.members_removed,
            "stage": {"from": self.old.stage, "to": self.new.stage},
            "status": {"from": self.old.status.status, "to": self.new.status.status},
            "reasons": {"from": self.old.status.reasons, "to": self.new.status.reasons},
            "reviews": {key: self.reviews[key] for key in sorted(self.reviews)},
        }

    def lines(self) -> list[str]:
        """For people: grouped as `gatebook diff` prints, members in life-cycle order."""
        old, new = self.old, self.new
        lines = [f"Changes to engagement {self.engagement} from {old.name} to {new.name}"]
        if self.members_added or self.members_removed:
            lines.append("Members:")
            lines += [f"  added {_named(new, key)}" for key in self.members_added]
            lines += [f"  removed {_named(old, key)}" for key in self.members_removed]
        lines.append(_moved("Stage", old.stage or "not started", new.stage or "not started"))
        lines.append(_moved("Status", old.status.status.upper(), new.status.status.upper()))
        if old.status.reasons != new.status.reasons:
            for point in (old, new):
                lines.append(f"Reasons at {point.name}:")
                lines += [f"  {reason}" for reason in point.status.reasons] or ["  none"]
        for key in new.members:
            if key not in self.reviews:
                continue
            diff = self.reviews[key]
            if is_empty(diff):
                lines.append(f"Review {_named(new, key)}: nothing changed")
                continue
            lines.append(f"Review {_named(new, key)}:")
            body = diff_lines(diff, new.members[key].questionnaire)[1:]
            lines += [f"  {line}" for line in body]
        return lines


def _named(point: EngagementPoint, key: str) -> str:
    title = point.members[key].title
    return f"{key} ({title})" if title else key


def _moved(label: str, before: str, after: str) -> str:
    return f"{label}: {before} (unchanged)" if before == after else f"{label}: {before} -> {after}"


def engagement_diff(
    reviews: ReviewStore, engagement_id: str, old: str | None = None, new: str | None = None
) -> EngagementDiff:
    """The diff from `old` (default: the newest milestone every member then had) to
    `new` (default: now). Unknown engagement or milestone, or a damaged one: exit 1
    errors; a bad name: exit 2."""
    from gatebook.engagement.store import EngagementStore

    for name in (old, new):
        if name is not None and name != NOW:
            check_name(name)
    engagement = EngagementStore(reviews).get(engagement_id)
    current = unique_members(engagement)
    members = now_members(reviews, engagement)
    warnings: list[str] = []
    if old is None:
        old, passed = default_from(reviews, engagement, members)
        warnings += passed
    points = []
    for name in (old, new or NOW):
        if name == NOW:
            points.append(point_now(reviews, members))
        else:
            point, found = point_at(reviews, engagement, current, name)
            points.append(point)
            warnings += found
    first, second = points
    diffs: dict[str, dict[str, Any]] = {}
    for key, before in first.members.items():
        after = second.members.get(key)
        if after is None:
            continue
        if before.point is None:
            raise unreadable_member(before)
        if after.point is None:
            raise unreadable_member(after)
        diffs[key] = diff_points(before.point, after.point)
    return EngagementDiff(engagement.id, first, second, diffs, tuple(dict.fromkeys(warnings)))
