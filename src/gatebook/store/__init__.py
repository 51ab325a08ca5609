"""TinyDB persistence of reviews: atomic writes, locking, history."""

from gatebook.store.model import Review, Summary
from gatebook.store.reviews import (
    Change,
    InvalidReviewId,
    NotSaved,
    ReviewNotFound,
    ReviewStore,
    StoreError,
    TrashEntry,
    UnreadableReview,
    put_value,
)

__all__ = [
    "Change",
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
