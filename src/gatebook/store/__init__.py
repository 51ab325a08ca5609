"""TinyDB persistence of reviews: atomic writes, locking, history."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from gatebook.store.errors import (
    InvalidReviewId,
    NotSaved,
    ReviewNotFound,
    StoreError,
    UnreadableReview,
)
from gatebook.store.reviews import ReviewStore
from gatebook.store.summary import Summary

if TYPE_CHECKING:
    from gatebook.store.files import TrashEntry
    from gatebook.store.history import Change, put_value
    from gatebook.store.model import ChangeKind, Review

_WHERE = {
    "TrashEntry": "files",
    "Change": "history",
    "put_value": "history",
    "ChangeKind": "model",
    "Review": "model",
}


def __getattr__(name: str) -> Any:
    """Loaded on first use: the home screen lists reviews from the index without the
    review models (pydantic), which a review, a save or a command loads when it needs."""
    if name in _WHERE:
        return getattr(import_module(f"gatebook.store.{_WHERE[name]}"), name)
    raise AttributeError(name)


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
