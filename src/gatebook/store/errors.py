"""What the store raises: problems a person can act on, the message says what and where."""

from __future__ import annotations

from pathlib import Path

from gatebook.store.storage import os_error_reason


class StoreError(Exception):
    """A problem a person can act on; the message says what and where."""


class InvalidInput(StoreError):
    """Input a person must change (a name taken, a review in another engagement):
    exit 2, nothing written."""


class ReviewNotFound(StoreError):
    pass


class InvalidReviewId(StoreError):
    """An id that is not a valid review id; refused before any file or lock is touched."""


class NotSaved(StoreError):
    """A write failed (disk full, read-only, ...); nothing was changed on disk."""

    def __init__(self, what: str, error: OSError) -> None:
        self.reason = os_error_reason(error)
        super().__init__(f"not saved: {self.reason} ({what})")


class UnreadableReview(StoreError):
    def __init__(self, review_id: str, path: Path, reason: str) -> None:
        super().__init__(
            f"review {review_id} cannot be read ({reason}); the file is left untouched at {path}"
        )
        self.review_id = review_id
        self.path = path
        self.reason = reason
