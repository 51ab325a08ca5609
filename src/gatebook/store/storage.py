"""A TinyDB storage that never leaves a torn file.

TinyDB's stock JSONStorage rewrites the file in place, so a kill mid-write leaves
half a file. This one writes a temp file in the same folder, flushes and fsyncs
it, renames it over the old one and fsyncs the folder: a reader sees the old
file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import secrets
import stat
import time
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".gbtmp"
FILE_MODE = 0o600
DIR_MODE = 0o700
STALE_TEMP_S = 60.0
"""A temp file lives milliseconds; one this old whose writer is gone is a crash's leftover."""
ABANDONED_TEMP_S = 24 * 3600.0
"""Older than this, a temp is removed even when its pid is running (the pid was reused)."""
MAX_REVIEW_BYTES = 64 * 1024 * 1024
MAX_NESTING = 64
"""How deep a workspace file's JSON may nest: gatebook's own files nest about ten
levels; anything deeper is hostile and would only break a recursive step later."""


class UnreadableFile(Exception):
    """A file that exists but is not valid JSON of the expected shape."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def os_error_reason(error: OSError) -> str:
    """What a person can act on, for the errors a save meets in practice."""
    if isinstance(error, NotRegularFile):
        return str(error)
    reasons = {
        errno.ENOSPC: "disk full",
        errno.EDQUOT: "disk quota exceeded",
        errno.EROFS: "the workspace is on a read-only file system",
        errno.EACCES: "permission denied (is the workspace read-only?)",
        errno.EPERM: "permission denied (is the workspace read-only?)",
        errno.ENOENT: "a file or folder vanished while saving",
        errno.EIO: "input/output error on the disk",
    }
    reason = reasons.get(error.errno or 0) or (error.strerror or str(error))
    where = f" ({error.filename})" if error.filename else ""
    return reason + where


def _temp_name(path: Path) -> Path:
    """`.NAME.PID.RANDOM.gbtmp`: the pid tells a later start whose temp it is."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TEMP_SUFFIX}")


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` so that a crash leaves the old or the new file, whole."""
    temp = _temp_name(path)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def _pid_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    except (OSError, OverflowError, ValueError):
        return False
    return True


def is_stale_temp(path: Path, now: float | None = None) -> bool:
    """A temp whose writer is gone (pid not running, and older than a minute), or any
    temp older than a day. A live process's temp is never touched."""
    try:
        age = (now or time.time()) - path.stat().st_mtime
    except OSError:
        return False
    if age > ABANDONED_TEMP_S:
        return True
    parts = path.name.removesuffix(TEMP_SUFFIX).rsplit(".", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return age > STALE_TEMP_S and not _pid_running(int(parts[1]))
    return age > STALE_TEMP_S * 60  # written before temps carried a pid


def remove_temp_files(folder: Path) -> int:
    """Delete temp files that crashed processes left behind; returns how many."""
    removed = 0
    with contextlib.suppress(OSError):
        for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
            if is_stale_temp(leftover):
                with contextlib.suppress(OSError):
                    leftover.unlink()
                    removed += 1
    return removed


class TooLarge(Exception):
    """A file larger than what it may be: it was not read further."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"larger than {limit // 2**20} MB")


class NotRegularFile(OSError):
    """A path that is a FIFO, a device, a folder or a socket: reading it could hang or
    never end, so it is refused before it is opened for reading."""

    def __init__(self, path: Path, mode: int) -> None:
        super().__init__(errno.EINVAL, f"not a regular file ({file_kind(mode)})", str(path))

    def __str__(self) -> str:
        return str(self.strerror)


def file_kind(mode: int) -> str:
    kinds = (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    )
    return next((name for test, name in kinds if test(mode)), "not a plain file")


def read_bounded(path: Path, limit: int) -> bytes:
    """Every file may be hostile: read at most `limit` bytes (and one more, to know),
    TooLarge past it; NotRegularFile (an OSError) for a FIFO, device, folder or socket,
    checked before the open and again on the open descriptor (opened non-blocking, so
    a FIFO swapped in between cannot hang it); OSError as the OS raises it."""
    found = os.stat(path).st_mode
    if not stat.S_ISREG(found):
        raise NotRegularFile(path, found)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(fd).st_mode
        if not stat.S_ISREG(found):
            raise NotRegularFile(path, found)
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(limit)
    return raw


def _check_tables(data: Any, path: Path) -> dict[str, Any]:
    """TinyDB trusts the file's shape; a hand-edited file must not reach it unchecked."""
    if not isinstance(data, dict):
        raise UnreadableFile(path, "not a TinyDB document (expected a JSON object)")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise UnreadableFile(path, f"table {name!r} is not a JSON object")
        for doc_id, document in table.items():
            if not isinstance(document, dict) or not str(doc_id).isdigit():
                raise UnreadableFile(path, f"table {name!r} holds a malformed document")
    return data


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON, written by temp file + fsync + rename."""

    def __init__(self, path: str | Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable

    def read(self) -> dict[str, Any] | None:
        try:
            raw = read_bounded(self.path, MAX_REVIEW_BYTES)
        except FileNotFoundError:
            return None
        except OSError as error:
            raise UnreadableFile(self.path, os_error_reason(error)) from None
        except TooLarge as error:
            raise UnreadableFile(self.path, str(error)) from None
        if not raw.strip():
            raise UnreadableFile(self.path, "the file is empty")
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
            raise UnreadableFile(self.path, f"not valid JSON ({error})") from None
        deep = nesting_problem(raw, data)
        if deep is not None:
            raise UnreadableFile(self.path, deep)
        return _check_tables(data, self.path)

    def write(self, data: dict[str, Any]) -> None:
        atomic_write_bytes(self.path, canonical_file_bytes(data), durable=self.durable)

    def close(self) -> None:
        """Nothing stays open between operations."""


def canonical_file_bytes(data: Any) -> bytes:
    """A workspace file as git should see it: sorted object keys, two-space indent,
    lists in their stored order (some orders are content), a final newline: a diff
    shows one line per changed scalar answer. The bytes never enter a digest."""
    fast = _fast_canonical_bytes(data)
    if fast is not None:
        return fast
    try:
        text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
        return (text + "\n").encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: kept, escaped, as JSON allows
        return (json.dumps(data, ensure_ascii=True, sort_keys=True, indent=2) + "\n").encode()


def _fast_canonical_bytes(data: Any) -> bytes | None:
    """The same bytes, made in C and Rust (json's indenting encoder is pure Python: a
    review with 100,000 history entries took seconds). pydantic-core writes plain data
    (str keys, str/int/bool/None scalars, floats it writes as json does) exactly as
    json does once every key is in order: data already in order is serialised once,
    other plain data is put in order by json's C encoder first. None when pydantic-core
    writes a scalar otherwise (a float in exponent form, NaN, a lone surrogate): the
    slow way."""
    import pydantic_core

    shape = _plain_shape(data)
    try:
        if shape is None:
            return _checked_canonical_bytes(data)
        in_order, floats = shape
        if floats and pydantic_core.to_json(floats) != _compact(floats):
            return None
        if not in_order:
            data = json.loads(_compact(data))  # in sorted order now
        return pydantic_core.to_json(data, indent=2) + b"\n"
    except (ValueError, TypeError, RecursionError, pydantic_core.PydanticSerializationError):
        return None


def _compact(data: Any) -> bytes:
    return json.dumps(  # a cycle ends in RecursionError: the slow way says so
        data,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
        check_circular=False,
    ).encode("utf-8")


def _checked_canonical_bytes(data: Any) -> bytes | None:
    """Any other data: pydantic-core's text is used where it equals json's sorted one."""
    import pydantic_core

    compact = _compact(data)
    if pydantic_core.to_json(data) != compact:
        data = json.loads(compact)  # in sorted order now
        if pydantic_core.to_json(data) != compact:
            return None
    return pydantic_core.to_json(data, indent=2) + b"\n"


_PLAIN_SCALARS = frozenset((str, int, bool, type(None)))
_PLAIN_WALK_LEVELS = 200
"""Deeper (or a cycle) is left to json, which says so."""


def _plain_shape(data: Any) -> tuple[bool, list[float]] | None:
    """Whether `data` is plain JSON data (exact dicts with str keys, lists, plain
    scalars): (every dict's keys in order, the floats it holds), else None. One pass,
    level by level; a shape of keys seen in order is not sorted again (a review's
    history entries share a handful of shapes)."""
    in_order = True
    floats: list[float] = []
    shapes: set[tuple[str, ...]] = set()
    level: list[Any] = [data]
    for _ in range(_PLAIN_WALK_LEVELS):
        below: list[Any] = []
        push = below.append
        for node in level:
            kind = type(node)
            if kind is dict:
                keys = tuple(node)
                if keys not in shapes:
                    if any(type(key) is not str for key in keys):
                        return None
                    in_order = in_order and list(keys) == sorted(keys)
                    shapes.add(keys)
                values: Any = node.values()
            elif kind is list:
                values = node
            else:
                return None
            for value in values:
                kind = type(value)
                if kind in _PLAIN_SCALARS:
                    continue
                if kind is float:
                    floats.append(value)
                else:
                    push(value)  # checked on the next level
        if not below:
            return in_order, floats
        level = below
    return None


def too_deep(data: Any, limit: int = MAX_NESTING) -> bool:
    """Whether parsed JSON nests past `limit` (walked with a stack, never recursion)."""
    containers = (dict, list)
    pending: list[tuple[Any, int]] = [(data, 0)] if type(data) in containers else []
    while pending:
        node, depth = pending.pop()
        if depth >= limit:
            return True
        children = node.values() if type(node) is dict else node
        pending.extend((c, depth + 1) for c in children if type(c) in containers)
    return False


_NOT_STRUCTURE = bytes(b for b in range(256) if b not in b'"[]{}')


def _text_too_deep(raw: bytes, limit: int = MAX_NESTING) -> bool:
    """`too_deep` for valid UTF-8 JSON text, in C-speed passes over the bytes: drop
    escaped backslashes and quotes, keep quotes and brackets, drop strings, then peel
    one level of innermost brackets per pass; what is left after `limit` passes nests
    deeper."""
    import re

    kept = raw.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    brackets = re.sub(rb'"[^"]*"', b"", kept.replace(b'""', b""))
    brackets = brackets.replace(b"[", b"{").replace(b"]", b"}")
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"{}", b"")
    return bool(brackets)


def nesting_problem(raw: bytes, data: Any) -> str | None:
    """The reason every store reader gives for JSON (`raw`, parsed as `data`) nested
    too deeply, or None."""
    ascii_based = json.detect_encoding(raw).startswith("utf-8")
    if _text_too_deep(raw) if ascii_based else too_deep(data):
        return f"nested more than {MAX_NESTING} levels deep; not a file gatebook wrote"
    return None
