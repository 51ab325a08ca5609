"""Finding questionnaires: built-ins, the workspace's folder, `--questionnaires DIR`, paths.

A user questionnaire with a built-in's id replaces the built-in, so a team can
tailor OQR without forking gatebook. Earlier versions of the built-ins ship too
(`questionnaires/versions/ID/VERSION.yaml`), so a review is judged against the version
it records and a new release of a built-in voids no sign-off (docs/contracts.md
"Versions").
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gatebook.questionnaire.ids import is_document_id
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


VERSIONS_FOLDER = "versions"


def shipped_version_path(questionnaire_id: str, version: str) -> Path | None:
    """The file of an earlier version of a built-in, when gatebook ships it. Both parts
    name a file, so anything but a valid id is no version we ship (never a path)."""
    if not (is_document_id(questionnaire_id) and is_document_id(version)):
        return None
    path = builtin_dir() / VERSIONS_FOLDER / questionnaire_id / f"{version}.yaml"
    return path if path.is_file() else None


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
                else:  # the first (folder order, then file name) is the one used
                    used = users[q.id].path
                    message = (
                        f"questionnaire id {q.id!r} is also in {used}, which is used; this "
                        "file is not: give it another `id:`"
                    )
                    self.problems.append(Problem(str(path), 1, 1, message))
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

    @staticmethod
    def _is_path(name: str) -> bool:
        candidate = Path(name).expanduser()
        looks_like_path = candidate.suffix.lower() in SUFFIXES or "/" in name
        return looks_like_path or (not name.isidentifier() and candidate.is_file())

    def _user_questionnaire(self, name: str) -> Questionnaire | None:
        for folder in self.user_dirs:
            for path in _files(folder):
                try:
                    q = load_cached(path)
                except SourceError:
                    continue
                if q.id == name:
                    return q
        return None

    def resolve_version(self, name: str, version: str) -> Questionnaire:
        """The questionnaire a review recording `name` at `version` is judged against:
        the live one when it has that version; else, where `name` is the built-in (no
        workspace file replaces it), the shipped earlier version; else the live one, as
        for any questionnaire gatebook keeps no other version of."""
        live = self.resolve(name)
        if live.version == version or self._is_path(name):
            return live
        if self._user_questionnaire(name) is not None:
            return live
        shipped = shipped_version_path(name, version)
        return load_cached(shipped) if shipped is not None else live

    def resolve(self, name: str) -> Questionnaire:
        """A questionnaire by id (user first, then built-in) or by file path."""
        if self._is_path(name):
            candidate = Path(name).expanduser()
            if not candidate.is_file():
                raise SourceError([Problem(name, 1, 1, "no such questionnaire file")])
            return load_cached(candidate)
        user = self._user_questionnaire(name)
        if user is not None:
            return user
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
