"""TinyDB persistence of reviews: atomic writes, locking, history."""

from gatebook.store.errors import (
    InvalidReviewId,
    NotSaved,
    ReviewNotFound,
    StoreError,
    UnreadableReview,
)
from gatebook.store.files import TrashEntry
from gatebook.store.history import Change, put_value
from gatebook.store.model import ChangeKind, Review, Summary
from gatebook.store.reviews import ReviewStore

__all__ = [
    "Change",
    "ChangeKind",
    "InvalidReviewId",
    "NotSaved",
    "Review",
    "ReviewNotFound",
    "ReviewStore",
    "StoreError",
    "Summary",
    "TrashEntry",
    "UnreadableReview",
    "put_value",
]
