"""An interrupted change across files, found when a command starts (store/journal.py).

A command that writes settles it first and says how (completed, or rolled back); a
command that only reads leaves it alone and warns that what it shows may hold half of
a change. The stores settle it too before any write, so this is what makes it seen.
"""

from __future__ import annotations

import os
from pathlib import Path

from gatebook.cli.context import EXIT_STORE, fail
from gatebook.terminal import echo

READ_ONLY = frozenset(
    {
        "questionnaires",
        "eval",
        "show",
        "list",
        "history",
        "next",
        "export",
        "verify",
        "milestones",
        "diff",
        "conflicts",
        "report",
    }
)
"""Top-level commands that never write the workspace: they only warn."""
ENGAGEMENT_READ_ONLY = frozenset({"list", "show", "plan", "diff"})
APP_STARTS = frozenset({"open", "serve"})
"""The app settles it at its start, where the consultant can see the notification."""


def settle_or_warn(home: Path, *, write: bool) -> None:
    from gatebook.store.errors import StoreError
    from gatebook.store.journal import JOURNAL_FILE, pending, settle

    if not os.path.lexists(home / JOURNAL_FILE):
        return
    if not write:
        try:
            names = pending(home)
        except StoreError as error:
            echo(f"warning: {error}", err=True)
            return
        if names:
            echo(
                f"warning: {JOURNAL_FILE}: an interrupted change to {', '.join(names)} is "
                "pending; what this shows may hold part of it (the next command that writes "
                "completes or rolls it back)",
                err=True,
            )
        return
    try:
        settled = settle(home)
    except StoreError as error:
        fail(f"error: {error}", EXIT_STORE)
    if settled is not None:
        echo(settled.message, err=True)
