"""TinyDB persistence of reviews: atomic writes, locking, history."""

from gatebook.store.model import Review, Summary
from gatebook.store.reviews import (
    Change,
    ReviewNotFound,
    ReviewStore,
    StoreError,
    UnreadableReview,
    put_value,
)

__all__ = [
    "Change",
    "Review",
    "ReviewNotFound",
    "ReviewStore",
    "StoreError",
    "Summary",
    "UnreadableReview",
    "put_value",
]
