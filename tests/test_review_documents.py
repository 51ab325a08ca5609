"""The review file's documents are read as TinyDB reads them, without TinyDB's
database and table objects (a portfolio reads a thousand files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from tinydb import TinyDB

from gatebook.store.files import REVIEW_TABLE, _review_documents
from gatebook.store.storage import AtomicJSONStorage, UnreadableFile


def _tinydb(path: Path) -> Any:
    try:
        return [dict(d) for d in TinyDB(path, storage=AtomicJSONStorage).table(REVIEW_TABLE).all()]
    except (UnreadableFile, ValueError) as error:
        return type(error), str(error)


def _ours(path: Path) -> Any:
    try:
        return _review_documents(path)
    except (UnreadableFile, ValueError) as error:
        return type(error), str(error)


@pytest.mark.parametrize(
    "content",
    [
        {REVIEW_TABLE: {"1": {"id": "a", "answers": {"x": 1}}}},
        {REVIEW_TABLE: {"1": {"id": "a"}, "2": {"id": "b"}}},
        {REVIEW_TABLE: {}},
        {"other": {"1": {"id": "a"}}},
        {},
        {REVIEW_TABLE: {"\u00b2": {"id": "a"}}},
        {REVIEW_TABLE: {"x": {"id": "a"}}},
        {REVIEW_TABLE: []},
        [],
        None,
    ],
)
def test_the_documents_are_what_tinydb_reads(tmp_path: Path, content: Any) -> None:
    path = tmp_path / "review.json"
    if content is not None:
        path.write_text(json.dumps(content))
    assert _ours(path) == _tinydb(path)
