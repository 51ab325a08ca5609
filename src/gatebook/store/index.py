"""The index: one small TinyDB file of review summaries, a cache and nothing more.

It lets the home screen and `gatebook list` show 1,000 reviews without loading or
evaluating any of them. Being a cache, it is never trusted: each row carries the
size and mtime of the review file it was made from and is re-read from that file
when they differ; rows that do not validate are re-read; a missing or damaged
index is rebuilt. Failing to update it (lock held, disk full, read-only folder)
never fails a save: the next read notices the stale row and re-reads the file.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tinydb import Query, TinyDB

from gatebook.questionnaire.ids import is_document_id
from gatebook.store.storage import AtomicJSONStorage, UnreadableFile
from gatebook.store.summary import Summary, summary_from_row

if TYPE_CHECKING:  # a current index is read without the review models and the engine
    from filelock import BaseFileLock

    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.model import Review

INDEX_TABLE = "reviews"
STAT_KEY = "file_stat"
INDEX_LOCK_TIMEOUT_S = 2.0
INDEX_LOCK = ".index"
"""Review ids never start with `.`, so the index's lock never shares a review's name."""

LockFactory = Callable[[str, float], "BaseFileLock"]
SummaryReader = Callable[[str], Summary]


def summarize(
    review: Review,
    questionnaire: Questionnaire | None,
    resolve: Callable[[Review], Questionnaire],
) -> Summary:
    from gatebook.questionnaire.source import SourceError
    from gatebook.store.canonical import review_status

    who: dict[str, Any] = {
        "id": review.id,
        "title": review.title,
        "questionnaire": review.questionnaire,
        "version": review.version,
        "subject": review.subject,
        "updated": review.updated,
        "conflicts": len(review.conflicts),
    }
    try:
        questionnaire = questionnaire or resolve(review)
    except SourceError as error:  # a missing questionnaire must not block saves
        return Summary(**who, unreadable=f"questionnaire unavailable: {error}")
    from gatebook.store.evaluation import evaluate_review  # only for a stale row

    result = evaluate_review(questionnaire, review)
    counts = result.flag_counts()
    return Summary(
        **who,
        high=counts["high"],
        medium=counts["medium"],
        low=counts["low"],
        progress=float(result.progress),
        overall=None if result.overall is None else float(result.overall),
        target=None if result.target is None else float(result.target),
        status=review_status(review, questionnaire),
    )


def unreadable_summary(review_id: str, reason: str) -> Summary:
    return Summary(
        id=review_id, title="(unreadable)", questionnaire="?", version="?", unreadable=reason
    )


def file_stat(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


class ReviewIndex:
    def __init__(self, path: Path, reviews_dir: Path, lock: LockFactory) -> None:
        self.path = path
        self.reviews_dir = reviews_dir
        self._lock = lock

    def _db(self) -> TinyDB:
        return TinyDB(self.path, storage=lambda p: AtomicJSONStorage(p, durable=False))

    def _rows(self) -> dict[str, dict[str, Any]]:
        """The stored rows by id; anything malformed reads as no row at all."""
        try:
            rows = self._db().table(INDEX_TABLE).all()
        except (UnreadableFile, OSError, ValueError, TypeError, AttributeError, KeyError):
            return {}
        found: dict[str, dict[str, Any]] = {}
        for row in rows:
            ident = row.get("id")
            if isinstance(ident, str) and is_document_id(ident):
                found[ident] = dict(row)
        return found

    def _files(self) -> dict[str, Path]:
        try:
            paths = list(self.reviews_dir.glob("*.json"))
        except OSError:
            return {}
        return {p.stem: p for p in paths if is_document_id(p.stem) and not p.name.startswith(".")}

    @staticmethod
    def _row(summary: Summary, stat: list[int] | None) -> dict[str, Any]:
        return {**summary.to_row(), STAT_KEY: stat}

    def _best_effort(self, write: Callable[[], object]) -> None:
        """Run `write` under the index's lock; a held lock or a write error is ignored
        (the index is a cache: the next read notices a stale row)."""
        from filelock import Timeout

        with (
            contextlib.suppress(Timeout, OSError, UnreadableFile, ValueError, TypeError),
            self._lock(INDEX_LOCK, INDEX_LOCK_TIMEOUT_S),
        ):
            write()

    def _write_rows(self, rows: list[dict[str, Any]]) -> None:
        """Replace the whole index."""

        def write() -> None:
            self.path.unlink(missing_ok=True)
            self._db().table(INDEX_TABLE).insert_multiple(rows)

        self._best_effort(write)

    def put(self, summary: Summary, review_path: Path) -> None:
        """One row replaced in place (a damaged index is rebuilt by the next read)."""
        row = self._row(summary, file_stat(review_path))
        query = Query().id == summary.id
        self._best_effort(lambda: self._db().table(INDEX_TABLE).upsert(row, query))

    def remove(self, review_id: str) -> None:
        self._best_effort(lambda: self._db().table(INDEX_TABLE).remove(Query().id == review_id))

    def rebuild(self, read: SummaryReader) -> list[Summary]:
        files = self._files()
        summaries = [read(ident) for ident in sorted(files)]
        self._write_rows([self._row(s, file_stat(files[s.id])) for s in summaries if s.id in files])
        return summaries

    def current(self, read: SummaryReader) -> list[Summary]:
        """Summaries of the files that exist now; stale or invalid rows re-read."""
        rows = self._rows()
        files = self._files()
        summaries: list[Summary] = []
        stats: list[list[int] | None] = []
        changed = set(rows) - set(files)
        for ident, path in files.items():
            stat = file_stat(path)
            row = rows.get(ident)
            summary: Summary | None = None
            if row is not None and row.get(STAT_KEY) == stat and stat is not None:
                summary = summary_from_row(row)
                if summary is not None and summary.id != ident:
                    summary = None
            if summary is None:
                changed.add(ident)
                summary = read(ident)
            summaries.append(summary)
            stats.append(stat)
        if changed:  # rows are rebuilt only when one is stale: a current index is just read
            self._write_rows([self._row(s, st) for s, st in zip(summaries, stats, strict=True)])
        return sorted(summaries, key=lambda s: s.updated, reverse=True)
