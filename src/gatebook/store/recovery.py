"""Recovery files: answers that could not be saved when the app had to stop.

When the last save on exit fails (quit, SIGTERM, SIGHUP with a full disk or a
read-only folder), the unsaved changes go to `recovery/REVIEW_ID.json` in the
workspace (or, when even that cannot be written, to the system's temp folder);
opening the review offers to apply them. Nothing typed is lost silently.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatebook.questionnaire.ids import is_document_id
from gatebook.store.clock import utc_now
from gatebook.store.history import Change
from gatebook.store.model import ChangeKind
from gatebook.store.storage import DIR_MODE, TooLarge, atomic_write_bytes, read_bounded

RECOVERY_DIR = "recovery"
KINDS = frozenset(ChangeKind) - {ChangeKind.SIGNOFF, ChangeKind.VERSION}
"""What a recovery may hold: every change the app makes (sign-offs are never pending)."""
MAX_RECOVERY_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class Recovery:
    review_id: str
    time: str
    changes: list[Change]
    path: Path

    def question(self) -> str:
        """What opening the review asks: how many changes, of which fields, restore?"""
        count = len(self.changes)
        keys = sorted({c.key for c in self.changes})
        shown = ", ".join(keys[:6]) + (" ..." if len(keys) > 6 else "")
        said = f"{count} change{'' if count == 1 else 's'} {'was' if count == 1 else 'were'}"
        them = "it" if count == 1 else "them"
        return f"{said} not saved when gatebook stopped ({self.time}): {shown}. Restore {them}?"


def recovery_path(home: Path, review_id: str) -> Path:
    return home / RECOVERY_DIR / f"{review_id}.json"


def _fallback_path(review_id: str) -> Path:
    return Path(tempfile.gettempdir()) / f"gatebook-recovery-{os.getuid()}-{review_id}.json"


def write_recovery(home: Path, review_id: str, changes: list[Change]) -> Path | None:
    """Keep `changes` (added to any earlier recovery of the review); the path written,
    or None when neither the workspace nor the temp folder could take it."""
    if not changes or not is_document_id(review_id):
        return None
    earlier = read_recovery(home, review_id)
    kept = (earlier.changes if earlier else []) + list(changes)
    data = {
        "review": review_id,
        "time": utc_now(),
        "changes": [{"kind": c.kind, "key": c.key, "new": c.new} for c in kept],
    }
    encoded = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    for path in (recovery_path(home, review_id), _fallback_path(review_id)):
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            atomic_write_bytes(path, encoded)
        except OSError:
            continue
        return path
    return None


def _parse(path: Path, review_id: str) -> Recovery | None:
    try:
        data = json.loads(read_bounded(path, MAX_RECOVERY_BYTES))
    except (OSError, ValueError, RecursionError, TooLarge):
        return None
    if not isinstance(data, dict) or data.get("review") != review_id:
        return None
    changes: list[Change] = []
    for item in data.get("changes") or []:
        if (
            isinstance(item, dict)
            and item.get("kind") in KINDS
            and isinstance(item.get("key"), str)
        ):
            changes.append(Change(ChangeKind(item["kind"]), item["key"], item.get("new")))
    if not changes:
        return None
    return Recovery(review_id, str(data.get("time", "")), changes, path)


def read_recovery(home: Path, review_id: str) -> Recovery | None:
    """The pending recovery of a review, from the workspace or the temp folder."""
    if not is_document_id(review_id):
        return None
    for path in (recovery_path(home, review_id), _fallback_path(review_id)):
        found = _parse(path, review_id)
        if found is not None:
            return found
    return None


def discard_recovery(recovery: Recovery, *, keep_copy: bool = False) -> None:
    """Remove a recovery once applied; with `keep_copy`, set it aside instead."""
    with contextlib.suppress(OSError):
        if keep_copy:
            os.replace(recovery.path, recovery.path.with_suffix(f".{utc_now()}.declined"))
        else:
            recovery.path.unlink()


def recovery_summary(recovery: Recovery) -> dict[str, Any]:
    return {
        "review": recovery.review_id,
        "time": recovery.time,
        "changes": len(recovery.changes),
        "keys": sorted({c.key for c in recovery.changes}),
    }
