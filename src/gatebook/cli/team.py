"""A workspace a team shares in git: init, the merge driver, conflicts, resolve."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from gatebook.cli.common import (
    FORMAT_OPTION,
    Context,
    fail,
    pass_context,
    reports_problems,
)
from gatebook.terminal import echo, echo_json

GITATTRIBUTES = """\
# gatebook: review, engagement and milestone files merge field by field
reviews/*.json merge=gatebook
engagements/*.json merge=gatebook
milestones/**/*.json merge=gatebook
"""
GITIGNORE = """\
# gatebook: caches, locks, temp files and personal settings stay out of git
index.json
locks/
*.gbtmp
recovery/
trash/
settings.json
journal.json
*.gbjournal
"""
MAX_MERGE_BYTES = 64 * 1024 * 1024


@click.command("init")
@click.option("--git", "use_git", is_flag=True, help="Also make it a git repository a team shares.")
@click.pass_context
def init_command(ctx: click.Context, use_git: bool) -> None:
    """Make a folder a gatebook workspace (--home, else $GATEBOOK_HOME, else the current
    folder): a `.gatebook` marker, so commands run inside it (or below) use it. With
    --git: `git init` if needed, .gitattributes and .gitignore, and the merge driver
    registered in the repository (run it again in a fresh clone: git config is not cloned).

    Example: cd acme-delivery && gatebook init --git
    """
    from gatebook.workspace import MARKER

    home = _init_home(ctx)
    _check_init_paths(home, use_git)
    try:
        home.mkdir(parents=True, exist_ok=True)
        (home / MARKER).write_text("gatebook workspace\n", encoding="utf-8")
    except OSError as error:
        fail(f"error: cannot make {home} a workspace: {error.strerror or error}", 1)
    for folder in FOLDERS:
        try:
            (home / folder).mkdir(exist_ok=True)
        except OSError as error:
            fail(f"error: cannot make {home / folder}: {error.strerror or error}", 1)
    if use_git:
        _init_git(home)
    echo(f"{home}: gatebook workspace{' in git' if use_git else ''}", err=True)


FOLDERS = ("reviews", "engagements", "milestones", "questionnaires", "plans")


def _check_init_paths(home: Path, use_git: bool) -> None:
    """Before anything is written: every path init makes must be absent or already of
    its kind (a folder a folder, a file a file); otherwise exit 2 naming it, so a
    half-made workspace is never left behind."""
    from gatebook.workspace import MARKER

    folders = [home, *(home / name for name in FOLDERS)]
    files = [home / MARKER, *((home / ".gitattributes", home / ".gitignore") if use_git else ())]
    for path, folder in [(p, True) for p in folders] + [(p, False) for p in files]:
        if not (path.exists() or path.is_symlink()):
            continue
        if folder and not path.is_dir():
            fail(
                f"error: {path} is in the way: it is not a folder (a file or a broken link); "
                "move it away and run gatebook init again. Nothing was changed."
            )
        if not folder and not path.is_file():
            fail(
                f"error: {path} is in the way: it is not a regular file; move it away and "
                "run gatebook init again. Nothing was changed."
            )


def _init_home(ctx: click.Context) -> Path:
    parent = ctx.parent
    given = parent.params.get("home") if parent is not None else None
    if given:
        return Path(given).expanduser().resolve()
    env = os.environ.get("GATEBOOK_HOME")
    return Path(env).expanduser().resolve() if env else Path.cwd()


def _git(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=home, capture_output=True, text=True, check=False, timeout=60
    )


def _init_git(home: Path) -> None:
    try:
        inside = _git(home, "rev-parse", "--show-toplevel")
    except FileNotFoundError:
        fail("error: git is not installed; install git, or run gatebook init without --git", 1)
    if inside.returncode != 0:
        made = _git(home, "init", "-q")
        if made.returncode != 0:
            fail(f"error: git init failed: {made.stderr.strip()}", 1)
    for name, text in ((".gitattributes", GITATTRIBUTES), (".gitignore", GITIGNORE)):
        path = home / name
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        missing = [line for line in text.splitlines() if line and line not in current]
        if missing:
            joined = ("" if not current or current.endswith("\n") else "\n") + "\n".join(missing)
            path.write_text(current + joined + "\n", encoding="utf-8")
    driver = f"{shlex.quote(sys.executable)} -m gatebook merge-file %O %A %B %P"
    for key, value in (
        ("merge.gatebook.name", "gatebook: merge reviews field by field"),
        ("merge.gatebook.driver", driver),
    ):
        done = _git(home, "config", key, value)
        if done.returncode != 0:
            fail(f"error: git config {key} failed: {done.stderr.strip()}", 1)


# ---- the merge driver --------------------------------------------------------------------


def _read_json(path: Path, what: str) -> Any:
    from gatebook.store.storage import TooLarge, read_bounded

    try:
        raw = read_bounded(path, MAX_MERGE_BYTES)
    except OSError as error:
        fail(f"error: {what} {path}: cannot read ({error.strerror or error})")
    except TooLarge as error:
        fail(f"error: {what} {path}: {error}; not a gatebook file")
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        fail(f"error: {what} {path}: not JSON ({error}); not a gatebook file, left as it is")


def _kind(data: Any) -> str | None:
    if isinstance(data, dict) and isinstance(data.get("review"), dict):
        return "review"
    if isinstance(data, dict) and "gatebook_milestone" in data:
        return "milestone"
    if isinstance(data, dict) and "members" in data and "start" in data:
        return "engagement"
    return None


@click.command("merge-file")
@click.argument("base", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("path", required=False, default=None)
def merge_file_command(base: Path, ours: Path, theirs: Path, path: str | None) -> None:
    """The git merge driver (`%O %A %B %P`): merge a review, engagement or milestone
    file field by field into OURS. Exit 0 merged, 1 merged with conflicts recorded in
    the review (settle them with `gatebook resolve`), 2 not a file of ours (OURS left
    as it is). `gatebook init --git` registers it.

    Example: gatebook merge-file base.json ours.json theirs.json reviews/oqr-1a2b3c.json
    """
    from gatebook.store.merge import NotMergeable

    label = path or str(ours)
    data = [_read_json(p, w) for p, w in ((base, "BASE"), (ours, "OURS"), (theirs, "THEIRS"))]
    kinds = {_kind(d) for d in data if d is not None}
    if data[1] is None or data[2] is None or len(kinds) != 1 or None in kinds:
        fail(f"error: {label}: not a gatebook review, engagement or milestone file; left as it is")
    kind = kinds.pop()
    assert kind is not None
    try:
        if kind == "milestone":
            status = _merge_milestone(data[1], data[2], ours, path)
        else:
            status = _merge_record(kind, data, ours, label)
    except NotMergeable as problem:
        fail(f"error: {label}: {problem}; left as it is")
    raise SystemExit(status)


def _review_of(doc: Any, label: str) -> dict[str, Any]:
    from pydantic import ValidationError

    from gatebook.store.merge import NotMergeable
    from gatebook.store.model import Review

    table = doc.get("review") if isinstance(doc, dict) else None
    documents = list(table.values()) if isinstance(table, dict) else []
    if len(documents) != 1 or not isinstance(documents[0], dict):
        raise NotMergeable("not one review document")
    try:
        return Review.model_validate(documents[0]).model_dump(mode="json")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise NotMergeable(f"not a review of ours ({where}: {first['msg']})") from None


def _merge_record(kind: str, data: list[Any], ours: Path, label: str) -> int:
    from pydantic import ValidationError

    from gatebook.store.merge import NotMergeable, merge_engagement_data, merge_review_data
    from gatebook.store.model import Review
    from gatebook.store.storage import atomic_write_bytes, canonical_file_bytes

    if kind == "review":
        sides = [_review_of(d, label) if d is not None else None for d in data]
        assert sides[1] is not None and sides[2] is not None
        merged = merge_review_data(sides[0], sides[1], sides[2])
        try:
            review = Review.model_validate(merged.data)
        except ValidationError as error:
            raise NotMergeable(
                f"the merge is not a valid review ({error.errors()[0]['msg']})"
            ) from None
        _check_values(review, label)
        document = {"review": {"1": review.model_dump(mode="json")}}
    else:
        from gatebook.engagement.model import Engagement

        try:
            sides_e = [
                Engagement.model_validate(d).model_dump(mode="json") if d else None for d in data
            ]
        except ValidationError as error:
            raise NotMergeable(f"not an engagement of ours ({error.errors()[0]['msg']})") from None
        assert sides_e[1] is not None and sides_e[2] is not None
        merged = merge_engagement_data(sides_e[0], sides_e[1], sides_e[2])
        document = Engagement.model_validate(merged.data).model_dump(mode="json")
    atomic_write_bytes(ours, canonical_file_bytes(document))
    for message in merged.messages:
        echo(f"{label}: {message}", err=True)
    if merged.conflicts:
        fields = ", ".join(c["field"] for c in merged.conflicts)
        echo(
            f"{label}: {len(merged.conflicts)} conflict(s) kept ours and recorded: {fields}; "
            "settle each with `gatebook resolve`",
            err=True,
        )
        return 1
    return 0


def _check_values(review: Any, label: str) -> None:
    """With a workspace at hand, say which merged values its questionnaire refuses."""
    from gatebook.engine.answers import stored_answer_problems
    from gatebook.questionnaire.problems import SourceError
    from gatebook.workspace import find_marked_home, make_catalog

    home = find_marked_home(Path.cwd())
    if home is None:
        return
    try:
        questionnaire = make_catalog(home).resolve(review.questionnaire)
    except (SourceError, OSError):
        return
    for problem in stored_answer_problems(questionnaire, review.answers):
        echo(f"{label}: warning: {problem}", err=True)


def _merge_milestone(ours: Any, theirs: Any, ours_path: Path, path: str | None) -> int:
    """Milestones never change: the same content is one milestone; other content under
    the same name keeps both, theirs renamed NAME-2 (or -3 ...) beside it."""
    from gatebook.milestone.point import digest_of_frozen
    from gatebook.store.storage import atomic_write_bytes, canonical_file_bytes

    if ours == theirs:
        return 0
    folder = Path(path).parent if path else ours_path.parent
    name = str(theirs.get("name", "milestone"))
    number = 2
    while (folder / f"{name}-{number}.json").exists():
        number += 1
    renamed = dict(theirs, name=f"{name}-{number}")
    renamed["digest"] = digest_of_frozen(renamed)
    target = folder / f"{name}-{number}.json"
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, canonical_file_bytes(renamed))
    echo(
        f"{path or ours_path}: both sides took milestone {name!r} with other content; kept "
        f"ours, theirs is now {target} (git add it)",
        err=True,
    )
    return 0


# ---- conflicts and resolve -------------------------------------------------------------------


@click.command("conflicts")
@click.argument("review_id", required=False)
@FORMAT_OPTION
@pass_context
@reports_problems
def conflicts_command(obj: Context, review_id: str | None, fmt: str) -> None:
    """List the conflicts a git merge recorded, in reviews and engagements (in one, when
    ID is given: an engagement when engagements/ID.json exists, else a review).

    Example: gatebook conflicts --format json
    """
    from gatebook.engagement.conflicts import workspace_conflicts

    found = workspace_conflicts(obj.store(), review_id)
    for problem in found.unreadable:
        echo(f"warning: {problem}", err=True)
    if fmt == "json":
        echo_json([row.to_json() for row in found.rows], indent=2, ensure_ascii=False)
        return
    if not found.rows:
        echo("No conflicts.")
    for row in found.rows:
        echo(
            f"{row.owner}: {row.field}: base {json.dumps(row.base)}, ours "
            f"{json.dumps(row.ours)}, theirs {json.dumps(row.theirs)}  ({row.file}; "
            f"gatebook resolve {row.owner} {row.field} --take ours|theirs|base)"
        )


@click.command("resolve")
@click.argument("review_id")
@click.argument("field")
@click.option("--take", type=click.Choice(["ours", "theirs", "base"]), default=None)
@click.option("--value", default=None, help="A value as `set` reads it.")
@pass_context
@reports_problems
def resolve_command(
    obj: Context, review_id: str, field: str, take: str | None, value: str | None
) -> None:
    """Settle one conflict a merge recorded: keep ours, theirs or base, or write a
    value (read and checked as `set`, `risk` or `escalate` read it; a register row or
    the escalation record as a JSON object). ID is an engagement when
    engagements/ID.json exists, else a review.

    Example: gatebook resolve oqr-1a2b3c answers.tcv_usd --take theirs
    """
    from gatebook.engagement.conflicts import is_engagement, settle_engagement_conflict
    from gatebook.store.resolve import resolution_changes

    if (take is None) == (value is None):
        fail("error: give --take ours|theirs|base or --value VALUE (one of them)")
    store = obj.store()
    if is_engagement(store, review_id):
        settle_engagement_conflict(store, review_id, field, take, value)
    else:
        review = store.get(review_id)
        changes = resolution_changes(review, store.questionnaire_for(review), field, take, value)
        store.settle_conflict(review_id, field, changes)
    echo(f"{review_id}: {field} settled", err=True)
