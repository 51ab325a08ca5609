"""Changes across several workspace files: every file changes, or none.

One atomic rename makes one file's change all or nothing; a shared answer (the
review where it was typed, every member it reaches, the engagement's copy), a
milestone of a whole engagement or the import of a combined plan changes several
files, and a crash between two renames would leave half a change. SQLite's rollback
journal is the model, in spirit:

1. take `locks/journal.lock`, then every target's own lock, in path order (two
   changes never wait for each other in a circle);
2. write each target's new copy beside it (`.NAME.PID.RANDOM.new.gbjournal`) and keep
   its current file as a backup (`....old.gbjournal`, a hard link), both names the
   temp-file sweeper leaves alone;
3. write `journal.json` naming them, then rename every new copy over its target;
4. delete `journal.json`: that is the commit; then the backups.

A process that finds `journal.json` (the writer died between 3 and 4) completes the
change when every new copy is still there and whole (no target was replaced yet),
else restores every backup. Every writer settles a journal before it takes its own
lock, so no write lands between a crash and its recovery. A journal is a file like
any other, so it may be hostile: it is followed only when every path in it is a
review, engagement or milestone file of this workspace and every name beside it is
one this module makes; otherwise it is refused and nothing is touched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebook.questionnaire.ids import InvalidId, check_document_id
from gatebook.store.errors import NotSaved, StoreError
from gatebook.store.storage import (
    DIR_MODE,
    FILE_MODE,
    atomic_write_bytes,
    fsync_dir,
    os_error_reason,
)

if TYPE_CHECKING:
    from filelock import FileLock

JOURNAL_FILE = "journal.json"
JOURNAL_FORMAT = 1
JOURNAL_SUFFIX = ".gbjournal"
LOCK_TIMEOUT_S = 10.0
MAX_JOURNAL_BYTES = 4 * 1024 * 1024
_SIDE_NAME = re.compile(
    r"^\.(?P<target>.+)\.(?P<pid>\d+)\.[0-9a-f]{8}\.(?P<side>new|old)\.gbjournal$"
)
_SHA = re.compile(r"^[0-9a-f]{64}$")


class JournalRefused(StoreError):
    """A `journal.json` that is not one of ours: never followed, nothing touched."""

    def __init__(self, home: Path, reason: str) -> None:
        super().__init__(
            f"{home / JOURNAL_FILE} cannot be followed ({reason}); nothing was changed. "
            f"Check the files it names, then move {JOURNAL_FILE} out of the workspace"
        )
        self.reason = reason


class NotChanged(NotSaved):
    """A change across files failed at one file; every file is as it was."""

    def __init__(self, what: str, error: OSError) -> None:
        super().__init__(what, error)
        self.args = (f"not saved: {self.reason} ({what}); nothing was changed",)

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Settled:
    """What a command or the app's start did with a journal it found."""

    completed: bool
    paths: list[str]

    @property
    def message(self) -> str:
        done = "completed" if self.completed else "rolled back"
        after = "" if self.completed else " (every file is as it was before it)"
        return f"{JOURNAL_FILE}: {done} an interrupted change to {', '.join(self.paths)}{after}"


# ---- which files a journal may name, and their locks -------------------------------------


def relative_target(home: Path, path: Path) -> str:
    """`reviews/ID.json`, `engagements/ID.json` or `milestones/REVIEW/NAME.json`; ValueError
    for anything else (a journal names nothing else)."""
    parts = path.relative_to(home).parts
    if (len(parts) == 2 and parts[0] in ("reviews", "engagements")) or (
        len(parts) == 3 and parts[0] == "milestones"
    ):
        if not parts[-1].endswith(".json"):
            raise ValueError(f"{path} is not a JSON file")
        try:
            for name in (*parts[1:-1], parts[-1].removesuffix(".json")):
                check_document_id(name)
        except InvalidId as error:
            raise ValueError(str(error)) from None
        return "/".join(parts)
    raise ValueError(f"{path} is not a review, engagement or milestone file")


def lock_path(home: Path, relative: str) -> Path:
    """The lock each store takes for that file (ReviewStore, EngagementStore,
    MilestoneStore): a change across files takes the same ones."""
    parts = relative.split("/")
    stem = parts[1].removesuffix(".json")
    name = {"reviews": stem, "engagements": f"engagement-{stem}"}.get(
        parts[0], f"milestones-{parts[1]}"
    )
    return home / "locks" / f"{name}.lock"


def _lock(path: Path) -> FileLock:
    from filelock import FileLock

    return FileLock(str(path), timeout=LOCK_TIMEOUT_S, mode=FILE_MODE)


def _hold(stack: ExitStack, lock: FileLock, what: str) -> None:
    from filelock import Timeout

    try:
        stack.enter_context(lock)
    except Timeout:
        raise StoreError(
            f"{what} is locked by another gatebook process for over {LOCK_TIMEOUT_S:g}s; try again"
        ) from None
    except OSError as error:
        raise NotSaved(f"lock {what}", error) from None


def _locks_dir(home: Path) -> Path:
    folder = home / "locks"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    except OSError as error:
        raise NotSaved(f"workspace {home}", error) from None
    return folder


# ---- the journal file --------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One target of a change: the new copy beside it, its backup (None: it is new)."""

    relative: str
    path: Path
    new: Path
    backup: Path | None
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.relative,
            "new": self.new.name,
            "backup": self.backup.name if self.backup else None,
            "sha256": self.sha256,
        }


def _side(path: Path, kind: str) -> Path:
    return path.with_name(
        f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.{kind}{JOURNAL_SUFFIX}"
    )


def _side_of(target: Path, name: Any, kind: str, where: str) -> Path:
    if not isinstance(name, str):
        raise ValueError(f"{where}: not a file name")
    found = _SIDE_NAME.match(name)
    if found is None or found["target"] != target.name or found["side"] != kind:
        raise ValueError(f"{where}: {name!r} is not a {kind} copy of {target.name}")
    return target.with_name(name)


def _entry(home: Path, item: Any, index: int) -> Entry:
    where = f"targets[{index}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where}: not an object")
    relative = item.get("path")
    if not isinstance(relative, str) or "\\" in relative or relative.startswith("/"):
        raise ValueError(f"{where}.path: {relative!r} is not a path inside the workspace")
    path = home.joinpath(*relative.split("/"))
    try:
        if relative_target(home, path) != relative:
            raise ValueError("not in its canonical form")
    except ValueError as error:
        raise ValueError(
            f"{where}.path: {relative!r} is not a review, engagement or milestone file of "
            f"this workspace ({error})"
        ) from None
    sha = item.get("sha256")
    if not isinstance(sha, str) or not _SHA.match(sha):
        raise ValueError(f"{where}.sha256: not a sha256 digest")
    backup = item.get("backup")
    return Entry(
        relative,
        path,
        _side_of(path, item.get("new"), "new", f"{where}.new"),
        None if backup is None else _side_of(path, backup, "old", f"{where}.backup"),
        sha,
    )


def read_journal(home: Path) -> list[Entry]:
    """The journal's targets, checked; JournalRefused for anything not of ours."""
    path = home / JOURNAL_FILE
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise JournalRefused(home, "not a regular file")
        if info.st_size > MAX_JOURNAL_BYTES:
            raise JournalRefused(home, f"larger than {MAX_JOURNAL_BYTES // 2**20} MB")
        fd = os.open(
            path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        )
        with os.fdopen(fd, "rb") as handle:
            data = json.loads(handle.read(MAX_JOURNAL_BYTES + 1))
    except OSError as error:
        raise JournalRefused(home, os_error_reason(error)) from None
    except (ValueError, RecursionError) as error:
        raise JournalRefused(home, f"not valid JSON ({error})") from None
    if not isinstance(data, dict) or data.get("gatebook_journal") != JOURNAL_FORMAT:
        raise JournalRefused(home, "not a journal of gatebook's")
    targets = data.get("targets")
    if not isinstance(targets, list) or not targets:
        raise JournalRefused(home, "targets: not a list of files")
    try:
        entries = [_entry(home, item, index) for index, item in enumerate(targets)]
    except ValueError as error:
        raise JournalRefused(home, str(error)) from None
    if len({e.relative for e in entries}) != len(entries):
        raise JournalRefused(home, "targets: a file is named twice")
    for entry in entries:
        for side in (entry.new, entry.backup):
            with contextlib.suppress(FileNotFoundError):
                if side is not None and not stat.S_ISREG(side.lstat().st_mode):
                    raise JournalRefused(home, f"{side} is not a regular file")
    for entry in entries:
        if _state(entry) is None:
            raise JournalRefused(
                home,
                f"{entry.relative} changed since the interrupted change began: it is "
                "neither as that change found it nor its new copy",
            )
    return entries


def pending(home: Path) -> list[str] | None:
    """The files an interrupted change names (read-only commands warn), or None."""
    entries = _read_if_there(home)
    return None if entries is None else [entry.relative for entry in entries]


def _read_if_there(home: Path) -> list[Entry] | None:
    """The journal's targets, or None when there is none (or it was just committed)."""
    if not os.path.lexists(home / JOURNAL_FILE):
        return None
    try:
        return read_journal(home)
    except JournalRefused:
        if not os.path.lexists(home / JOURNAL_FILE):
            return None  # the change that wrote it has just committed
        raise


# ---- recovery ---------------------------------------------------------------------------


def _sha_of(path: Path) -> str | None:
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _state(entry: Entry) -> str | None:
    """Where a crash left this target: `before` (as the change found it: its backup, or
    no file for a new one), `after` (its new copy), `restored` (an interrupted roll back
    put its backup back), or None: neither, so the journal does not describe the file
    (one a hostile branch committed, or copied from elsewhere) and following it would
    overwrite work it never saw."""
    target = _sha_of(entry.path)
    if target == entry.sha256:
        return "after"
    if entry.backup is None:
        return None if os.path.lexists(entry.path) else "before"
    if not os.path.lexists(entry.backup):
        return "restored" if target is not None else None
    return "before" if target is not None and target == _sha_of(entry.backup) else None


def _settle_entries(home: Path, entries: list[Entry], *, roll_back: bool = False) -> bool:
    """Complete (every new copy there and whole, and not `roll_back`) or roll back;
    True when completed. The caller holds every target's lock."""
    complete = not roll_back and all(
        _sha_of(entry.new) == entry.sha256 and _state(entry) == "before" for entry in entries
    )
    try:
        if complete:
            for entry in entries:
                os.replace(entry.new, entry.path)
        else:
            for entry in entries:
                if entry.backup is not None and os.path.lexists(entry.backup):
                    os.replace(entry.backup, entry.path)
                elif entry.backup is None and _sha_of(entry.path) == entry.sha256:
                    entry.path.unlink()  # a new file this change had made
        for folder in {entry.path.parent for entry in entries}:
            fsync_dir(folder)
        (home / JOURNAL_FILE).unlink()
    except OSError as error:
        raise NotSaved(
            f"{JOURNAL_FILE}: the interrupted change could not be settled", error
        ) from None
    fsync_dir(home)
    _remove_sides(entries)
    return complete


def _recover(home: Path) -> Settled:
    """Under the journal lock: complete or roll back the journal's change."""
    entries = read_journal(home)
    with ExitStack() as stack:
        for entry in sorted(entries, key=lambda e: e.relative):
            _hold(stack, _lock(lock_path(home, entry.relative)), entry.relative)
        completed = _settle_entries(home, entries)
    return Settled(completed, [entry.relative for entry in entries])


def _remove_sides(entries: Iterable[Entry]) -> None:
    for entry in entries:
        for side in (entry.new, entry.backup):
            if side is not None:
                with contextlib.suppress(OSError):
                    side.unlink()


def settle(home: Path) -> Settled | None:
    """Complete or roll back an interrupted change (None: there was none). Every writer
    calls this before taking its own lock: one stat when there is nothing to do."""
    if _read_if_there(home) is None:  # one not of ours is refused before anything is made
        return None
    with ExitStack() as stack:
        _hold(stack, _lock(_locks_dir(home) / "journal.lock"), JOURNAL_FILE)
        if not os.path.lexists(home / JOURNAL_FILE):
            return None  # settled by the process we waited for
        return _recover(home)


# ---- a change ---------------------------------------------------------------------------


def _refuse_read_only(relative: str, path: Path) -> None:
    """A file someone made read-only (no owner write bit) is not changed, even by root,
    whom the OS would let rename over it."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise NotChanged(relative, error) from None
    if stat.S_ISREG(mode) and not mode & stat.S_IWUSR:
        reason = f"the file is read-only (chmod u+w {path} lets gatebook change it)"
        raise NotChanged(relative, OSError(reason))


@dataclass
class FileChange:
    """The new content of each target, staged beside it; `commit` makes it real."""

    home: Path
    locked: frozenset[str]
    entries: list[Entry] = field(default_factory=list)

    def stage(self, path: Path, data: bytes, *, mode: int = FILE_MODE) -> None:
        """Write `path`'s new content beside it (NotChanged naming it when it cannot be)."""
        relative = relative_target(self.home, path)
        if relative not in self.locked:
            raise StoreError(f"{relative}: staged without its lock")
        _refuse_read_only(relative, path)
        new = _side(path, "new")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
            fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                os.fsync(fd)
                os.fchmod(fd, mode)
            finally:
                os.close(fd)
        except OSError as error:
            with contextlib.suppress(OSError):
                new.unlink()
            raise NotChanged(relative, error) from None
        digest = hashlib.sha256(data).hexdigest()
        _remove_sides(e for e in self.entries if e.relative == relative)  # staged again
        self.entries = [e for e in self.entries if e.relative != relative]
        self.entries.append(Entry(relative, path, new, None, digest))

    def _backup(self, entry: Entry) -> Entry:
        if not os.path.lexists(entry.path):
            return entry
        backup = _side(entry.path, "old")
        try:
            os.link(entry.path, backup, follow_symlinks=False)
        except OSError:  # a file system without hard links: a copy
            try:
                atomic_write_bytes(backup, entry.path.read_bytes())
            except OSError as error:
                raise NotChanged(entry.relative, error) from None
        return Entry(entry.relative, entry.path, entry.new, backup, entry.sha256)

    def commit(self) -> None:
        """Journal, replace, commit; on a failure every replaced target goes back."""
        if len(self.entries) == 1:  # one rename is atomic on its own
            entry = self.entries[0]
            try:
                os.replace(entry.new, entry.path)
            except OSError as error:
                raise NotChanged(entry.relative, error) from None
            fsync_dir(entry.path.parent)
            self.entries = []
            return
        for index, entry in enumerate(self.entries):
            self.entries[index] = self._backup(entry)  # kept, so a failure removes it
        for folder in {entry.path.parent for entry in self.entries}:
            fsync_dir(folder)
        journal = {
            "gatebook_journal": JOURNAL_FORMAT,
            "targets": [entry.to_json() for entry in self.entries],
        }
        try:
            atomic_write_bytes(self.home / JOURNAL_FILE, json.dumps(journal, indent=1).encode())
        except OSError as error:
            raise NotChanged(JOURNAL_FILE, error) from None
        for applied, entry in enumerate(self.entries):
            try:
                os.replace(entry.new, entry.path)
            except OSError as error:
                self._roll_back(applied, error)
        for folder in {entry.path.parent for entry in self.entries}:
            fsync_dir(folder)
        with contextlib.suppress(OSError):
            (self.home / JOURNAL_FILE).unlink()
            fsync_dir(self.home)
        _remove_sides(self.entries)
        self.entries = []

    def _roll_back(self, applied: int, error: OSError) -> None:
        """The target at `applied` could not be replaced: the ones before it go back."""
        failed = self.entries[applied]
        try:
            _settle_entries(self.home, self.entries[:applied], roll_back=True)
        except StoreError:
            raise NotSaved(
                f"{failed.relative}; the change is half made: the next gatebook command "
                f"that writes rolls it back from {JOURNAL_FILE}",
                error,
            ) from None
        raise NotChanged(failed.relative, error)

    def discard(self) -> None:
        _remove_sides(self.entries)
        self.entries = []


def _sweep(home: Path, folders: Iterable[Path]) -> None:
    """Under the journal lock with no journal: a side file is a crash's leftover."""
    for folder in folders:
        with contextlib.suppress(OSError):
            for leftover in folder.glob(f".*{JOURNAL_SUFFIX}"):
                if _SIDE_NAME.match(leftover.name):
                    with contextlib.suppress(OSError):
                        leftover.unlink()


@contextmanager
def changing(home: Path, paths: Iterable[Path]) -> Iterator[FileChange]:
    """Lock `paths` (the journal's lock, then each file's own, in path order), settle
    an interrupted change first, and yield a FileChange; its staged content is made
    real when the block ends without an exception, else discarded."""
    from gatebook.store.links import refuse_committed_links

    refuse_committed_links(home)
    relatives = sorted({relative_target(home, Path(path)) for path in paths})
    with ExitStack() as stack:
        locks = _locks_dir(home)
        _hold(stack, _lock(locks / "journal.lock"), JOURNAL_FILE)
        if os.path.lexists(home / JOURNAL_FILE):
            _recover(home)
        for relative in relatives:
            _hold(stack, _lock(lock_path(home, relative)), relative)
        _sweep(home, {home.joinpath(*r.split("/")).parent for r in relatives})
        change = FileChange(home, frozenset(relatives))
        try:
            yield change
            change.commit()
        finally:
            change.discard()
