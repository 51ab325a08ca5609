"""A TinyDB storage that never leaves a torn file.

TinyDB's stock JSONStorage rewrites the file in place, so a kill mid-write leaves
half a file. This one writes a temp file in the same folder, flushes and fsyncs
it, renames it over the old one and fsyncs the folder: a reader sees the old
file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TEMP_SUFFIX = ".gbtmp"
FILE_MODE = 0o600
DIR_MODE = 0o700


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


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write `data` to `path` so that a crash leaves the old or the new file, whole."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}{TEMP_SUFFIX}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    if durable:
        fsync_dir(path.parent)


def remove_temp_files(folder: Path) -> int:
    """Delete temp files that a killed process left behind; returns how many."""
    removed = 0
    if folder.is_dir():
        for leftover in folder.glob(f".*{TEMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                leftover.unlink()
                removed += 1
    return removed


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON, written by temp file + fsync + rename."""

    def __init__(self, path: str | Path, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            raise UnreadableFile(self.path, "the file is empty")
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise UnreadableFile(self.path, f"not valid JSON ({error})") from None
        if not isinstance(data, dict):
            raise UnreadableFile(self.path, "not a TinyDB document (expected a JSON object)")
        return data

    def write(self, data: dict[str, Any]) -> None:
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        atomic_write_bytes(self.path, encoded, durable=self.durable)

    def close(self) -> None:
        """Nothing stays open between operations."""
