"""The `gatebook` command: the TUI when run bare, headless commands for scripts.

Every command prints `path:LINE:COL: message` for a bad file and exits 2, never a
traceback. JSON output (`--format json`) is the automation contract of DOMAIN.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

import click

from gatebook import __version__
from gatebook.engine import Evaluation, evaluate
from gatebook.engine.answers import AnswerProblem, read_answers
from gatebook.questionnaire.catalog import Catalog
from gatebook.questionnaire.models import Questionnaire
from gatebook.questionnaire.source import SourceError, load_yaml

P = ParamSpec("P")
R = TypeVar("R")
EXIT_INVALID = 2


def default_home() -> Path:
    """`$GATEBOOK_HOME`, else the platform's user data folder."""
    env = os.environ.get("GATEBOOK_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("gatebook", appauthor=False))


@dataclass
class Context:
    home: Path
    questionnaire_dirs: list[Path] = field(default_factory=list)

    @property
    def catalog(self) -> Catalog:
        return Catalog([self.home / "questionnaires", *self.questionnaire_dirs])


def fail(message: str, status: int = EXIT_INVALID) -> NoReturn:
    click.echo(message, err=True)
    raise SystemExit(status)


def reports_problems(function: Callable[P, R]) -> Callable[P, R]:
    """Turn our known errors into `file:line:col: message` on stderr and exit status 2."""

    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except SourceError as error:
            fail(str(error))
        except AnswerProblem as problem:
            fail(f"error: {problem}")

    return wrapper


pass_context = click.make_pass_decorator(Context)


@click.group(
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    help="Workspace folder (reviews, settings). Default: $GATEBOOK_HOME, else your user "
    "data folder.",
)
@click.option(
    "--questionnaires",
    "questionnaire_dir",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    help="Extra folder of questionnaire files (YAML or AWS lens JSON). Repeatable.",
)
@click.version_option(__version__, prog_name="gatebook")
@click.pass_context
def main(ctx: click.Context, home: Path | None, questionnaire_dir: tuple[Path, ...]) -> None:
    """Run structured delivery reviews (OQR, PESA, S2D, OKR intake) during live calls.

    Run with no command to open the review app. Commands below are for scripts and
    quick checks.

    \b
    Examples:
      gatebook                                  open the app
      gatebook eval oqr --answers deal.yaml     flags, scores and gates for answers
      gatebook validate my-questionnaire.yaml   check a questionnaire and its examples
    """
    ctx.obj = Context(
        home=(home or default_home()).expanduser(), questionnaire_dirs=list(questionnaire_dir)
    )
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())


@main.command("questionnaires")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
@pass_context
@reports_problems
def questionnaires_command(obj: Context, fmt: str) -> None:
    """List the questionnaires you can start a review with.

    Built-ins ship with gatebook; user ones come from the workspace's
    questionnaires/ folder and --questionnaires DIR. A user file with a built-in's
    id replaces it.

    Example: gatebook --questionnaires ./team-lenses questionnaires
    """
    catalog = obj.catalog
    entries = catalog.entries()
    if fmt == "json":
        click.echo(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "title": e.title,
                        "version": e.version,
                        "path": str(e.path),
                        "origin": e.origin,
                        "replaces_builtin": e.replaces_builtin,
                    }
                    for e in entries
                ],
                indent=2,
            )
        )
    else:
        for e in entries:
            note = "  (replaces the built-in)" if e.replaces_builtin else ""
            click.echo(f"{e.id:<14} {e.version:<8} {e.origin:<9} {e.title}{note}")
            if e.origin == "user":
                click.echo(f"{'':<14} {e.path}")
    for problem in catalog.problems:
        click.echo(f"skipped: {problem}", err=True)


@main.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Check questionnaire files and run their examples.

    Prints file:line:col: message for each problem and exits 2 when any file has
    one; prints "ok" per good file otherwise.

    Example: gatebook validate questionnaires/*.yaml
    """
    from gatebook.examples import run_examples
    from gatebook.questionnaire import load_questionnaire

    failed = False
    for path in paths:
        try:
            questionnaire = load_questionnaire(path)
        except SourceError as error:
            click.echo(str(error), err=True)
            failed = True
            continue
        problems = run_examples(questionnaire)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            failed = True
        else:
            n = len(questionnaire.examples)
            click.echo(
                f"{path}: ok ({len(questionnaire.questions())} questions, "
                f"{len(questionnaire.risks)} risk rules, {n} example"
                f"{'' if n == 1 else 's'} passed)"
            )
    if failed:
        raise SystemExit(EXIT_INVALID)


def load_answers_file(path: Path) -> Any:
    """An answers file: a YAML (or JSON) mapping of question id to value."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        fail(f"{path}:1:1: cannot read the answers file: {error.strerror or error}")
    data, _ = load_yaml(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        fail(
            f"{path}:1:1: an answers file is a mapping of question id to value, e.g. `tcv_usd: 5M`"
        )
    return data


def print_evaluation_text(questionnaire: Questionnaire, result: Evaluation) -> None:
    click.echo(f"{questionnaire.title} ({questionnaire.id} {questionnaire.version})")
    click.echo(f"Progress: {result.progress:g}%  Complete: {'yes' if result.complete else 'no'}")
    if result.overall is not None or result.target is not None:
        overall = "-" if result.overall is None else f"{result.overall:g}"
        target = "-" if result.target is None else f"{result.target:g}"
        click.echo(f"Overall score: {overall} / target {target}")
    for key, score in result.scores.items():
        click.echo(f"  {key:<6} {'-' if score is None else f'{score:g}'}")
    counts = result.flag_counts()
    click.echo(f"Flags: {counts['high']} high, {counts['medium']} medium, {counts['low']} low")
    for flag in result.flags:
        click.echo(f"  [{flag.severity.upper()}] {flag.id}: {flag.title}")
        if flag.why:
            click.echo(f"      why: {flag.why}")
    for gate in result.gates.values():
        state = "passed" if gate.passed else "open"
        click.echo(f"Gate {gate.title}: {gate.met}/{gate.total} {state}")
    if result.escalate:
        click.echo("ESCALATE to senior leadership:")
        for reason in result.escalation_reasons:
            click.echo(f"  - {reason}")
    if result.missing:
        click.echo("Missing required answers:")
        for question_id in result.missing:
            question = questionnaire.question(question_id)
            click.echo(f"  - {question_id}: {question.prompt if question else ''}")


def evaluation_json(questionnaire: Questionnaire, result: Evaluation) -> str:
    return json.dumps(result.to_json(), indent=2, ensure_ascii=False)


@main.command("eval")
@click.argument("questionnaire")
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON mapping of question id to value, as a person would type it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)
@pass_context
@reports_problems
def eval_command(obj: Context, questionnaire: str, answers_path: Path, fmt: str) -> None:
    """Evaluate answers: flags, scores, gates, escalation, what is missing.

    QUESTIONNAIRE is a questionnaire id (oqr, pesa, s2d, okr-intake, or a user one)
    or a path to a file. Exit status 0 when the answers were read (flags or not), 2
    when the questionnaire or the answers are invalid.

    Example: gatebook eval oqr --answers deal.yaml --format json
    """
    definition = obj.catalog.resolve(questionnaire)
    read = read_answers(definition, load_answers_file(answers_path))
    result = evaluate(definition, read.answers, read.not_applicable)
    if fmt == "json":
        click.echo(evaluation_json(definition, result))
    else:
        print_evaluation_text(definition, result)


@main.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of questionnaire files, for editors.

    Save it and put this line at the top of a questionnaire file:

    \b
      # yaml-language-server: $schema=./gatebook.schema.json

    Example: gatebook schema > gatebook.schema.json
    """
    from gatebook.questionnaire.schema import questionnaire_schema

    click.echo(json.dumps(questionnaire_schema(), indent=2))
