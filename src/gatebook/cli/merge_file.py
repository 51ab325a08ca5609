"""The git merge driver: `gatebook merge-file BASE OURS THEIRS [PATH]`.

It runs on files from another laptop, so it trusts none of them. A side is refused
(exit 2, naming it, OURS left byte-identical) unless it is a regular file the store
would read as that kind of file: size, JSON, depth, shape and types by the store's
own readers and models, the id of PATH's file name, a milestone's own digest, and
conflicts the driver itself could have recorded. It writes OURS and nothing else,
but for a milestone both sides took with other content: `NAME-N.json` beside PATH,
named from PATH (never from content), never through a symbolic link.
"""

from __future__ import annotations

import functools
import gc
import json
import os
import stat
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from gatebook.cli.context import fail
from gatebook.store.conflict_fields import AnswerCheck, conflicts_problem
from gatebook.terminal import echo

SIDES = ("BASE", "OURS", "THEIRS")
KIND_FOLDERS = {"reviews": "review", "engagements": "engagement"}


class Refused(Exception):
    """A side, PATH or the merge itself that the driver will not take (exit 2)."""


@dataclass(frozen=True)
class Target:
    """What is merged: its kind and the names PATH (or OURS) gives it."""

    kind: str
    """`review`, `engagement` or `milestone`."""
    name: str
    """The review or engagement id, or the milestone's name (the file name's stem)."""
    review: str
    """A milestone's review (its folder's name); empty for the other kinds."""
    label: str


@click.command("merge-file")
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("ours", type=click.Path(path_type=Path))
@click.argument("theirs", type=click.Path(path_type=Path))
@click.argument("path", required=False, default=None)
def merge_file_command(base: Path, ours: Path, theirs: Path, path: str | None) -> None:
    """The git merge driver (`%O %A %B %P`): merge a review, engagement or milestone
    file field by field into OURS. Exit 0 merged, 1 merged with conflicts recorded in
    the file (each named with the `gatebook resolve` command that settles it), 2 a
    side, PATH or the merge refused (OURS left as it is). An empty BASE means no base.
    `gatebook init --git` registers it.

    Example: gatebook merge-file base.json ours.json theirs.json reviews/oqr-1a2b3c.json
    """
    gc.disable()  # collector passes over the sides' millions of objects (a review with
    # 100,000 history entries) cost more than the merge itself; they hold no cycles
    try:
        status = _merge((base, ours, theirs), path)
    except Refused as problem:
        fail(f"error: {problem}; OURS left as it is")
    finally:
        gc.enable()
        _questionnaire_named.cache_clear()  # in-process runs (tests) see a fresh folder
    raise SystemExit(status)


def _merge(files: tuple[Path, Path, Path], path: str | None) -> int:
    for side, file in zip(SIDES, files, strict=True):
        _check_regular(side, file)
    if path is not None:
        _check_path(path)
    target = _target(files[1], path)
    base = None if _is_empty(files[0]) else files[0]
    if target.kind == "milestone":
        return _merge_milestone(target, (base, files[1], files[2]), path)
    return _merge_record(target, (base, files[1], files[2]))


# ---- what is refused before anything is read ---------------------------------------------


def _check_regular(side: str, file: Path) -> None:
    """Refuse a FIFO, device, folder or socket by its mode, before any open (a FIFO
    opened for reading would wait for a writer forever)."""
    try:
        mode = os.stat(file).st_mode
    except OSError as error:
        raise Refused(f"{side} {file}: cannot read ({error.strerror or error})") from None
    if not stat.S_ISREG(mode):
        raise Refused(f"{side} {file}: not a regular file (a folder, FIFO, device or socket)")


def _check_path(path: str) -> None:
    """PATH (git's %P) names where the file lives in the work tree (the current folder):
    no `..`, and no folder from PATH's up to the work tree a symbolic link or a file."""
    given = Path(path)
    if given.suffix != ".json":
        raise Refused(f"PATH {path!r}: not the path of a .json file in the work tree")
    if ".." in given.parts:
        raise Refused(f"PATH {path}: steps out of its folder with '..'")
    top = Path.cwd()
    full = given if given.is_absolute() else top / given
    for folder in (full.parent, *full.parent.parents):
        if folder == top:
            break
        try:
            mode = os.lstat(folder).st_mode
        except FileNotFoundError:
            continue  # git makes the folders it needs
        except OSError as error:
            raise Refused(f"PATH {path}: {folder}: {error.strerror or error}") from None
        if stat.S_ISLNK(mode):
            raise Refused(
                f"PATH {path}: {folder} is a symbolic link; merge-file writes nothing "
                "through a link"
            )
        if not stat.S_ISDIR(mode):
            raise Refused(f"PATH {path}: {folder} is a file, not a folder")


def _is_empty(file: Path) -> bool:
    """git's add/add passes an empty BASE: no common ancestor."""
    from gatebook.store.storage import read_bounded

    try:
        return file.stat().st_size == 0 or (
            file.stat().st_size < 64 and not read_bounded(file, 64).strip()
        )
    except OSError:
        return False


def _target(ours: Path, path: str | None) -> Target:
    """The kind from PATH's folder (`reviews/`, `engagements/`, `milestones/REVIEW/`),
    else from OURS's content; the id (a milestone's review and name) every side must
    carry from PATH's file name, else from OURS's own."""
    if path is not None:
        named = Path(path)
        kind = KIND_FOLDERS.get(named.parent.name)
        if kind is None and named.parent.parent.name == "milestones":
            kind = "milestone"
        kind = kind or _kind_of(_ours_content(ours), ours)
        review = named.parent.name if kind == "milestone" else ""
        return Target(kind, named.stem, review, path)
    data = _ours_content(ours)
    kind = _kind_of(data, ours)
    inner: Any = data.get("name") if kind == "milestone" else data.get("id")
    if kind == "review":
        documents = [*data["review"].values(), None]
        inner = documents[0].get("id") if isinstance(documents[0], dict) else None
    owner: Any = data.get("review") if kind == "milestone" else ""
    return Target(
        kind,
        inner if isinstance(inner, str) else ours.stem,
        owner if isinstance(owner, str) else "",
        str(ours),
    )


def _ours_content(ours: Path) -> dict[str, Any]:
    from gatebook.store.storage import MAX_REVIEW_BYTES, TooLarge, read_bounded

    try:
        data = json.loads(read_bounded(ours, MAX_REVIEW_BYTES))
    except (OSError, TooLarge, ValueError, RecursionError) as error:
        raise Refused(f"OURS {ours}: not a gatebook file ({error})") from None
    if not isinstance(data, dict):
        raise Refused(f"OURS {ours}: not a gatebook review, engagement or milestone file")
    return data


def _kind_of(data: dict[str, Any], ours: Path) -> str:
    """Outside the workspace's folders, OURS's content says what the file is."""
    if isinstance(data.get("review"), dict):
        return "review"
    if "gatebook_milestone" in data:
        return "milestone"
    if "members" in data and "start" in data:
        return "engagement"
    raise Refused(f"OURS {ours}: not a gatebook review, engagement or milestone file")


# ---- reviews and engagements -----------------------------------------------------------------


def _read_side(target: Target, side: str, file: Path) -> dict[str, Any]:
    """One side as the store reads that kind of file; Refused naming the side if not."""
    from gatebook.store.errors import StoreError
    from gatebook.store.files import read_review_document

    where = f"{side} {file}" + (f" (merged as {target.label})" if str(file) != target.label else "")
    try:
        if target.kind == "review":
            review, data = read_review_document(file, target.name)
            problem = conflicts_problem("review", review.conflicts, _answer_check(review))
        else:  # the engagement layer (and the questionnaire models) only when needed
            from gatebook.engagement.store import read_engagement_file

            engagement = read_engagement_file(file, target.name)
            problem = conflicts_problem("engagement", engagement.conflicts)
            data = engagement.model_dump(mode="json")
    except StoreError as error:  # UnreadableReview, UnreadableEngagement: with a reason
        reason = getattr(error, "reason", str(error))
        raise Refused(f"{where}: not a {target.kind} gatebook can read: {reason}") from None
    if problem is not None:
        raise Refused(f"{where}: {problem}")
    return data


def _answer_check(review: Any) -> AnswerCheck | None:
    """With a workspace at hand, an answer in a conflict is checked by its question."""
    questionnaire = _questionnaire(review)
    if questionnaire is None:
        return None
    from gatebook.engine.answers import stored_answer_problems

    def check(key: str, value: Any) -> str | None:
        if questionnaire.question(key) is None:
            return None  # a question of another version: nothing to check it by
        problems = stored_answer_problems(questionnaire, {key: value})
        return problems[0].detail if problems else None

    return check


@functools.cache
def _questionnaire_named(questionnaire_id: str, version: str) -> Any:
    """The workspace's questionnaire of that id at the version the review records (a
    shipped earlier built-in, docs/contracts.md "Versions"; the work tree is the current
    folder), or None outside a workspace or when it cannot be loaded: looked up once a
    run."""
    from gatebook.questionnaire.problems import SourceError
    from gatebook.workspace import find_marked_home, make_catalog

    home = find_marked_home(Path.cwd())
    if home is None:
        return None
    try:
        return make_catalog(home).resolve_version(questionnaire_id, version)
    except (SourceError, OSError):
        return None


def _questionnaire(review: Any) -> Any:
    return _questionnaire_named(review.questionnaire, review.version)


def _merge_record(target: Target, files: tuple[Path | None, Path, Path]) -> int:
    from pydantic import ValidationError

    from gatebook.store.merge import NotMergeable, merge_engagement_data, merge_review_data
    from gatebook.store.model import Review

    base, ours, theirs = (
        _read_side(target, side, file) if file is not None else None
        for side, file in zip(SIDES, files, strict=True)
    )
    assert ours is not None and theirs is not None
    try:
        if target.kind == "review":
            merged = merge_review_data(base, ours, theirs)
            # The long lists hold the sides' own entries (checked as read): what the
            # merge made is checked, then written as merged.
            review = Review.model_validate({**merged.data, "history": [], "follow_ups": []})
            _warn_values(review, target.label)
            if not merged.data.get("conflicts"):
                merged.data.pop("conflicts", None)
            document: Any = {"review": {"1": dict(sorted(merged.data.items()))}}
        else:
            from gatebook.engagement.model import Engagement

            merged = merge_engagement_data(base, ours, theirs)
            document = Engagement.model_validate(merged.data).model_dump(mode="json")
    except NotMergeable as problem:
        raise Refused(f"{target.label}: {problem}") from None
    except ValidationError as error:
        reason = error.errors()[0]["msg"]
        raise Refused(
            f"{target.label}: the merge is not a valid {target.kind} ({reason})"
        ) from None
    _write(files[1], document, _size_cap(target), target.label, bool(merged.data.get("conflicts")))
    open_ones = merged.data.get("conflicts") or []
    found = {c["field"] for c in merged.conflicts}
    for conflict in open_ones:
        field = conflict["field"]
        how = "changed on both sides: ours kept" if field in found else "still open"
        echo(
            f"{target.label}: conflict {field} ({how}); settle it with: gatebook resolve "
            f"{target.name} {field} --take ours|theirs|base (or --value V)",
            err=True,
        )
    return 1 if merged.conflicts else 0


def _warn_values(review: Any, label: str) -> None:
    """Say which merged answers the review's questionnaire refuses (a warning)."""
    questionnaire = _questionnaire(review)
    if questionnaire is not None:
        from gatebook.engine.answers import stored_answer_problems

        for problem in stored_answer_problems(questionnaire, review.answers):
            echo(f"{label}: warning: {problem}", err=True)


def _size_cap(target: Target) -> int:
    """The size the store reads a file of this kind up to (each side was read under it;
    their union may not be)."""
    if target.kind == "engagement":
        from gatebook.engagement.store import MAX_ENGAGEMENT_BYTES

        return MAX_ENGAGEMENT_BYTES
    from gatebook.store.storage import MAX_REVIEW_BYTES

    return MAX_REVIEW_BYTES


def _write(
    file: Path, document: Any, cap: int | None = None, label: str = "", conflicts: bool = False
) -> None:
    """Write the merge, unless the store could not read it: larger than `cap`, or
    nested too deeply (only `conflicts` can make it deeper than its sides: an entry
    holds its values two levels below the field). A file no command could open again
    is never written."""
    from gatebook.store.storage import (
        atomic_write_bytes,
        canonical_file_bytes,
        nesting_problem,
        os_error_reason,
    )

    data = canonical_file_bytes(document)
    if cap is not None and len(data) > cap:
        raise Refused(
            f"{label or file}: the merge would be larger than {cap // 2**20} MB, more than "
            "gatebook reads; merge by hand (keep one side, then add the other's changes)"
        )
    deep = nesting_problem(data, document) if conflicts else None
    if deep is not None:
        raise Refused(
            f"{label or file}: the merge would be {deep.partition(';')[0]} (a conflict "
            "holds its values deeper than the field); merge by hand"
        )
    try:
        atomic_write_bytes(file, data)
    except OSError as error:
        raise Refused(f"{file}: not written ({os_error_reason(error)})") from None


# ---- milestones ---------------------------------------------------------------------------


def _names_merged_in(folder: Path) -> set[str]:
    """The file names the commits git is bringing in hold in `folder`: they reach the
    work tree after the driver ran, so theirs is never kept under a name the merge or
    rebase then cannot write (git would stop on the file the driver wrote)."""
    names: set[str] = set()
    for commit in _commits_merged_in():
        listed = _git("ls-tree", "--name-only", f"{commit}:{folder.as_posix()}")
        names.update(listed.splitlines())
    return names


def _commits_merged_in() -> set[str]:
    """A merge names its heads in `GITHEAD_<sha>`; a rebase or `pull --rebase` lists
    the commit it is replaying last in `rebase-merge/done`."""
    import re

    commits = {key.removeprefix("GITHEAD_") for key in os.environ if key.startswith("GITHEAD_")}
    done = _git("rev-parse", "--git-path", "rebase-merge/done").strip()
    if done and os.path.isfile(done):
        from gatebook.store.storage import read_bounded

        with suppress(OSError, ValueError):
            lines = read_bounded(Path(done), 1 << 20).decode().split("\n")
            picked = [line.split() for line in lines if line.strip()]
            if picked and len(picked[-1]) > 1:
                commits.add(picked[-1][1])
    return {c for c in commits if re.fullmatch(r"[0-9a-f]{7,64}", c)}


def _git(*args: str) -> str:
    """git's output in the work tree, or "" when it fails (then nothing is known)."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", *args], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout if done.returncode == 0 else ""


def _merge_milestone(
    target: Target, files: tuple[Path | None, Path, Path], path: str | None
) -> int:
    """Milestones never change: the same content is one milestone; other content under
    the same name is another milestone (whatever BASE held: neither is lost), so ours
    stays and theirs is written as NAME-N beside it."""
    from gatebook.milestone.point import digest_of_frozen
    from gatebook.milestone.store import MilestoneDamaged, check_name, read_milestone_file
    from gatebook.store.errors import InvalidInput

    sides: list[dict[str, Any] | None] = []
    for side, file in zip(SIDES, files, strict=True):
        try:
            sides.append(read_milestone_file(file, target.review, target.name) if file else None)
        except MilestoneDamaged as error:
            raise Refused(
                f"{side} {file}: not a milestone gatebook can read: {error.reason}"
            ) from None
    ours, theirs = sides[1], sides[2]
    assert ours is not None and theirs is not None
    if ours == theirs:
        return 0
    if path is None:
        raise Refused(
            f"{target.label}: both sides took milestone {target.name!r} with other content; "
            "give PATH (git passes it as %P) so theirs can be kept beside it"
        )
    folder = Path(path).parent
    incoming = _names_merged_in(folder)
    try:
        name = check_name(target.name)
        number = 2
        while (
            os.path.lexists(folder / f"{name}-{number}.json") or f"{name}-{number}.json" in incoming
        ):
            number += 1
        renamed_name = check_name(f"{name}-{number}")
    except InvalidInput as problem:
        raise Refused(f"PATH {path}: {problem}") from None
    renamed = dict(theirs, name=renamed_name)
    renamed["digest"] = digest_of_frozen(renamed)
    written = folder / f"{renamed_name}.json"
    _write(written, renamed)
    echo(
        f"{path}: both sides took milestone {name!r} with other content; kept ours, theirs "
        f"is now {written} (git add it)",
        err=True,
    )
    return 0
