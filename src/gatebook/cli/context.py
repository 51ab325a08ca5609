"""The workspace context every command gets, `fail` and the exit statuses
(docs/contracts.md "Exit statuses"). Light on purpose: starting the app imports this,
not the commands' modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from gatebook.terminal import echo

if TYPE_CHECKING:
    from gatebook.questionnaire.catalog import Catalog
    from gatebook.store import ReviewStore

EXIT_INVALID = 2
EXIT_STORE = 1
EXIT_VERIFY = 1


@dataclass
class Context:
    home: Path
    questionnaire_dirs: list[Path] = field(default_factory=list)

    @property
    def catalog(self) -> Catalog:
        from gatebook.workspace import make_catalog

        return make_catalog(self.home, self.questionnaire_dirs)

    def store(self) -> ReviewStore:
        from gatebook.workspace import WorkspaceError, check_home, open_store

        try:
            check_home(self.home)
        except WorkspaceError as error:
            fail(f"error: {error}")
        return open_store(self.home, self.catalog)


def fail(message: str, status: int = EXIT_INVALID) -> NoReturn:
    echo(message, err=True)
    raise SystemExit(status)


pass_context = click.make_pass_decorator(Context)
