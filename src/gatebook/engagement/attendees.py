"""Who was on the last call: what a review's new session starts with, so people are not
typed again at every stage of an engagement (docs/contracts.md "Sessions").

The review's own latest session when it has one; otherwise, for a member of an
engagement, the latest session of the nearest earlier member (life-cycle order, then
creation) that has any. Read only: the app shows it in the session dialog, where it is
edited or cleared, and written only when the consultant saves the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatebook.engagement.lifecycle import Member, load_member, unique_members
from gatebook.store.errors import StoreError
from gatebook.store.model import Meeting, Review

if TYPE_CHECKING:
    from gatebook.store.reviews import ReviewStore


@dataclass(frozen=True)
class LastSession:
    """A session to start from and where it was held: `review` and `title` are None
    when it is the review's own."""

    meeting: Meeting
    review: str | None = None
    title: str | None = None

    def source(self) -> str:
        """Where the attendees came from, in words (the dialog's hint)."""
        if self.review is None:
            return f"the session of {self.meeting.date}"
        return f"{self.title} ({self.review}), session of {self.meeting.date}"


def latest_meeting(meetings: list[Meeting]) -> Meeting | None:
    """The latest by date; of one date, the last recorded."""
    latest: Meeting | None = None
    for meeting in meetings:
        if latest is None or meeting.date >= latest.date:
            latest = meeting
    return latest


def last_session(reviews: ReviewStore, review: Review) -> LastSession | None:
    """The session a new one of `review` starts from, or None (no earlier session here
    or in an earlier member; an engagement that cannot be read counts as none)."""
    own = latest_meeting(review.meetings)
    if own is not None:
        return LastSession(own)
    from gatebook.engagement.store import EngagementStore

    try:
        engagement = EngagementStore(reviews).engagement_of(review.id)
    except (StoreError, OSError):
        return None
    if engagement is None:
        return None
    others = [load_member(reviews, i, evaluated=False) for i in unique_members(engagement)]
    members = sorted(others, key=Member.sort_key)
    order = [member.id for member in members]
    earlier = members[: order.index(review.id)] if review.id in order else members
    for member in reversed(earlier):
        found = latest_meeting(member.review.meetings) if member.review is not None else None
        if found is not None and found.attendees and member.review is not None:
            return LastSession(found, member.id, member.review.title)
    return None
