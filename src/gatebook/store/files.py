"""The review files: one TinyDB file per review, read and checked, and the trash layout.

`read_review_file` never crashes on a hand-edited or hostile file: it raises
`UnreadableReview` with the reason, and refuses a file whose inner id is not its
file name (a copy or a rename is never written through).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NotRequired, Required

from pydantic import BaseModel, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from gatebook.store.errors import UnreadableReview
from gatebook.store.model import SCHEMA_VERSION, HistoryEntry, Review
from gatebook.store.storage import AtomicJSONStorage, UnreadableFile

REVIEW_TABLE = "review"


@dataclass(frozen=True)
class TrashEntry:
    """One deleted copy of a review; a review deleted twice has two."""

    id: str
    deleted: str
    path: Path


def file_time(path: Path) -> str:
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return ""
    moment = dt.datetime.fromtimestamp(stamp, dt.UTC).replace(microsecond=0)
    return moment.isoformat().replace("+00:00", "Z")


def stamp_time(stem: str) -> str | None:
    try:
        moment = dt.datetime.strptime(stem.split("-")[0], "%Y%m%dT%H%M%S%fZ")
    except ValueError:
        return None
    return moment.replace(microsecond=0).isoformat() + "Z"


def read_review_file(path: Path, review_id: str) -> Review:
    """Read and check one review file; UnreadableReview with the reason, never a crash."""
    return _read_checked(path, review_id, keep_history=True)[0]


def read_review_document(path: Path, review_id: str) -> tuple[Review, dict[str, Any]]:
    """The review, checked as `read_review_file` checks it, and its document as stored
    (what the merge driver merges: it never rewrites a stored value). The review comes
    back without its history: the stored entries are what is merged, so they are
    checked by the entry model's fields as plain data (`_history_checker`), never
    built into models (a third of the time of reading 60,000 entries)."""
    return _read_checked(path, review_id, keep_history=False)


def _read_checked(
    path: Path, review_id: str, *, keep_history: bool
) -> tuple[Review, dict[str, Any]]:
    try:
        documents = _review_documents(path)
    except UnreadableFile as error:
        raise UnreadableReview(review_id, path, error.reason) from None
    except (ValueError, TypeError, AttributeError, KeyError) as error:
        raise UnreadableReview(review_id, path, f"malformed ({error})") from None
    if len(documents) != 1:
        raise UnreadableReview(review_id, path, "no review document inside")
    data = dict(documents[0])
    version = data.get("schema_version")
    if isinstance(version, int) and version > SCHEMA_VERSION:
        raise UnreadableReview(
            review_id, path, f"written by a newer gatebook (schema {version}); upgrade gatebook"
        )
    try:
        review = Review.model_validate(data if keep_history else _without_checked_history(data))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UnreadableReview(review_id, path, f"{where}: {first['msg']}") from None
    if review.id != review_id:
        raise UnreadableReview(
            review_id,
            path,
            f"its inner id {review.id!r} differs from its file name (a copy or a rename?); "
            f"gatebook never writes through it",
        )
    return review, data


def _review_documents(path: Path) -> list[dict[str, Any]]:
    """The review table's documents, as `TinyDB(path).table(REVIEW_TABLE).all()` gives
    them (the same storage, the ids read as TinyDB reads them), without building a
    database, a table and a query cache per file: a portfolio reads a thousand."""
    tables = AtomicJSONStorage(path).read()
    table: dict[str, Any] = tables.get(REVIEW_TABLE, {}) if tables is not None else {}
    documents = []
    for doc_id, document in table.items():
        int(doc_id)  # ValueError for an id TinyDB cannot read, as it raises
        documents.append(document)
    return documents


def _without_checked_history(data: dict[str, Any]) -> dict[str, Any]:
    """`data` without its history when every entry passes the entry model's checks;
    else as it is, so the model itself names the first problem."""
    history = data.get("history")
    checker = _history_checker()
    if type(history) is not list or checker is None:
        return data
    try:
        checker.validate_python(history)
    except ValidationError:
        return data
    return {**data, "history": []}


@functools.cache
def _history_checker() -> TypeAdapter[Any] | None:
    """History entries checked by `HistoryEntry`'s own fields and config, as dicts;
    None once the model checks more than its fields (a validator of its own): then
    the model itself checks them."""
    decorators = HistoryEntry.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.model_validators:
        return None
    entry: Any = fields_as_typed_dict(HistoryEntry)
    return TypeAdapter(list[entry])


def fields_as_typed_dict(model: type[BaseModel]) -> Any:
    """A TypedDict with `model`'s fields, constraints and config: it accepts exactly
    the data the model accepts, without building an instance per item."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        kind: Any = (
            Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
        )
        fields[name] = Required[kind] if info.is_required() else NotRequired[kind]
    factory: Any = TypedDict  # the functional form, with names known only here
    checked = factory(f"{model.__name__}Data", fields)
    checked.__pydantic_config__ = model.model_config
    return checked


def trash_entries(trash_dir: Path) -> list[TrashEntry]:
    """Every trashed copy, newest first within an id (older layouts included)."""
    entries: list[TrashEntry] = []
    if not trash_dir.is_dir():
        return entries
    for path in sorted(trash_dir.iterdir()):
        if path.is_dir() and not path.is_symlink():
            for copy in sorted(path.glob("*.json"), reverse=True):
                deleted = stamp_time(copy.stem) or file_time(copy)
                entries.append(TrashEntry(path.name, deleted, copy))
        elif path.suffix == ".json" and path.is_file():
            entries.append(TrashEntry(path.stem, file_time(path), path))
    entries.sort(key=lambda e: (e.id, e.deleted), reverse=True)
    entries.sort(key=lambda e: e.id)
    return entries
