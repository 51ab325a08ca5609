"""EngagementStore: one JSON file per engagement, written atomically under a lock.

Files are canonical (sorted keys, two-space indent, lists in their stored order) so a
diff in git shows one line per change. Every file may be hostile: a file that is not
an engagement of ours is reported by name and never written over.

The one reader of engagement files, for the CLI, the app, the portfolio and the merge
tools alike (`listed` is the home screen's listing). The model (pydantic) is loaded
when the first file is read, so an app started on a workspace without engagements
never loads it.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gatebook.questionnaire.ids import InvalidId, check_document_id, did_you_mean
from gatebook.store.errors import InvalidReviewId, NotSaved, ReviewNotFound, StoreError
from gatebook.store.storage import TooLarge, read_bounded

if TYPE_CHECKING:
    from gatebook.engagement.model import Engagement
    from gatebook.store.journal import FileChange
    from gatebook.store.reviews import ReviewStore

MAX_ENGAGEMENT_BYTES = 4 * 1024 * 1024
LOCK_TIMEOUT_S = 10.0


class EngagementNotFound(ReviewNotFound):
    """No engagement of that id (exit 1, with the closest id)."""


class UnreadableEngagement(StoreError):
    def __init__(self, engagement_id: str, path: Path, reason: str) -> None:
        super().__init__(
            f"engagement {engagement_id} cannot be read ({reason}); the file is left "
            f"untouched at {path}"
        )
        self.reason = reason


@dataclass(frozen=True)
class ListedEngagement:
    """An engagement as `engagement list` finds it: read, or why not."""

    id: str
    engagement: Engagement | None
    unreadable: str | None = None
    why: str | None = None
    """The short reason (the portfolio's `damaged` entry)."""


def read_engagement_file(path: Path, engagement_id: str) -> Engagement:
    """Read and check one engagement file (the store and the merge driver alike):
    UnreadableEngagement with the reason, never a crash."""
    from pydantic import ValidationError

    from gatebook.engagement.model import SCHEMA_VERSION, Engagement
    from gatebook.store.storage import nesting_problem

    try:
        raw = read_bounded(path, MAX_ENGAGEMENT_BYTES)
    except (OSError, TooLarge) as error:
        raise UnreadableEngagement(engagement_id, path, str(error)) from None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise UnreadableEngagement(engagement_id, path, f"not valid JSON ({error})") from None
    deep = nesting_problem(raw, data)
    if deep is not None:
        raise UnreadableEngagement(engagement_id, path, deep)
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > SCHEMA_VERSION:
        reason = f"written by a newer gatebook (schema {version}); upgrade gatebook"
        raise UnreadableEngagement(engagement_id, path, reason)
    try:
        engagement = Engagement.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        reason = f"not an engagement file: {where}: {first['msg']}"
        raise UnreadableEngagement(engagement_id, path, reason) from None
    if engagement.id != engagement_id:
        reason = f"its inner id {engagement.id!r} differs from its file name"
        raise UnreadableEngagement(engagement_id, path, reason)
    return engagement


def canonical_bytes(data: object) -> bytes:
    """Sorted keys, two-space indent, a final newline: one line per scalar in a diff."""
    from gatebook.store.storage import canonical_file_bytes

    return canonical_file_bytes(data)


def engagement_bytes(engagement: Engagement) -> bytes:
    return canonical_bytes(engagement.model_dump(mode="json"))


class EngagementStore:
    def __init__(self, reviews: ReviewStore) -> None:
        self.reviews = reviews
        self.home = reviews.home
        self.folder = self.home / "engagements"

    # ---- files --------------------------------------------------------------------

    def path_of(self, engagement_id: str) -> Path:
        try:
            check_document_id(engagement_id, "engagement")
        except InvalidId as error:
            raise InvalidReviewId(str(error)) from None
        return self.folder / f"{engagement_id}.json"

    def ids(self) -> list[str]:
        try:
            return sorted(p.stem for p in self.folder.glob("*.json"))
        except OSError:
            return []

    @contextmanager
    def _locked(self, engagement_id: str) -> Iterator[None]:
        from filelock import FileLock, Timeout

        from gatebook.store.journal import lock_path, settle
        from gatebook.store.links import refuse_committed_links

        self.path_of(engagement_id)
        refuse_committed_links(self.home)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.reviews.locks_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise NotSaved(f"engagement {engagement_id}", error) from None
        settle(self.home)  # an interrupted change across files first (store/journal.py)
        lock = FileLock(
            str(lock_path(self.home, f"engagements/{engagement_id}.json")),
            timeout=LOCK_TIMEOUT_S,
        )
        try:
            with lock:
                yield
        except Timeout:
            raise StoreError(
                f"engagement {engagement_id} is locked by another gatebook process; try again"
            ) from None

    def _read(self, engagement_id: str) -> Engagement:
        path = self.path_of(engagement_id)
        if not path.exists():
            known = self.ids()
            hint = did_you_mean(engagement_id, known)
            raise EngagementNotFound(
                f"no engagement {engagement_id!r} in {self.home}.{hint}"
                + ("" if known else " Start one with: gatebook engagement new TITLE")
            )
        return read_engagement_file(path, engagement_id)

    def _write(self, engagement: Engagement) -> None:
        from gatebook.store.storage import atomic_write_bytes

        path = self.path_of(engagement.id)
        try:
            atomic_write_bytes(path, engagement_bytes(engagement))
        except OSError as error:
            raise NotSaved(f"engagement {engagement.id}", error) from None

    # ---- engagements --------------------------------------------------------------

    def get(self, engagement_id: str) -> Engagement:
        return self._read(engagement_id)

    def create(self, title: str, *, start: str, shared: dict[str, object]) -> Engagement:
        from gatebook.engagement.model import Engagement

        now = self.reviews.clock()
        engagement_id = f"eng-{secrets.token_hex(3)}"
        while self.path_of(engagement_id).exists():
            engagement_id = f"eng-{secrets.token_hex(3)}"
        engagement = Engagement(
            id=engagement_id, title=title, start=start, created=now, updated=now, shared=shared
        )
        with self._locked(engagement_id):
            if self.path_of(engagement_id).exists():
                raise StoreError(f"an engagement with id {engagement_id!r} exists already")
            self._write(engagement)
        return engagement

    def write_new(self, engagement: Engagement) -> None:
        """Store an engagement under its own id (an import); refused when it exists."""
        with self._locked(engagement.id):
            if self.path_of(engagement.id).exists():
                raise StoreError(f"an engagement with id {engagement.id!r} exists already")
            self._write(engagement)

    def modify(self, engagement_id: str, mutate: Callable[[Engagement], None]) -> Engagement:
        """Run `mutate` on the freshly re-read engagement under its lock, then write it."""
        with self._locked(engagement_id):
            engagement = self._read(engagement_id)
            mutate(engagement)
            engagement.updated = self.reviews.clock()
            self._write(engagement)
        return engagement

    # ---- inside a change across files (store/journal.py): the caller holds the locks ----

    def stage_modify(
        self, change: FileChange, engagement_id: str, mutate: Callable[[Engagement], None]
    ) -> Engagement:
        """`modify`, staged in `change` instead of written."""
        engagement = self._read(engagement_id)
        mutate(engagement)
        engagement.updated = self.reviews.clock()
        change.stage(self.path_of(engagement_id), engagement_bytes(engagement))
        return engagement

    def stage_new(self, change: FileChange, engagement: Engagement) -> None:
        """`write_new`, staged in `change` (refused when the id exists)."""
        if self.path_of(engagement.id).exists():
            raise StoreError(f"an engagement with id {engagement.id!r} exists already")
        change.stage(self.path_of(engagement.id), engagement_bytes(engagement))

    def listed(self) -> list[ListedEngagement]:
        """Every engagement file: read, or listed with the reason it cannot be."""
        found: list[ListedEngagement] = []
        for engagement_id in self.ids():
            try:
                found.append(ListedEngagement(engagement_id, self._read(engagement_id)))
            except (StoreError, InvalidReviewId) as error:
                why = error.reason if isinstance(error, UnreadableEngagement) else str(error)
                found.append(ListedEngagement(engagement_id, None, str(error), why))
        return found

    def engagements(self) -> list[Engagement]:
        return [item.engagement for item in self.listed() if item.engagement is not None]

    def engagement_of(self, review_id: str) -> Engagement | None:
        """The engagement a review belongs to (the first by id if a hand edit put it in
        two: `engagement show` names the clash)."""
        return next((e for e in self.engagements() if review_id in e.members), None)
