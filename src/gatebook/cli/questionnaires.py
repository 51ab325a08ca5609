"""Questionnaire commands: list them, validate files, evaluate answers, the schema,
AWS lens import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from gatebook.cli.common import (
    EXIT_INVALID,
    FORMAT_OPTION,
    Context,
    pass_context,
    read_answers_file,
    reports_problems,
)
from gatebook.engine import Evaluation, evaluate
from gatebook.engine.formatting import score_text
from gatebook.questionnaire.models import Questionnaire
from gatebook.questionnaire.source import SourceError
from gatebook.store.storage import atomic_write_bytes
from gatebook.terminal import echo, echo_json


@click.command("questionnaires")
@FORMAT_OPTION
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


@click.command("validate")
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


def print_evaluation_text(questionnaire: Questionnaire, result: Evaluation) -> None:
    echo(f"{questionnaire.title} ({questionnaire.id} {questionnaire.version})")
    echo(f"Progress: {result.progress:g}%  Complete: {'yes' if result.complete else 'no'}")
    if result.overall is not None or result.target is not None:
        echo(f"Overall score: {score_text(result.overall)} / target {score_text(result.target)}")
    for key, score in result.scores.items():
        echo(f"  {key:<6} {score_text(score)}")
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
    for warning in result.warnings:
        echo(f"Warning: {warning.message}")
    if result.missing:
        echo("Missing required answers:")
        for question_id in result.missing:
            question = questionnaire.question(question_id)
            echo(f"  - {question_id}: {question.prompt if question else ''}")


@click.command("eval")
@click.argument("questionnaire")
@click.option(
    "--answers",
    "answers_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML or JSON mapping of question id to value, as a person would type it.",
)
@FORMAT_OPTION
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
    read = read_answers_file(definition, answers_path)
    result = evaluate(definition, read.answers, read.not_applicable)
    if fmt == "json":
        echo_json(result.to_json(), indent=2, ensure_ascii=False)
    else:
        print_evaluation_text(definition, result)


@click.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of questionnaire files, for editors.

    Save it and put this line at the top of a questionnaire file:

    \b
      # yaml-language-server: $schema=./gatebook.schema.json

    Example: gatebook schema > gatebook.schema.json
    """
    from gatebook.questionnaire.schema import questionnaire_schema

    echo_json(questionnaire_schema(), indent=2)


@click.command("import-lens")
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

    data = load_lens_text(read_text(lens), str(lens))
    questionnaire_from_data(data, SourceMap(str(lens), None))  # refuse what would not load
    header = f"# Imported from {lens.name} by `gatebook import-lens`.\n"
    text = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if output is None:
        echo(text, nl=False)
        return
    atomic_write_bytes(output, text.encode("utf-8"))
    echo(f"wrote {output}", err=True)
