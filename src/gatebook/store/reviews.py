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
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, Unpack

from gatebook.questionnaire.ids import InvalidId, check_document_id, did_you_mean
from gatebook.store.clock import current_user, utc_now
from gatebook.store.errors import (
    InvalidReviewId,
    NotSaved,
    ReviewNotFound,
    StoreError,
    UnreadableReview,
)
from gatebook.store.index import ReviewIndex, summarize, unreadable_summary
from gatebook.store.storage import DIR_MODE, FILE_MODE, UnreadableFile
from gatebook.store.summary import Summary

LOCK_TIMEOUT_S = 10.0


class ReviewOpening(TypedDict, total=False):
    """What a person gives a new review besides its questionnaire and title (`new`'s
    options, the app's dialog), passed on as keywords by whoever creates it: a plain
    review (`ReviewStore.create`) or an engagement's member (`create_member`)."""

    subject: str
    answers: dict[str, Any] | None
    not_applicable: dict[str, str] | None
    questionnaire_path: str | None


if TYPE_CHECKING:
    # The home screen lists reviews from the index: the review models (pydantic), the
    # file locks, the engine and the questionnaire models load with the first review
    # read or written, not at start-up.
    from filelock import FileLock

    from gatebook.engine import Evaluation
    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.files import TrashEntry
    from gatebook.store.history import Change
    from gatebook.store.journal import FileChange
    from gatebook.store.model import HistoryEntry, OutcomeRow, Review, RiskRow

QuestionnaireResolver = Callable[["Review"], "Questionnaire"]


class ReviewStore:
    """All reviews of one workspace folder.

    Reading (get, summaries) needs no write access: no folder is made or chmod-ed and
    no lock is taken, so a read-only workspace still lists, shows and exports.
    """

    def __init__(
        self,
        home: Path,
        resolve: QuestionnaireResolver,
        *,
        resolve_live: QuestionnaireResolver | None = None,
        clock: Callable[[], str] = utc_now,
        user: Callable[[], str] = current_user,
        new_id: Callable[[str], str] | None = None,
    ) -> None:
        self.home = Path(home)
        self.resolve = resolve
        self.resolve_live = resolve_live or resolve
        self.clock = clock
        self.user = user
        self.new_id = new_id or (lambda prefix: f"{prefix[:56]}-{secrets.token_hex(3)}")
        self.reviews_dir = self.home / "reviews"
        self.trash_dir = self.home / "trash"
        self.locks_dir = self.home / "locks"
        self.index = ReviewIndex(self.home / "index.json", self.reviews_dir, self._lock_file)
        self._prepared = False

    @property
    def index_path(self) -> Path:
        return self.index.path

    # ---- files and locks -------------------------------------------------------------

    def _prepare(self) -> None:
        """Make the workspace writable on the first write: folders, modes, stale temps."""
        if self._prepared:
            return
        from gatebook.store.links import refuse_committed_links

        refuse_committed_links(self.home)
        try:
            for folder in (self.home, self.reviews_dir, self.trash_dir, self.locks_dir):
                folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
                if not folder.is_symlink() and (folder.stat().st_mode & 0o777) != DIR_MODE:
                    os.chmod(folder, DIR_MODE)
        except OSError as error:
            raise NotSaved(f"workspace {self.home}", error) from None
        from gatebook.store.storage import remove_temp_files

        for folder in (self.home, self.reviews_dir, self.trash_dir):
            remove_temp_files(folder)
        self._prepared = True

    def path_of(self, review_id: str) -> Path:
        try:
            check_document_id(review_id)
        except InvalidId as error:
            raise InvalidReviewId(str(error)) from None
        return self.reviews_dir / f"{review_id}.json"

    def _lock_file(self, name: str, timeout: float = LOCK_TIMEOUT_S) -> FileLock:
        from filelock import FileLock

        return FileLock(str(self.locks_dir / f"{name}.lock"), timeout=timeout, mode=FILE_MODE)

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        from filelock import Timeout

        from gatebook.store.journal import settle

        self.path_of(name)  # a bad id is refused before any folder or lock is made
        self._prepare()
        settle(self.home)  # an interrupted change across files first (store/journal.py)
        lock = self._lock_file(name)
        try:
            with lock:
                yield
        except Timeout:
            raise StoreError(
                f"{name} is locked by another gatebook process for over {LOCK_TIMEOUT_S:g}s; "
                "try again"
            ) from None
        except OSError as error:
            if isinstance(error, NotSaved):  # pragma: no cover - NotSaved is no OSError
                raise
            raise NotSaved(f"lock {name}", error) from None

    def _read(self, review_id: str) -> Review:
        from gatebook.store.files import read_review_file

        path = self.path_of(review_id)
        if not path.exists():
            raise ReviewNotFound(
                f"no review {review_id!r} in {self.home}.{did_you_mean(review_id, self.ids())}"
            )
        return read_review_file(path, review_id)

    def ids(self) -> list[str]:
        """The ids of the review files present (no file is read)."""
        try:
            return sorted(p.stem for p in self.reviews_dir.glob("*.json"))
        except OSError:
            return []

    def _write(self, review: Review, *, check_existing: bool = False) -> None:
        """Write the whole document, as TinyDB lays it out (an upsert would merge the new
        fields into the old ones and keep a key the review no longer writes). Every
        caller but a replacing import has just read the file under the lock; that one
        checks it first: a file that is not ours is never written over."""
        from gatebook.store.files import REVIEW_TABLE
        from gatebook.store.storage import AtomicJSONStorage

        path = self.path_of(review.id)
        storage = AtomicJSONStorage(path)
        try:
            if check_existing and path.exists():
                storage.read()
            storage.write({REVIEW_TABLE: {"1": review.model_dump(mode="json")}})
        except UnreadableFile as error:
            raise UnreadableReview(review.id, path, error.reason) from None
        except OSError as error:
            raise NotSaved(f"review {review.id}", error) from None

    # ---- reviews ---------------------------------------------------------------------

    def get(self, review_id: str) -> Review:
        return self._read(review_id)

    def questionnaire_for(self, review: Review) -> Questionnaire:
        """The questionnaire the review is judged against: the version it records."""
        return self.resolve(review)

    def upgrade_target(self, review: Review) -> Questionnaire:
        """The live questionnaire of the review's id: what its next change is checked
        against and moves it to (the same as `questionnaire_for` when it is on it)."""
        return self.resolve_live(review)

    def evaluate(self, review: Review) -> Evaluation:
        from gatebook.store.evaluation import evaluate_review

        return evaluate_review(self.resolve(review), review)

    def create(
        self,
        questionnaire: Questionnaire,
        title: str,
        *,
        review_id: str | None = None,
        risk_register: dict[str, RiskRow] | None = None,
        mitigations: dict[str, str] | None = None,
        outcomes: dict[str, OutcomeRow] | None = None,
        change: FileChange | None = None,
        **given: Unpack[ReviewOpening],
    ) -> Review:
        """A new review, written once; `risk_register`, `mitigations` and `outcomes` are
        the rows it starts with (an engagement's carried risks and outcomes). With
        `change`, staged in that change across files (store/journal.py) instead, under
        `review_id`."""
        from gatebook.store.history import Change, apply_change
        from gatebook.store.model import ChangeKind, Review

        now = self.clock()
        new_id = review_id or self.new_id(questionnaire.id)
        while review_id is None and self.path_of(new_id).exists():
            new_id = self.new_id(questionnaire.id)
        self.path_of(new_id)
        review = Review(
            id=new_id,
            questionnaire=questionnaire.id,
            version=questionnaire.version,
            questionnaire_path=given.get("questionnaire_path"),
            title=title,
            subject=given.get("subject", ""),
            created=now,
            updated=now,
            risk_register=dict(risk_register or {}),
            mitigations=dict(mitigations or {}),
            outcomes=dict(outcomes or {}),
        )
        user = self.user()
        for key, value in (given.get("answers") or {}).items():
            apply_change(review, Change(ChangeKind.ANSWER, key, value), now, user)
        for key, reason in (given.get("not_applicable") or {}).items():
            apply_change(review, Change(ChangeKind.NOT_APPLICABLE, key, reason), now, user)
        if change is not None:
            self.stage_import(change, review, replace=False)
            return review
        with self._locked(new_id):
            if self.path_of(new_id).exists():
                raise StoreError(f"a review with id {new_id!r} exists already")
            self._write(review)
        self._index(review, questionnaire)
        return review

    def save_imported(self, review: Review, *, replace: bool = False) -> Review:
        """Store a whole review (from a plan); a new id unless `replace`."""
        questionnaire = self.resolve(review)
        review = self.imported_as(review, replace=replace)
        with self._locked(review.id):
            if self.path_of(review.id).exists() and not replace:
                raise StoreError(f"a review with id {review.id!r} exists already; try again")
            self._write(review, check_existing=replace)
        self._index(review, questionnaire)
        return review

    def fresh_id(self, prefix: str) -> str:
        """A new review id no file has yet."""
        new_id = self.new_id(prefix)
        while self.path_of(new_id).exists():
            new_id = self.new_id(prefix)
        return new_id

    def imported_as(self, review: Review, *, replace: bool = False) -> Review:
        """An imported review under its own id, or a new one when that id is taken and
        not `replace` (the digest and the signatures name the stable id, `origin`, so
        sign-offs stay valid)."""
        if not self.path_of(review.id).exists() or replace:
            return review
        new_id = self.fresh_id(review.questionnaire)
        return review.model_copy(update={"id": new_id, "origin": review.origin or review.id})

    def update(
        self, review_id: str, changes: list[Change], *, coalesce: bool = False
    ) -> tuple[Review, list[HistoryEntry]]:
        """Apply changes under the lock to the freshly re-read review; one atomic write.

        The index is not touched: the review's row goes stale (its file's size and
        mtime no longer match) and the next listing re-reads that one review and
        rewrites the index once. Rewriting a 1,000-row index on every save made a save
        cost four times as much in a big workspace as in a small one."""
        with self._locked(review_id):
            review = self._read(review_id)
            entries = self._apply(review, changes, coalesce)
            if entries:
                self._write(review)
        return review, entries

    def _apply(self, review: Review, changes: list[Change], coalesce: bool) -> list[HistoryEntry]:
        from gatebook.store.history import apply_change

        now, user = self.clock(), self.user()
        entries = [
            e
            for c in changes
            if (e := apply_change(review, c, now, user, coalesce=coalesce)) is not None
        ]
        if entries:
            review.updated = now
        if entries and review.conflicts:
            from gatebook.store.conflict_fields import drop_decided

            drop_decided(review, entries)
        return entries

    # ---- inside a change across files (store/journal.py): the caller holds the locks ----

    def stage_update(
        self, change: FileChange, review_id: str, changes: list[Change], *, coalesce: bool = False
    ) -> tuple[Review, list[HistoryEntry]]:
        """`update`, staged in `change` instead of written (nothing staged when nothing
        changed)."""
        review = self._read(review_id)
        entries = self._apply(review, changes, coalesce)
        if entries:
            change.stage(self.path_of(review_id), self.file_bytes(review))
        return review, entries

    def stage_undo(
        self,
        change: FileChange,
        review_id: str,
        *,
        shared_from: str | None = None,
        key: str | None = None,
    ) -> tuple[Review, HistoryEntry | None]:
        """`undo`, staged in `change` instead of written."""
        review = self._read(review_id)
        reverted = self._revert(review, shared_from, key)
        if reverted is not None:
            change.stage(self.path_of(review_id), self.file_bytes(review))
        return review, reverted

    def stage_import(self, change: FileChange, review: Review, *, replace: bool) -> None:
        """A whole review (an import) staged under its id: a new file, or with `replace`
        over a file that must be a readable review of that id (never over one not ours)."""
        path = self.path_of(review.id)
        if path.exists():
            if not replace:
                raise StoreError(f"a review with id {review.id!r} exists already; try again")
            self._read(review.id)
        change.stage(path, self.file_bytes(review))

    @staticmethod
    def file_bytes(review: Review) -> bytes:
        """A review file as `_write` lays it out (TinyDB's table, canonical JSON)."""
        from gatebook.store.files import REVIEW_TABLE
        from gatebook.store.storage import canonical_file_bytes

        return canonical_file_bytes({REVIEW_TABLE: {"1": review.model_dump(mode="json")}})

    def settle_conflict(self, review_id: str, field: str, changes: list[Change]) -> Review:
        """Write the settled value and drop the conflict, in one write. A settle is one
        history entry, also when the value kept is the one already there (ours): who
        settled what, and when, is on record."""
        with self._locked(review_id):
            review = self._read(review_id)
            if all(c.field != field for c in review.conflicts):
                raise StoreError(f"{field}: no such conflict in {review_id}")
            self._settle(review, field, changes)
            self._write(review)
        self._index(review)
        return review

    def stage_settle(
        self, change: FileChange, review_id: str, field: str, changes: list[Change]
    ) -> None:
        """`settle_conflict`, staged in `change`, for a member a shared fact reaches: its
        conflict on `field`, if it has one, is settled by the same value (nothing staged
        when the value is there already and no conflict is open)."""
        review = self._read(review_id)
        if any(c.field == field for c in review.conflicts):
            self._settle(review, field, changes)
        elif not self._apply(review, changes, False):
            return
        change.stage(self.path_of(review_id), self.file_bytes(review))

    def _settle(self, review: Review, field: str, changes: list[Change]) -> None:
        from gatebook.store.conflict_fields import settle_field

        settle_field(review, field, changes, self.clock(), self.user())

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
        self._remember(review_id, "position", question_id)

    def set_guided(self, review_id: str, guided: bool) -> None:
        """Remember guided mode for this review (a preference: no history, no digest)."""
        self._remember(review_id, "guided", guided)

    def _remember(self, review_id: str, field: str, value: Any) -> None:
        with self._locked(review_id):
            review = self._read(review_id)
            if getattr(review, field) != value:
                setattr(review, field, value)
                self._write(review)

    def undo(
        self, review_id: str, *, shared_from: str | None = None, key: str | None = None
    ) -> HistoryEntry | None:
        """Revert the last change not yet undone; the revert is itself in the history.

        A shared answer received from another member review is passed over (undo in the
        review where it was made sets it back here: `shared_from` and `key` pick that
        entry)."""
        with self._locked(review_id):
            review = self._read(review_id)
            reverted = self._revert(review, shared_from, key)
            if reverted is None:
                return None
            self._write(review)
        self._index(review)
        return reverted

    def _revert(
        self, review: Review, shared_from: str | None, key: str | None
    ) -> HistoryEntry | None:
        from gatebook.store.history import undo_value
        from gatebook.store.model import HistoryEntry

        for index in range(len(review.history) - 1, -1, -1):
            entry = review.history[index]
            if entry.undone or entry.undo_of is not None or entry.kind == "signoff":
                continue
            if entry.shared_from != shared_from or (key is not None and entry.key != key):
                continue
            now = self.clock()
            undo_value(review, index)
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
            return reverted
        return None

    # ---- trash -----------------------------------------------------------------------

    def delete(self, review_id: str) -> Path:
        """Move a review to the trash; every deleted copy is kept (restore brings the newest)."""
        with self._locked(review_id):
            source = self.path_of(review_id)
            if not source.exists():
                raise ReviewNotFound(f"no review {review_id!r} in {self.home}")
            folder = self.trash_dir / review_id
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
            target = folder / f"{stamp}-{secrets.token_hex(2)}.json"
            try:
                folder.mkdir(exist_ok=True, mode=DIR_MODE)
                os.replace(source, target)
            except OSError as error:
                raise NotSaved(f"delete {review_id}", error) from None
        self._unindex(review_id)
        return target

    def trash_entries(self) -> list[TrashEntry]:
        """Every trashed copy, newest first within an id (older layouts included)."""
        from gatebook.store.files import trash_entries

        return trash_entries(self.trash_dir)

    def trash(self) -> list[str]:
        return sorted({entry.id for entry in self.trash_entries()})

    def restore(self, review_id: str) -> Review:
        """Bring back the newest trashed copy; older copies stay in the trash."""
        with self._locked(review_id):
            target = self.path_of(review_id)
            copies = [e for e in self.trash_entries() if e.id == review_id]
            if not copies:
                raise ReviewNotFound(f"no review {review_id!r} in the trash ({self.trash_dir})")
            if target.exists():
                raise StoreError(f"a review {review_id!r} exists already; not overwriting it")
            from gatebook.store.files import read_review_file

            read_review_file(copies[0].path, review_id)  # never restore a damaged copy
            try:
                os.replace(copies[0].path, target)
            except OSError as error:
                raise NotSaved(f"restore {review_id}", error) from None
        review = self._read(review_id)
        self._index(review)
        return review

    # ---- the index: a cache; a failure to update it never fails a save ----------------

    def summarize(self, review: Review, questionnaire: Questionnaire | None = None) -> Summary:
        return summarize(review, questionnaire, self.resolve)

    def _index(self, review: Review, questionnaire: Questionnaire | None = None) -> None:
        try:
            summary = self.summarize(review, questionnaire)
        except Exception:
            return
        self.index.put(summary, self.path_of(review.id))

    def _unindex(self, review_id: str) -> None:
        self.index.remove(review_id)

    def _read_summary(self, review_id: str) -> Summary:
        try:
            return self.summarize(self._read(review_id))
        except UnreadableReview as error:
            return unreadable_summary(review_id, error.reason)
        except Exception as error:
            return unreadable_summary(review_id, f"{type(error).__name__}: {error}")

    def rebuild_index(self) -> list[Summary]:
        return self.index.rebuild(self._read_summary)

    def summaries(self) -> list[Summary]:
        """Every review's summary, from the index where its row is current: rows whose
        file changed behind the index's back (size or mtime) are re-read from the file."""
        return self.index.current(self._read_summary)
