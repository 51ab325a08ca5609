"""The `gatebook` command: the TUI when run bare, headless commands for scripts.

Every command prints `path:LINE:COL: message` for a bad file and exits 2, never a
traceback. JSON output (`--format json`) is the automation contract of DOMAIN.md.
"""

from __future__ import annotations

import json
import sys
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
from gatebook.store import (
    InvalidReviewId,
    Review,
    ReviewNotFound,
    ReviewStore,
    StoreError,
    UnreadableReview,
)
from gatebook.store.storage import os_error_reason
from gatebook.terminal import echo, echo_json, undecodable_argument
from gatebook.workspace import (
    WorkspaceError,
    check_home,
    default_home,
    make_catalog,
    open_store,
    questionnaire_source,
)

P = ParamSpec("P")
R = TypeVar("R")
EXIT_INVALID = 2
EXIT_STORE = 1


@dataclass
class Context:
    home: Path
    questionnaire_dirs: list[Path] = field(default_factory=list)

    @property
    def catalog(self) -> Catalog:
        return make_catalog(self.home, self.questionnaire_dirs)

    def store(self) -> ReviewStore:
        try:
            check_home(self.home)
        except WorkspaceError as error:
            fail(f"error: {error}")
        return open_store(self.home, self.catalog)


def fail(message: str, status: int = EXIT_INVALID) -> NoReturn:
    echo(message, err=True)
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
        except (InvalidReviewId, WorkspaceError) as error:
            fail(f"error: {error}")
        except (ReviewNotFound, UnreadableReview, StoreError) as error:
            fail(f"error: {error}", EXIT_STORE)
        except OSError as error:
            fail(f"error: {os_error_reason(error)}", EXIT_STORE)

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
    bad = undecodable_argument(sys.argv[1:])
    if bad is not None:
        fail(f"error: the argument {bad!r} is not valid UTF-8 text; retype it")
    ctx.obj = Context(
        home=(home or default_home()).expanduser(), questionnaire_dirs=list(questionnaire_dir)
    )
    if ctx.invoked_subcommand is None:
        run_app(ctx.obj)


def run_app(obj: Context, review_id: str | None = None) -> None:
    """Start the terminal app (imports Textual only now, so scripts stay fast)."""
    from gatebook.tui.app import make_app

    try:
        check_home(obj.home)
        app = make_app(obj.home, obj.questionnaire_dirs, open_review_id=review_id)
    except (SourceError, StoreError, WorkspaceError) as error:
        fail(f"error: {error}")
    app.run()
    for path in app.recovered:
        echo(
            f"Some answers could not be saved; they are kept in {path}. "
            "`gatebook open` offers them back.",
            err=True,
        )
    if app.return_code:
        raise SystemExit(app.return_code)


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
        listed: list[dict[str, Any]] = [
            {
                "id": e.id,
                "title": e.title,
                "version": e.version,
                "path": str(e.path),
                "origin": e.origin,
                "replaces_builtin": e.replaces_builtin,
            }
            for e in entries
        ]
        listed.extend(
            {"id": None, "path": p.path, "origin": "user", "error": str(p)}
            for p in catalog.problems
        )
        echo_json(listed, indent=2, ensure_ascii=False)
        return
    for e in entries:
        note = "  (replaces the built-in)" if e.replaces_builtin else ""
        echo(f"{e.id:<14} {e.version:<8} {e.origin:<9} {e.title}{note}")
        if e.origin == "user":
            echo(f"{'':<14} {e.path}")
    for problem in catalog.problems:
        echo(f"{'BROKEN':<14} {'':<8} {'user':<9} {problem}")


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
            echo(str(error), err=True)
            failed = True
            continue
        problems = run_examples(questionnaire)
        for problem in problems:
            echo(str(problem), err=True)
        if problems:
            failed = True
        else:
            n = len(questionnaire.examples)
            echo(
                f"{path}: ok ({len(questionnaire.questions())} questions, "
                f"{len(questionnaire.risks)} risk rules, {n} example"
                f"{'' if n == 1 else 's'} passed)"
            )
    if failed:
        raise SystemExit(EXIT_INVALID)


def load_answers_file(path: Path) -> Any:
    """An answers file: a YAML (or JSON) mapping of question id to value."""
    from gatebook.questionnaire.loader import read_text

    data, _ = load_yaml(read_text(path), str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        fail(
            f"{path}:1:1: an answers file is a mapping of question id to value, e.g. `tcv_usd: 5M`"
        )
    return data


def print_evaluation_text(questionnaire: Questionnaire, result: Evaluation) -> None:
    echo(f"{questionnaire.title} ({questionnaire.id} {questionnaire.version})")
    echo(f"Progress: {result.progress:g}%  Complete: {'yes' if result.complete else 'no'}")
    if result.overall is not None or result.target is not None:
        overall = "-" if result.overall is None else f"{result.overall:g}"
        target = "-" if result.target is None else f"{result.target:g}"
        echo(f"Overall score: {overall} / target {target}")
    for key, score in result.scores.items():
        echo(f"  {key:<6} {'-' if score is None else f'{score:g}'}")
    counts = result.flag_counts()
    echo(f"Flags: {counts['high']} high, {counts['medium']} medium, {counts['low']} low")
    for flag in result.flags:
        echo(f"  [{flag.severity.upper()}] {flag.id}: {flag.title}")
        if flag.why:
            echo(f"      why: {flag.why}")
    for gate in result.gates.values():
        state = "passed" if gate.passed else "open"
        echo(f"Gate {gate.title}: {gate.met}/{gate.total} {state}")
    if result.escalate:
        echo("ESCALATE to senior leadership:")
        for reason in result.escalation_reasons:
            echo(f"  - {reason}")
    if result.missing:
        echo("Missing required answers:")
        for question_id in result.missing:
            question = questionnaire.question(question_id)
            echo(f"  - {question_id}: {question.prompt if question else ''}")


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
        echo_json(result.to_json(), indent=2, ensure_ascii=False)
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

    echo_json(questionnaire_schema(), indent=2)


# ---- review commands -------------------------------------------------------------------

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts.",
)


def split_assignment(text: str, option: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        fail(f"error: {option} expects ID=VALUE, got {text!r}")
    return key.strip(), value


@main.command("new")
@click.argument("questionnaire")
@click.option("--title", required=True, help="A name people recognise, e.g. 'Acme data platform'.")
@click.option("--subject", default="", help="Customer, engagement or ticket the review is about.")
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pre-fill from a YAML/JSON mapping of question id to value (e.g. a CRM export).",
)
@pass_context
@reports_problems
def new_command(
    obj: Context, questionnaire: str, title: str, subject: str, answers_path: Path | None
) -> None:
    """Start a review and print its id (only the id, for scripts).

    Example: id=$(gatebook new oqr --title "Acme data platform" --answers crm.yaml)
    """
    definition = obj.catalog.resolve(questionnaire)
    read = read_answers(definition, load_answers_file(answers_path)) if answers_path else None
    review = obj.store().create(
        definition,
        title,
        subject=subject,
        answers=read.answers if read else None,
        not_applicable=read.not_applicable if read else None,
        questionnaire_path=questionnaire_source(questionnaire),
    )
    echo(review.id)


@main.command("set")
@click.argument("review_id")
@click.argument("assignments", nargs=-1)
@click.option("--note", "notes", multiple=True, metavar="ID=TEXT", help="Note on a question.")
@click.option(
    "--na",
    "not_applicable",
    multiple=True,
    metavar="ID=REASON",
    help="Mark a question not applicable (ID= clears the mark).",
)
@click.option(
    "--follow-up",
    "follow_ups",
    multiple=True,
    metavar="ID",
    help="Mark a question to come back to.",
)
@click.option("--done", "done", multiple=True, metavar="ID", help="Clear a follow-up mark.")
@click.option(
    "--mitigation",
    "mitigations",
    multiple=True,
    metavar="FLAG=TEXT",
    help="The mitigation for a raised flag.",
)
@pass_context
@reports_problems
def set_command(
    obj: Context,
    review_id: str,
    assignments: tuple[str, ...],
    notes: tuple[str, ...],
    not_applicable: tuple[str, ...],
    follow_ups: tuple[str, ...],
    done: tuple[str, ...],
    mitigations: tuple[str, ...],
) -> None:
    """Set answers as a person types them: ID=VALUE (ID=a,b for a multichoice,
    JSON for a table, ID= clears). All values are read first; if one cannot be
    read nothing is written.

    Example: gatebook set oqr-1a2b3c tcv_usd=5.5M regulated_data=pii,phi --note tcv_usd="per CRM"
    """
    from gatebook.engine.answers import read_answer
    from gatebook.store import Change

    store = obj.store()
    review = store.get(review_id)
    definition = store.questionnaire_for(review)

    def known(question_id: str) -> str:
        if definition.question(question_id) is None:
            raise AnswerProblem(question_id, f"unknown question id for {definition.id}")
        return question_id

    changes: list[Change] = []
    for text in assignments:
        key, raw = split_assignment(text, "ID=VALUE")
        changes.append(Change("answer", key, read_answer(definition, key, raw)))
    for text in notes:
        key, raw = split_assignment(text, "--note")
        changes.append(Change("note", known(key), raw))
    for text in not_applicable:
        key, raw = split_assignment(text, "--na")
        changes.append(Change("not_applicable", known(key), raw if raw else None))
    changes.extend(Change("follow_up", known(key), True) for key in follow_ups)
    changes.extend(Change("follow_up", known(key), False) for key in done)
    flag_ids = {risk.id for risk in definition.risks}
    for text in mitigations:
        key, raw = split_assignment(text, "--mitigation")
        if key not in flag_ids:
            fail(f"error: {key}: unknown flag id for {definition.id}")
        changes.append(Change("mitigation", key, raw))
    if not changes:
        fail("error: nothing to set; give ID=VALUE or an option (see --help)")
    _, entries = store.update(review_id, changes)
    echo(f"{review_id}: {len(entries)} change{'' if len(entries) == 1 else 's'} saved", err=True)


def review_json(store: ReviewStore, review: Review) -> dict[str, Any]:
    from gatebook.store.canonical import content_digest, review_status, signoff_views

    definition = store.questionnaire_for(review)
    result = evaluate(definition, review.answers, review.not_applicable)
    digest = content_digest(review)
    views = signoff_views(review, definition)
    return {
        "id": review.id,
        "questionnaire": review.questionnaire,
        "version": review.version,
        "questionnaire_version": definition.version,
        "title": review.title,
        "subject": review.subject,
        "answers": review.answers,
        "notes": review.notes,
        "not_applicable": review.not_applicable,
        "follow_ups": review.follow_ups,
        "mitigations": review.mitigations,
        "signoffs": [
            {
                **v.signoff.model_dump(mode="json"),
                "void": v.state == "void",
                "current": v.current,
                "state": v.state,
                "changed_since": v.changed,
            }
            for v in views
        ],
        "status": review_status(review, definition),
        "digest": digest,
        "orphaned": {k: v for k, v in review.answers.items() if definition.question(k) is None},
        "created": review.created,
        "updated": review.updated,
        "evaluation": result.to_json(),
    }


@main.command("show")
@click.argument("review_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def show_command(obj: Context, review_id: str, fmt: str) -> None:
    """Show a review: answers, notes, flags, scores, status.

    Example: gatebook show oqr-1a2b3c --format json
    """
    from gatebook.engine.formatting import format_value

    store = obj.store()
    review = store.get(review_id)
    data = review_json(store, review)
    if fmt == "json":
        echo_json(data, indent=2, ensure_ascii=False)
        return
    definition = store.questionnaire_for(review)
    echo(f"{review.title}  [{review.id}]  status: {data['status']}")
    if review.subject:
        echo(f"Subject: {review.subject}")
    print_evaluation_text(definition, evaluate(definition, review.answers, review.not_applicable))
    for section in definition.sections:
        lines = []
        for question in section.questions:
            if question.id in review.not_applicable:
                lines.append(f"  {question.prompt}: N/A ({review.not_applicable[question.id]})")
            elif question.id in review.answers:
                lines.append(
                    f"  {question.prompt}: {format_value(question, review.answers[question.id])}"
                )
            if question.id in review.notes:
                lines.append(f"    note: {review.notes[question.id]}")
        if lines:
            echo(f"\n{section.title}")
            echo("\n".join(lines))
    if review.follow_ups:
        echo("\nFollow-ups: " + ", ".join(review.follow_ups))
    if data["signoffs"]:
        echo("\nSign-offs:")
    for signoff in data["signoffs"]:
        state = "VOID (content changed since)" if signoff["void"] else "current"
        if not signoff["current"]:
            state = "superseded"
        extra = f", override: {signoff['override']}" if signoff.get("override") else ""
        echo(
            f"  {signoff['role']}: {signoff['decision']} by {signoff['name']} at "
            f"{signoff['time']} [{state}{extra}]"
        )
    if data["orphaned"]:
        echo("\nAnswers to questions this questionnaire version no longer has (kept):")
        for key, value in data["orphaned"].items():
            echo(f"  {key}: {value}")


@main.command("list")
@FORMAT_OPTION
@click.option(
    "--trash", is_flag=True, help="List the deleted copies instead, with when each was deleted."
)
@pass_context
@reports_problems
def list_command(obj: Context, fmt: str, trash: bool) -> None:
    """List the workspace's reviews, newest change first.

    A review that cannot be read is listed as UNREADABLE with the reason (JSON:
    "unreadable"); every other review still lists.

    Example: gatebook list --format json
    """
    if trash:
        list_trash(obj.store(), fmt)
        return
    summaries = obj.store().summaries()
    if fmt == "json":
        echo_json([s.model_dump(mode="json") for s in summaries], indent=2, ensure_ascii=False)
        return
    if not summaries:
        echo("No reviews yet. Start one with: gatebook new oqr --title 'Acme'")
    for s in summaries:
        if s.unreadable:
            echo(f"{s.id:<18} UNREADABLE: {s.unreadable}")
            continue
        score = "-" if s.overall is None else f"{s.overall:g}"
        echo(
            f"{s.id:<18} {s.questionnaire:<10} {s.progress:>5.1f}%  H{s.high} M{s.medium} "
            f"score {score:<5} {s.status:<16} {s.updated}  {s.title}"
        )


def list_trash(store: ReviewStore, fmt: str) -> None:
    entries = store.trash_entries()
    if fmt == "json":
        echo_json(
            [{"id": e.id, "deleted": e.deleted, "path": str(e.path)} for e in entries], indent=2
        )
        return
    if not entries:
        echo("The trash is empty.")
    for entry in entries:
        echo(f"{entry.id:<18} deleted {entry.deleted}  {entry.path}")


@main.command("history")
@click.argument("review_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def history_command(obj: Context, review_id: str, fmt: str) -> None:
    """Every change to a review: when, who, what, old -> new.

    Example: gatebook history oqr-1a2b3c
    """
    review = obj.store().get(review_id)
    if fmt == "json":
        echo_json([h.model_dump(mode="json") for h in review.history], indent=2, ensure_ascii=False)
        return
    for entry in review.history:
        mark = " (undone)" if entry.undone else (" (undo)" if entry.undo_of is not None else "")
        echo(
            f"{entry.time}  {entry.user:<10} {entry.kind:<14} {entry.key}: "
            f"{json.dumps(entry.old, ensure_ascii=False)} -> "
            f"{json.dumps(entry.new, ensure_ascii=False)}{mark}"
        )


@main.command("undo")
@click.argument("review_id")
@pass_context
@reports_problems
def undo_command(obj: Context, review_id: str) -> None:
    """Undo the last change to a review (repeat to go further back).

    Example: gatebook undo oqr-1a2b3c
    """
    entry = obj.store().undo(review_id)
    if entry is None:
        echo("nothing to undo")
    else:
        echo(f"undid {entry.kind} {entry.key}: back to {json.dumps(entry.new, ensure_ascii=False)}")


@main.command("delete")
@click.argument("review_id")
@pass_context
@reports_problems
def delete_command(obj: Context, review_id: str) -> None:
    """Move a review to the trash (gatebook restore brings it back).

    Example: gatebook delete oqr-1a2b3c
    """
    target = obj.store().delete(review_id)
    echo(f"moved {review_id} to the trash ({target}); undo with: gatebook restore {review_id}")


@main.command("restore")
@click.argument("review_id")
@pass_context
@reports_problems
def restore_command(obj: Context, review_id: str) -> None:
    """Bring a review back from the trash (its newest deleted copy; older copies
    stay, see `gatebook list --trash`).

    Example: gatebook restore oqr-1a2b3c
    """
    review = obj.store().restore(review_id)
    echo(f"restored {review.id}: {review.title}")


@main.command("open")
@click.argument("review_id")
@pass_context
def open_command(obj: Context, review_id: str) -> None:
    """Open the app straight into a review, on the question you were last on.

    Example: gatebook open oqr-1a2b3c
    """
    from gatebook.questionnaire.ids import InvalidId, check_document_id

    try:
        check_document_id(review_id)
    except InvalidId as error:
        fail(f"error: {error}")
    run_app(obj, review_id)


@main.command("serve")
@click.option("--host", default="localhost", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--token-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read the access token from FILE (for scripts) instead of making a random one.",
)
@click.option(
    "--public-host",
    metavar="NAME",
    help="The name browsers use to reach this machine (sent as Host); required to listen "
    "on anything but loopback.",
)
@pass_context
def serve_command(
    obj: Context, host: str, port: int, token_file: Path | None, public_host: str | None
) -> None:
    """Serve the app to a browser on this machine (works offline).

    For a colleague who joins from a laptop without a terminal. Each start makes a
    random access token and prints the URL with it (http://localhost:PORT/?token=...):
    a request without the token gets 403, and so does a WebSocket from another
    origin or a request for another Host (DNS rebinding). Each tab runs its own
    session on the same workspace. Stop with ctrl+c.

    Example: gatebook serve --port 8123
    """
    try:
        from gatebook.tui.serve import is_loopback, serve
    except ImportError as error:  # pragma: no cover - depends on the install
        fail(f"error: {error}. Install the extra: pip install 'gatebook[serve]'")
    token = None
    if token_file is not None:
        token = token_file.read_text(encoding="utf-8", errors="replace").strip()
        if len(token) < 16 or any(c.isspace() or not c.isprintable() for c in token):
            fail(f"error: {token_file}: the token must be at least 16 printable characters")
    if not is_loopback(host):
        if not public_host:
            fail(
                f"error: --host {host} makes the review reachable from the network; give "
                "--public-host NAME (the name browsers will use) to do that on purpose"
            )
        echo(
            f"WARNING: listening on {host}: anyone on the network who has the URL's token "
            "can type into your reviews.",
            err=True,
        )
    check_home(obj.home)
    serve(obj.home, obj.questionnaire_dirs, host, port, token=token, public_host=public_host)


# The plan commands live in their own module; importing it registers them on `main`.
from gatebook import cli_plan  # noqa: E402,F401


@main.command("import-lens")
@click.argument("lens", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@reports_problems
def import_lens_command(lens: Path, output: Path | None) -> None:
    """Convert an AWS Well-Architected custom lens (JSON) into a gatebook questionnaire.

    The result runs offline with the console's risk results (first matching rule
    wins), plus notes, follow-ups, N/A with reasons and a Markdown plan. A lens
    file can also be named directly wherever a questionnaire is expected.

    Example: gatebook import-lens my-lens.json -o questionnaires/my-lens.yaml
    """
    import yaml

    from gatebook.questionnaire.lens import load_lens_text
    from gatebook.questionnaire.loader import questionnaire_from_data, read_text
    from gatebook.questionnaire.source import SourceMap
    from gatebook.store.storage import atomic_write_bytes

    data = load_lens_text(read_text(lens), str(lens))
    questionnaire_from_data(data, SourceMap(str(lens), None))  # refuse what would not load
    header = f"# Imported from {lens.name} by `gatebook import-lens`.\n"
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if output is None:
        echo(text, nl=False)
        return
    atomic_write_bytes(output, text.encode("utf-8"))
    echo(f"wrote {output}", err=True)
