"""What a screen needs from the app, as a protocol: the screens import this module,
never `tui/app.py`, and the app (which imports the screens) satisfies it, checked by
mypy where the app is defined. So no import circle runs between the app and its
screens, not even one made only for the type checker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # types only: a screen loads no more than it did
    from gatebook.questionnaire.catalog import Catalog
    from gatebook.store import ReviewStore
    from gatebook.tui.session import ReviewSession


@dataclass(frozen=True)
class LastSigner:
    """The name and SSH key of the last sign-off made since the app started: the
    sign-off dialog fills them in for the next role or review."""

    name: str
    key: str


class AppHost(Protocol):
    """The gatebook app as its screens use it (`GatebookScreen.gb`)."""

    store: ReviewStore
    catalog: Catalog
    last_deleted: str | None
    """The id of the review deleted last: what `u` on the home screen restores."""
    last_signer: LastSigner | None

    def open_review(self, review_id: str, *, new: bool = False) -> None: ...

    def create_review(self, questionnaire_id: str, title: str, copy_from: str | None) -> None: ...

    def close_session(self, session: ReviewSession) -> Path | None: ...

    def confirm_leaving(
        self, sessions: list[ReviewSession], verb: str, leave: Callable[[], object]
    ) -> None: ...
