"""The workspace folder: where it is, its review store, its settings."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gatebook.questionnaire.catalog import Catalog, load_cached
from gatebook.store import ReviewStore
from gatebook.store.storage import TooLarge, atomic_write_bytes, read_bounded

if TYPE_CHECKING:
    from gatebook.questionnaire.models import Questionnaire
    from gatebook.store.model import Review

SETTINGS_FILE = "settings.json"
MAX_SETTINGS_BYTES = 1024 * 1024


MARKER = ".gatebook"


def find_marked_home(start: Path) -> Path | None:
    """The nearest folder at or above `start` with a `.gatebook` marker (`gatebook
    init` writes it), as git finds `.git`."""
    try:
        folder = start.resolve()
    except OSError:
        return None
    for candidate in (folder, *folder.parents):
        if (candidate / MARKER).is_file():
            return candidate
    return None


def default_home() -> Path:
    """`$GATEBOOK_HOME`, else a marked workspace at or above the current folder, else
    the platform's user data folder."""
    env = os.environ.get("GATEBOOK_HOME")
    if env:
        return Path(env).expanduser()
    try:
        marked = find_marked_home(Path.cwd())
    except OSError:
        marked = None
    if marked is not None:
        return marked
    import platformdirs

    return Path(platformdirs.user_data_dir("gatebook", appauthor=False))


class WorkspaceError(Exception):
    """The workspace folder cannot be used at all (a file, a dangling link)."""


def check_home(home: Path) -> Path:
    """Refuse a workspace path that is a file or a dangling link, with what to do."""
    if home.is_symlink() and not home.exists():
        raise WorkspaceError(
            f"the workspace {home} is a link to {os.readlink(home)}, which does not exist; "
            "create the folder or set GATEBOOK_HOME / --home to a folder"
        )
    if home.exists() and not home.is_dir():
        raise WorkspaceError(
            f"the workspace {home} is a file, not a folder; set GATEBOOK_HOME or --home to a folder"
        )
    return home


def make_catalog(home: Path, extra_dirs: list[Path] | tuple[Path, ...] = ()) -> Catalog:
    return Catalog([home / "questionnaires", *extra_dirs])


def open_store(home: Path, catalog: Catalog) -> ReviewStore:
    """The workspace's review store, resolving each review's questionnaire via `catalog`:
    the version the review records (a shipped earlier built-in, docs/contracts.md
    "Versions") to judge it, the live one to upgrade it to."""

    def resolve(review: Review) -> Questionnaire:
        if review.questionnaire_path and Path(review.questionnaire_path).is_file():
            return load_cached(Path(review.questionnaire_path))
        return catalog.resolve_version(review.questionnaire, review.version)

    def resolve_live(review: Review) -> Questionnaire:
        if review.questionnaire_path and Path(review.questionnaire_path).is_file():
            return load_cached(Path(review.questionnaire_path))
        return catalog.resolve(review.questionnaire)

    return ReviewStore(home, resolve, resolve_live=resolve_live)


def questionnaire_source(name: str) -> str | None:
    """Remember the file when a review starts from a path, so it reopens from it."""
    path = Path(name).expanduser()
    return str(path.resolve()) if path.is_file() else None


def load_settings(home: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_bounded(home / SETTINGS_FILE, MAX_SETTINGS_BYTES))
    except (OSError, ValueError, TooLarge, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def save_settings(home: Path, settings: dict[str, Any]) -> bool:
    """Remember settings; False (nothing else) when the workspace cannot be written."""
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        encoded = json.dumps(settings, indent=2, sort_keys=True).encode("utf-8")
        atomic_write_bytes(home / SETTINGS_FILE, encoded)
    except OSError:
        return False
    return True
