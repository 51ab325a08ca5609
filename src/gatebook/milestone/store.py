"""MilestoneStore: `milestones/REVIEW/NAME.json`, each written once, read-only after.

Kept apart from the review's file, so a review with a hundred milestones opens as
fast as one with none. A file that does not parse, or whose content no longer matches
its own digest, is damaged: a command that needs it names it and exits 1.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebook.engine.flags import count_severities
from gatebook.milestone.model import milestone_problem
from gatebook.milestone.point import digest_of_frozen, frozen_data
from gatebook.questionnaire.ids import InvalidId, check_document_id, did_you_mean
from gatebook.store.errors import InvalidInput, NotSaved, ReviewNotFound, StoreError
from gatebook.store.storage import TooLarge, nesting_problem, read_bounded

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.journal import FileChange
    from gatebook.store.model import Review
    from gatebook.store.reviews import ReviewStore

MILESTONE_FORMAT = 1
RESERVED = frozenset({"now"})
MAX_MILESTONE_BYTES = 64 * 1024 * 1024
UPGRADE_PREFIX = "before-upgrade-"


class MilestoneProblem(InvalidInput):
    """A bad milestone name or a name taken (exit 2, nothing written)."""


class MilestoneNotFound(ReviewNotFound):
    """No milestone of that name (exit 1, with the closest name)."""


class MilestoneDamaged(StoreError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"milestone {path} is damaged ({reason}); it is left untouched")
        self.path = path
        self.reason = reason


def check_name(name: str) -> str:
    try:
        check_document_id(name, "milestone")
    except InvalidId as error:
        raise MilestoneProblem(
            str(error).replace("e.g. oqr-1a2b3c", "e.g. kickoff-day-120")
        ) from None
    if name in RESERVED:
        raise MilestoneProblem(f"{name!r} is reserved (it means the review as it is now)")
    return name


class MilestoneStore:
    def __init__(self, reviews: ReviewStore) -> None:
        self.reviews = reviews
        self.folder = reviews.home / "milestones"

    def folder_of(self, review_id: str) -> Path:
        """The review's milestone folder; MilestoneDamaged when it is a symbolic link
        (gatebook never makes one: a branch that commits one pointing out of the work
        tree gets nothing read or written through it)."""
        self.reviews.path_of(review_id)  # a bad review id is refused first
        folder = self.folder / review_id
        if folder.is_symlink():
            raise MilestoneDamaged(
                folder,
                f"it is a symbolic link to {os.readlink(folder)}; gatebook reads and writes "
                "no milestone through a link: remove it (git rm it) and take the milestone again",
            )
        return folder

    def path_of(self, review_id: str, name: str) -> Path:
        return self.folder_of(review_id) / f"{check_name(name)}.json"

    def names(self, review_id: str) -> list[str]:
        try:
            return sorted(p.stem for p in self.folder_of(review_id).glob("*.json"))
        except OSError:
            return []

    @contextmanager
    def _locked(self, review_id: str) -> Iterator[None]:
        from filelock import FileLock, Timeout

        from gatebook.store.journal import lock_path, settle
        from gatebook.store.links import refuse_committed_links

        refuse_committed_links(self.reviews.home)
        try:
            self.reviews.locks_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            self.folder_of(review_id).mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise NotSaved(f"milestones of {review_id}", error) from None
        settle(self.reviews.home)  # an interrupted change across files first
        lock = FileLock(
            str(lock_path(self.reviews.home, f"milestones/{review_id}/x.json")), timeout=10
        )
        try:
            with lock:
                yield
        except Timeout:
            raise StoreError(f"milestones of {review_id} are locked; try again") from None

    # ---- reading ----------------------------------------------------------------------

    def read(self, review_id: str, name: str) -> dict[str, Any]:
        path = self.path_of(review_id, name)
        if not path.exists():
            known = self.names(review_id)
            hint = did_you_mean(name, known) or (
                "" if known else f" It has none yet: gatebook milestone {review_id} NAME"
            )
            raise MilestoneNotFound(f"no milestone {name!r} of review {review_id}.{hint}")
        return read_milestone_file(path, review_id, name)

    def listed(self, review_id: str) -> tuple[list[dict[str, Any]], list[str]]:
        """Every milestone, oldest first, and the damaged ones' messages."""
        found: list[dict[str, Any]] = []
        damaged: list[str] = []
        try:
            self.folder_of(review_id)
        except MilestoneDamaged as error:
            return found, [str(error)]
        for name in self.names(review_id):
            try:
                found.append(self.read(review_id, name))
            except (MilestoneDamaged, MilestoneProblem) as error:
                damaged.append(str(error))
        found.sort(key=lambda m: (m["time"], m["sequence"], m["name"]))
        return found, damaged

    def latest(self, review_id: str) -> dict[str, Any] | None:
        """The milestone taken last (damaged ones are passed over), or None."""
        found, _ = self.listed(review_id)
        return found[-1] if found else None

    # ---- writing ----------------------------------------------------------------------

    def take(
        self, review: Review, questionnaire: Questionnaire, name: str, note: str = ""
    ) -> dict[str, Any]:
        """Freeze the review now under `name` (MilestoneProblem when it is taken)."""
        from gatebook.store.storage import atomic_write_bytes

        path = self.path_of(review.id, name)
        with self._locked(review.id):
            if path.exists():
                raise MilestoneProblem(
                    f"review {review.id} has a milestone {name!r} already; milestones never "
                    "change: pick another name"
                )
            data = self.frozen(review, questionnaire, name, note)
            try:
                atomic_write_bytes(path, milestone_bytes(data))
                os.chmod(path, 0o444)
            except OSError as error:
                raise NotSaved(f"milestone {name}", error) from None
        return data

    def stage_take(
        self, change: FileChange, review: Review, questionnaire: Questionnaire, name: str
    ) -> None:
        """`take`, staged in `change` (read-only once made, as `take` leaves it)."""
        path = self.path_of(review.id, name)
        if path.exists():
            raise MilestoneProblem(
                f"review {review.id} has a milestone {name!r} already; nothing was written"
            )
        data = self.frozen(review, questionnaire, name, "")
        change.stage(path, milestone_bytes(data), mode=0o444)

    def frozen(
        self, review: Review, questionnaire: Questionnaire, name: str, note: str
    ) -> dict[str, Any]:
        data = {
            "gatebook_milestone": MILESTONE_FORMAT,
            "review": review.id,
            "name": name,
            "sequence": len(self.names(review.id)) + 1,
            "time": self.reviews.clock(),
            "author": self.reviews.user(),
            "note": note,
            **frozen_data(review, questionnaire),
        }
        data["digest"] = digest_of_frozen(data)
        return data


def read_milestone_file(path: Path, review_id: str, name: str) -> dict[str, Any]:
    """Read and check one milestone file (the store and the merge driver alike): its
    size, JSON, depth, format, own digest, names and shape; MilestoneDamaged if not."""
    try:
        raw = read_bounded(path, MAX_MILESTONE_BYTES)
    except (OSError, TooLarge) as error:
        raise MilestoneDamaged(path, str(error)) from None
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        raise MilestoneDamaged(path, f"not valid JSON: {error}") from None
    deep = nesting_problem(raw, data)
    if deep is not None:
        raise MilestoneDamaged(path, deep)
    if not isinstance(data, dict) or data.get("gatebook_milestone") != MILESTONE_FORMAT:
        raise MilestoneDamaged(path, "not a milestone file of gatebook's")
    if data.get("digest") != digest_of_frozen(data):
        raise MilestoneDamaged(path, "its content no longer matches its digest")
    if data.get("review") != review_id or data.get("name") != name:
        raise MilestoneDamaged(path, "it names another review or milestone")
    problem = milestone_problem(data)
    if problem is not None:
        raise MilestoneDamaged(path, f"its content is not shaped as a milestone's: {problem}")
    return data


def milestone_bytes(data: dict[str, Any]) -> bytes:
    from gatebook.store.storage import canonical_file_bytes

    return canonical_file_bytes(data)


def summary(data: dict[str, Any]) -> dict[str, Any]:
    """A milestone as `milestones` lists it."""
    counts = count_severities(f.get("severity") for f in data["evaluation"]["flags"])
    return {
        "name": data["name"],
        "time": data["time"],
        "author": data["author"],
        "note": data["note"],
        "digest": data["digest"],
        "overall": data["evaluation"]["overall"],
        "high": counts.high,
        "medium": counts.medium,
    }
