"""Finding questionnaires: built-ins, the workspace's folder, `--questionnaires DIR`, paths.

A user questionnaire with a built-in's id replaces the built-in, so a team can
tailor OQR without forking gatebook.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gatebook.questionnaire.problems import Problem, SourceError

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Questionnaire

SUFFIXES = (".yaml", ".yml", ".json")


@functools.cache  # where this module lives does not change while it runs
def builtin_dir() -> Path:
    """Built-ins ship inside the wheel; in a checkout they sit at the repository's top."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "questionnaires"
    if packaged.is_dir():
        return packaged
    return package.parent.parent / "questionnaires"


@dataclass(frozen=True)
class CatalogEntry:
    id: str
    title: str
    version: str
    path: Path
    origin: str
    replaces_builtin: bool = False


_CACHE: dict[tuple[int, ...], Questionnaire] = {}


def load_cached(path: Path) -> Questionnaire:
    """Load once per process and file version; loading is pure, so this is safe. The
    file is known by its device and inode (whatever path names it: no path is resolved
    on the way, a portfolio looks its questionnaires up once per review) and its
    version by its size and times."""
    try:
        stat = path.stat()
    except OSError as error:
        raise SourceError([Problem(str(path), 1, 1, f"cannot read the file: {error}")]) from None
    key = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    found = _CACHE.get(key)
    if found is None:
        from gatebook.questionnaire.loader import load_questionnaire  # not needed to start

        found = load_questionnaire(path)
        _CACHE[key] = found
    return found


def _files(folder: Path) -> list[Path]:
    try:
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix.lower() in SUFFIXES and p.is_file())
    except OSError:
        return []


class Catalog:
    """The questionnaires one gatebook invocation can see."""

    def __init__(self, user_dirs: list[Path] | None = None) -> None:
        self.user_dirs = [d for d in (user_dirs or [])]
        self.problems: list[Problem] = []

    def entries(self) -> list[CatalogEntry]:
        builtins: dict[str, CatalogEntry] = {}
        for path in _files(builtin_dir()):
            q = load_cached(path)
            builtins[q.id] = CatalogEntry(q.id, q.title, q.version, path, "built-in")
        users: dict[str, CatalogEntry] = {}
        self.problems = []
        for folder in self.user_dirs:
            for path in _files(folder):
                try:
                    q = load_cached(path)
                except SourceError as error:
                    self.problems.extend(error.problems)
                    continue
                if q.id not in users:
                    users[q.id] = CatalogEntry(
                        q.id, q.title, q.version, path, "user", replaces_builtin=q.id in builtins
                    )
        merged = {**builtins, **users}
        return [merged[key] for key in sorted(merged)]

    def broken_file_named(self, name: str) -> SourceError | None:
        """The error of a user file that fails to load and is the one asked for: its file
        name is `name`, or its text says `id: name`. A team's tailored `oqr.yaml` that
        breaks must fail loudly, not fall back to the built-in."""
        declares = re.compile(rf"^id:\s*['\"]?{re.escape(name)}['\"]?\s*(#.*)?$", re.MULTILINE)
        for folder in self.user_dirs:
            for path in _files(folder):
                try:
                    load_cached(path)
                except SourceError as error:
                    if path.stem == name:
                        return error
                    try:
                        head = path.read_text(encoding="utf-8", errors="replace")[:65536]
                    except OSError:
                        continue
                    if declares.search(head):
                        return error
        return None

    def resolve(self, name: str) -> Questionnaire:
        """A questionnaire by id (user first, then built-in) or by file path."""
        candidate = Path(name).expanduser()
        looks_like_path = candidate.suffix.lower() in SUFFIXES or "/" in name
        if looks_like_path or (not name.isidentifier() and candidate.is_file()):
            if not candidate.is_file():
                raise SourceError([Problem(name, 1, 1, "no such questionnaire file")])
            return load_cached(candidate)
        for folder in self.user_dirs:
            for path in _files(folder):
                try:
                    q = load_cached(path)
                except SourceError:
                    continue
                if q.id == name:
                    return q
        broken = self.broken_file_named(name)
        if broken is not None:
            raise broken
        direct = builtin_dir() / f"{name}.yaml"
        if direct.is_file():
            return load_cached(direct)
        for entry in self.entries():
            if entry.id == name:
                return load_cached(entry.path)
        known = ", ".join(e.id for e in self.entries())
        raise SourceError(
            [Problem(name, 1, 1, f"unknown questionnaire {name!r}; known: {known}, or give a path")]
        )
