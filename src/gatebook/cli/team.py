"""A workspace a team shares in git: init, conflicts, resolve (the merge driver is
cli/merge_file.py)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

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
