"""ReviewStore: one small TinyDB file per review, plus an index of summaries.

Why this shape:
- one file per review keeps the cost of saving an answer independent of how many
  reviews the workspace holds;
- the index (one small TinyDB file) lets the home screen and `gatebook list`
  show 1,000 reviews without loading or evaluating any of them;
- every read-modify-write happens under a per-review file lock and re-reads the
  file first, so two processes (a TUI and a script) never lose each other's writes;
- a file that cannot be read is reported and never written over.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from pydantic import ValidationError
from tinydb import Query, TinyDB
from tinydb.table import Document

from gatebook.engine import Evaluation, evaluate
from gatebook.questionnaire.models import Questionnaire
from gatebook.questionnaire.source import SourceError
from gatebook.store.canonical import review_status
from gatebook.store.model import SCHEMA_VERSION, HistoryEntry, Review, Summary
from gatebook.store.storage import (
    DIR_MODE,
    FILE_MODE,
    AtomicJSONStorage,
    UnreadableFile,
    remove_temp_files,
)

LOCK_TIMEOUT_S = 10.0
REVIEW_TABLE = "review"
INDEX_TABLE = "reviews"


class StoreError(Exception):
    """A problem a person can act on; the message says what and where."""


class ReviewNotFound(StoreError):
    pass


class UnreadableReview(StoreError):
    def __init__(self, review_id: str, path: Path, reason: str) -> None:
        super().__init__(
            f"review {review_id} cannot be read ({reason}); the file is left untouched at {path}"
        )
        self.review_id = review_id
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Change:
    """One edit to a review: `kind` says which part, `key` which question or flag."""

    kind: str
    key: str
    new: Any


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def current_user() -> str:
    env = os.environ.get("GATEBOOK_USER")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry
        return "unknown"


def _get(review: Review, kind: str, key: str) -> Any:
    if kind == "answer":
        return review.answers.get(key)
    if kind == "note":
        return review.notes.get(key)
    if kind == "not_applicable":
        return review.not_applicable.get(key)
    if kind == "mitigation":
        return review.mitigations.get(key)
    if kind == "follow_up":
        return key in review.follow_ups
    if kind in ("title", "subject"):
        return getattr(review, kind)
    raise StoreError(f"unknown change kind {kind!r}")


def put_value(review: Review, kind: str, key: str, value: Any) -> None:
    """Set one field of a review in memory (no history): the single meaning of a change."""
    mapping: dict[str, Any] | None = {
        "answer": review.answers,
        "note": review.notes,
        "not_applicable": review.not_applicable,
        "mitigation": review.mitigations,
    }.get(kind)
    if mapping is not None:
        if value is None or (kind != "answer" and value == "" and kind != "not_applicable"):
            mapping.pop(key, None)
        else:
            mapping[key] = value
    elif kind == "follow_up":
        if value and key not in review.follow_ups:
            review.follow_ups.append(key)
        elif not value and key in review.follow_ups:
            review.follow_ups.remove(key)
    elif kind in ("title", "subject"):
        setattr(review, kind, value or "")
    else:
        raise StoreError(f"unknown change kind {kind!r}")


def apply_change(
    review: Review, change: Change, now: str, user: str, *, coalesce: bool = False
) -> HistoryEntry | None:
    """Apply one change in memory; returns its history entry, or None if nothing changed.

    With `coalesce`, a change to the same field as the last history entry extends
    that entry (keystrokes of one answer are one change, and one undo).
    """
    old = _get(review, change.kind, change.key)
    put_value(review, change.kind, change.key, change.new)
    new = _get(review, change.kind, change.key)
    if old == new:
        return None
    last = review.history[-1] if review.history else None
    if (
        coalesce
        and last is not None
        and (last.kind, last.key, last.user) == (change.kind, change.key, user)
        and not last.undone
        and last.undo_of is None
    ):
        last.new, last.time = new, now
        return last
    entry = HistoryEntry(time=now, user=user, kind=change.kind, key=change.key, old=old, new=new)  # type: ignore[arg-type]
    review.history.append(entry)
    return entry


QuestionnaireResolver = Callable[[Review], Questionnaire]


class ReviewStore:
    """All reviews of one workspace folder."""

    def __init__(
        self,
        home: Path,
        resolve: QuestionnaireResolver,
        *,
        clock: Callable[[], str] = utc_now,
        user: Callable[[], str] = current_user,
        new_id: Callable[[str], str] | None = None,
    ) -> None:
        self.home = Path(home)
        self.resolve = resolve
        self.clock = clock
        self.user = user
        self.new_id = new_id or (lambda prefix: f"{prefix}-{secrets.token_hex(3)}")
        self.reviews_dir = self.home / "reviews"
        self.trash_dir = self.home / "trash"
        self.locks_dir = self.home / "locks"
        self.index_path = self.home / "index.json"
        for folder in (self.home, self.reviews_dir, self.trash_dir, self.locks_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            os.chmod(folder, DIR_MODE)
        for folder in (self.home, self.reviews_dir, self.trash_dir):
            remove_temp_files(folder)

    # ---- files and locks -------------------------------------------------------------

    def path_of(self, review_id: str) -> Path:
        if not review_id or "/" in review_id or review_id.startswith("."):
            raise ReviewNotFound(f"no review {review_id!r}")
        return self.reviews_dir / f"{review_id}.json"

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        lock = FileLock(
            str(self.locks_dir / f"{name}.lock"), timeout=LOCK_TIMEOUT_S, mode=FILE_MODE
        )
        try:
            with lock:
                yield
        except Timeout:
            raise StoreError(
                f"{name} is locked by another gatebook process for over {LOCK_TIMEOUT_S:g}s; "
                "try again"
            ) from None

    def _read(self, review_id: str) -> Review:
        path = self.path_of(review_id)
        if not path.exists():
            raise ReviewNotFound(f"no review {review_id!r} in {self.home}")
        try:
            db = TinyDB(path, storage=AtomicJSONStorage)
            documents = db.table(REVIEW_TABLE).all()
        except UnreadableFile as error:
            raise UnreadableReview(review_id, path, error.reason) from None
        if len(documents) != 1:
            raise UnreadableReview(review_id, path, "no review document inside")
        data = dict(documents[0])
        version = data.get("schema_version")
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise UnreadableReview(
                review_id, path, f"written by a newer gatebook (schema {version}); upgrade gatebook"
            )
        try:
            return Review.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise UnreadableReview(review_id, path, f"{where}: {first['msg']}") from None

    def _write(self, review: Review) -> None:
        path = self.path_of(review.id)
        db = TinyDB(path, storage=AtomicJSONStorage)
        db.table(REVIEW_TABLE).upsert(Document(review.model_dump(mode="json"), doc_id=1))

    # ---- reviews ---------------------------------------------------------------------

    def get(self, review_id: str) -> Review:
        return self._read(review_id)

    def questionnaire_for(self, review: Review) -> Questionnaire:
        return self.resolve(review)

    def evaluate(self, review: Review) -> Evaluation:
        return evaluate(self.resolve(review), review.answers, review.not_applicable)

    def create(
        self,
        questionnaire: Questionnaire,
        title: str,
        *,
        subject: str = "",
        answers: dict[str, Any] | None = None,
        not_applicable: dict[str, str] | None = None,
        questionnaire_path: str | None = None,
        review_id: str | None = None,
    ) -> Review:
        now = self.clock()
        new_id = review_id or self.new_id(questionnaire.id)
        while review_id is None and self.path_of(new_id).exists():
            new_id = self.new_id(questionnaire.id)
        review = Review(
            id=new_id,
            questionnaire=questionnaire.id,
            version=questionnaire.version,
            questionnaire_path=questionnaire_path,
            title=title,
            subject=subject,
            created=now,
            updated=now,
        )
        user = self.user()
        for key, value in (answers or {}).items():
            apply_change(review, Change("answer", key, value), now, user)
        for key, reason in (not_applicable or {}).items():
            apply_change(review, Change("not_applicable", key, reason), now, user)
        with self._locked(new_id):
            if self.path_of(new_id).exists():
                raise StoreError(f"a review with id {new_id!r} exists already")
            self._write(review)
        self._index(review, questionnaire)
        return review

    def save_imported(self, review: Review, *, replace: bool = False) -> Review:
        """Store a whole review (from a plan); a new id unless `replace`."""
        questionnaire = self.resolve(review)
        with self._locked(review.id):
            exists = self.path_of(review.id).exists()
        if exists and not replace:
            review = review.model_copy(update={"id": self.new_id(review.questionnaire)})
        with self._locked(review.id):
            self._write(review)
        self._index(review, questionnaire)
        return review

    def update(
        self, review_id: str, changes: list[Change], *, coalesce: bool = False
    ) -> tuple[Review, list[HistoryEntry]]:
        """Apply changes under the lock to the freshly re-read review; one atomic write."""
        with self._locked(review_id):
            review = self._read(review_id)
            now, user = self.clock(), self.user()
            entries = [
                e
                for c in changes
                if (e := apply_change(review, c, now, user, coalesce=coalesce)) is not None
            ]
            if entries:
                review.updated = now
                self._write(review)
        if entries:
            self._index(review)
        return review, entries

    def modify(self, review_id: str, mutate: Callable[[Review], None]) -> Review:
        """Run `mutate` on the freshly re-read review under the lock, then write it."""
        with self._locked(review_id):
            review = self._read(review_id)
            mutate(review)
            review.updated = self.clock()
            self._write(review)
        self._index(review)
        return review

    def set_position(self, review_id: str, question_id: str) -> None:
        """Remember where the person was (not a content change, so no history)."""
        with self._locked(review_id):
            review = self._read(review_id)
            if review.position == question_id:
                return
            review.position = question_id
            self._write(review)

    def undo(self, review_id: str) -> HistoryEntry | None:
        """Revert the last change not yet undone; the revert is itself in the history."""
        with self._locked(review_id):
            review = self._read(review_id)
            for index in range(len(review.history) - 1, -1, -1):
                entry = review.history[index]
                if entry.undone or entry.undo_of is not None or entry.kind == "signoff":
                    continue
                now = self.clock()
                put_value(review, entry.kind, entry.key, entry.old)
                entry.undone = True
                reverted = HistoryEntry(
                    time=now,
                    user=self.user(),
                    kind=entry.kind,
                    key=entry.key,
                    old=entry.new,
                    new=entry.old,
                    undo_of=index,
                )
                review.history.append(reverted)
                review.updated = now
                self._write(review)
                break
            else:
                return None
        self._index(review)
        return reverted

    def delete(self, review_id: str) -> Path:
        """Move a review to the trash folder (restore brings it back)."""
        with self._locked(review_id):
            source = self.path_of(review_id)
            if not source.exists():
                raise ReviewNotFound(f"no review {review_id!r} in {self.home}")
            target = self.trash_dir / source.name
            os.replace(source, target)
        self._unindex(review_id)
        return target

    def restore(self, review_id: str) -> Review:
        with self._locked(review_id):
            source = self.trash_dir / f"{review_id}.json"
            target = self.path_of(review_id)
            if not source.exists():
                raise ReviewNotFound(f"no review {review_id!r} in the trash ({self.trash_dir})")
            if target.exists():
                raise StoreError(f"a review {review_id!r} exists already; not overwriting it")
            os.replace(source, target)
        review = self._read(review_id)
        self._index(review)
        return review

    def trash(self) -> list[str]:
        return sorted(p.stem for p in self.trash_dir.glob("*.json"))

    # ---- the index -------------------------------------------------------------------

    def summarize(self, review: Review, questionnaire: Questionnaire | None = None) -> Summary:
        who: dict[str, Any] = {
            "id": review.id,
            "title": review.title,
            "questionnaire": review.questionnaire,
            "version": review.version,
            "subject": review.subject,
            "updated": review.updated,
        }
        try:
            questionnaire = questionnaire or self.resolve(review)
        except SourceError as error:  # a missing questionnaire must not block saves
            return Summary.model_validate(
                {**who, "unreadable": f"questionnaire unavailable: {error}"}
            )
        result = evaluate(questionnaire, review.answers, review.not_applicable)
        return Summary.model_validate(
            {
                **who,
                **result.flag_counts(),
                "progress": result.progress,
                "overall": result.overall,
                "target": result.target,
                "status": review_status(review, questionnaire),
            }
        )

    def _index_db(self) -> TinyDB:
        return TinyDB(self.index_path, storage=lambda p: AtomicJSONStorage(p, durable=False))

    def _index(self, review: Review, questionnaire: Questionnaire | None = None) -> None:
        summary = self.summarize(review, questionnaire).model_dump(mode="json")
        with self._locked("index"):
            try:
                self._index_db().table(INDEX_TABLE).upsert(summary, Query().id == review.id)
            except UnreadableFile:
                self._rebuild_index_locked()

    def _unindex(self, review_id: str) -> None:
        with self._locked("index"):
            try:
                self._index_db().table(INDEX_TABLE).remove(Query().id == review_id)
            except UnreadableFile:
                self._rebuild_index_locked()

    def _rebuild_index_locked(self) -> list[Summary]:
        summaries: list[Summary] = []
        for path in sorted(self.reviews_dir.glob("*.json")):
            try:
                summaries.append(self.summarize(self._read(path.stem)))
            except UnreadableReview as error:
                summaries.append(self._unreadable_summary(path.stem, error.reason))
        self.index_path.unlink(missing_ok=True)
        db = self._index_db()
        db.table(INDEX_TABLE).insert_multiple(s.model_dump(mode="json") for s in summaries)
        return summaries

    @staticmethod
    def _unreadable_summary(review_id: str, reason: str) -> Summary:
        return Summary(
            id=review_id, title="(unreadable)", questionnaire="?", version="?", unreadable=reason
        )

    def rebuild_index(self) -> list[Summary]:
        with self._locked("index"):
            return self._rebuild_index_locked()

    def summaries(self) -> list[Summary]:
        """Every review's summary from the index alone: no review is loaded or evaluated."""
        try:
            rows = self._index_db().table(INDEX_TABLE).all()
        except UnreadableFile:
            return self.rebuild_index()
        if not self.index_path.exists() and any(self.reviews_dir.glob("*.json")):
            return self.rebuild_index()
        summaries = [Summary.model_validate(row) for row in rows]
        return sorted(summaries, key=lambda s: s.updated, reverse=True)
