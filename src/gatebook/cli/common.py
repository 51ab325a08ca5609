"""What every command shares: the workspace context, `file:line:col` errors and exit
statuses (docs/contracts.md "Exit statuses"), the answers-file reader."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from gatebook.cli.context import (
    EXIT_INVALID,
    EXIT_STORE,
    EXIT_VERIFY,
    Context,
    fail,
    pass_context,
)
from gatebook.engine.answers import AnswerProblem, ReadAnswers, read_answers
from gatebook.questionnaire.models import Questionnaire
from gatebook.questionnaire.source import SourceError, SourceMap, load_yaml
from gatebook.store import (
    InvalidReviewId,
    Review,
    ReviewNotFound,
    ReviewStore,
    StoreError,
    UnreadableReview,
)
from gatebook.store.errors import InvalidInput
from gatebook.store.records import RecordProblem
from gatebook.store.storage import os_error_reason
from gatebook.terminal import echo
from gatebook.workspace import (
    WorkspaceError,
)

__all__ = [  # the context's names, for the commands that import them from here
    "EXIT_INVALID",
    "EXIT_STORE",
    "EXIT_VERIFY",
    "Context",
    "fail",
    "pass_context",
    "reports_problems",
]

P = ParamSpec("P")
R = TypeVar("R")


def reports_problems(function: Callable[P, R]) -> Callable[P, R]:
    """Turn our known errors into `file:line:col: message` on stderr and exit status 2."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except SourceError as error:
            fail(str(error))
        except (AnswerProblem, RecordProblem) as problem:
            fail(f"error: {problem}")
        except (InvalidReviewId, InvalidInput, WorkspaceError) as error:
            fail(f"error: {error}")
        except (ReviewNotFound, UnreadableReview, StoreError) as error:
            fail(f"error: {error}", EXIT_STORE)
        except BrokenPipeError:  # `gatebook show X | head`: the reader left, say nothing
            _quiet_stdout()
            raise SystemExit(EXIT_STORE) from None
        except OSError as error:
            fail(f"error: {os_error_reason(error)}", EXIT_STORE)

    return wrapper


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so Python's exit flush does not fail again."""
    import os
    import sys

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def format_option(
    help_text: str = "text for people, json for scripts.",
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """`--format text|json`, text by default (docs/contracts.md)."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help=help_text,
    )


FORMAT_OPTION = format_option()


def split_assignment(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        fail(f"error: {option} expects ID=VALUE, got {text!r}")
    return key.strip(), value


def _answers_data(path: Path) -> tuple[dict[str, Any], SourceMap]:
    from gatebook.questionnaire.loader import read_text

    data, source = load_yaml(read_text(path), str(path), keep_unreadable=True)
    if data is None:
        return {}, source
    if not isinstance(data, dict):
        fail(
            f"{path}:1:1: an answers file is a mapping of question id to value, e.g. `tcv_usd: 5M`"
        )
    return data, source


def read_answers_file(questionnaire: Questionnaire, path: Path) -> ReadAnswers:
    """Read an answers file for `questionnaire`; a value that cannot be taken is reported
    at its own `file:line:col` (the key for an unknown question id), exit 2."""
    data, source = _answers_data(path)
    try:
        return read_answers(questionnaire, data)
    except AnswerProblem as problem:
        at_key = questionnaire.question(problem.question_id) is None
        raise SourceError(
            [source.problem((problem.question_id,), str(problem), at_key=at_key)]
        ) from None


def upgrade_before_change(
    store: ReviewStore, review: Review, questionnaire: Questionnaire | None = None
) -> bool:
    """The one place a command's first change upgrades a review on an earlier version of
    its questionnaire (docs/contracts.md "Versions"): say which sign-offs it voids, freeze
    the review as it was (`before-upgrade-N`), then move it to the live version. Call it
    after the change was checked (against `store.upgrade_target(review)`), before writing
    it. The version it moves to is always the store's live one, whatever `questionnaire`
    the caller checked with. True when it upgraded (the review on disk changed)."""
    from gatebook.milestone.service import pending_upgrade, upgrade_first

    upgrade = pending_upgrade(store, review)
    if upgrade is None:
        return False
    if upgrade.voided:
        echo(upgrade.voids_line(), err=True)
    review_id = review.id
    name = upgrade_first(store, review)
    echo(
        f"{review_id}: upgraded {upgrade.questionnaire} {upgrade.from_version} -> "
        f"{upgrade.to_version}; took milestone {name} first (gatebook diff {review_id} "
        f"{name} shows what the upgrade changes)",
        err=True,
    )
    return name is not None
