"""Plan commands of `gatebook`: export, import, signoff, verify (DOMAIN.md "Plan")."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gatebook.cli import EXIT_STORE, Context, fail, main, pass_context, reports_problems
from gatebook.engine.answers import stored_answer_problems
from gatebook.plan.document import PlanError, parse_plan, review_from_data
from gatebook.plan.render import render_plan
from gatebook.plan.signoff import DECISIONS, SignoffRefused, make_signoff
from gatebook.plan.verify import verify_plan
from gatebook.questionnaire.models import Questionnaire
from gatebook.store.canonical import review_status
from gatebook.store.model import Review
from gatebook.store.storage import atomic_write_bytes, os_error_reason
from gatebook.terminal import echo

EXIT_VERIFY = 1


@main.command("export")
@click.argument("review_id")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@pass_context
@reports_problems
def export_command(obj: Context, review_id: str, output: Path | None) -> None:
    """Export a review as a Markdown plan (stdout, or -o FILE).

    The same review always exports to the same bytes; commit the file to git and
    check it later with `gatebook verify`.

    Example: gatebook export oqr-1a2b3c -o plans/acme-oqr.md
    """
    store = obj.store()
    review = store.get(review_id)
    text = render_plan(review, store.questionnaire_for(review))
    if output is None:
        if sys.stdout.isatty():
            echo(text, nl=False)
        else:  # piped into a file: the exact bytes `verify` checks
            click.echo(text, nl=False)
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(output, text.encode("utf-8"))
    except OSError as error:
        fail(f"error: cannot write {output}: {os_error_reason(error)}", EXIT_STORE)
    echo(f"wrote {output}", err=True)


MAX_PLAN_BYTES = 16 * 1024 * 1024


def read_plan_text(path: Path) -> str:
    """A plan's text, bounded: a plan is a document, never 16 MB."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PLAN_BYTES + 1)
    except OSError as error:
        fail(f"{path}:1:1: cannot read the plan: {os_error_reason(error)}")
    if len(raw) > MAX_PLAN_BYTES:
        fail(f"{path}:1:1: the plan is larger than {MAX_PLAN_BYTES // 2**20} MB, the limit")
    return raw.decode("utf-8")


def check_imported(path: Path, review: Review, questionnaire: Questionnaire) -> None:
    """An import is input: every value is checked as typing it would be (exit 2)."""
    problems = stored_answer_problems(
        questionnaire,
        review.answers,
        keyed={
            "note": review.notes,
            "not applicable": review.not_applicable,
            "follow-up": review.follow_ups,
        },
    )
    messages = [str(p) for p in problems]
    flag_ids = {risk.id for risk in questionnaire.risks}
    messages += [
        f"{key}: mitigation for an unknown flag id of {questionnaire.id}"
        for key in review.mitigations
        if key not in flag_ids
    ]
    roles = {role.id for role in questionnaire.signoff}
    messages += [
        f"sign-off role {s.role!r} is not a role of {questionnaire.id}"
        for s in review.signoffs
        if roles and s.role not in roles
    ]
    if messages:
        shown = "\n".join(f"{path}: invalid value: {m}" for m in messages[:20])
        fail(shown + "\nnothing was imported")


@main.command("import")
@click.argument("plan", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite the review with the same id.")
@pass_context
@reports_problems
def import_command(obj: Context, plan: Path, replace: bool) -> None:
    """Restore a review from a plan written by `gatebook export`; prints its id.

    A review with the plan's id already in the workspace is kept, and the import
    gets a new id, unless --replace.

    Example: gatebook import plans/acme-oqr.md
    """
    store = obj.store()
    try:
        review = review_from_data(parse_plan(read_plan_text(plan)).data, store.clock())
    except (PlanError, UnicodeDecodeError) as error:
        fail(f"{plan}: {error}")
    check_imported(plan, review, store.questionnaire_for(review))
    saved = store.save_imported(review, replace=replace)
    echo(saved.id)


@main.command("signoff")
@click.argument("review_id")
@click.option("--role", required=True, help="A sign-off role of the questionnaire.")
@click.option("--name", required=True, help="Who signs off (also the SSH principal).")
@click.option("--decision", required=True, type=click.Choice(DECISIONS))
@click.option("--comment", default="", help="Conditions, reasons.")
@click.option(
    "--override",
    metavar="REASON",
    help="Sign although required answers are missing or high flags lack a mitigation; "
    "the plan shows the reason.",
)
@click.option(
    "--sign-key",
    type=click.Path(dir_okay=False, path_type=Path),
    help="SSH private key to sign with (ssh-keygen -Y sign -n gatebook).",
)
@pass_context
@reports_problems
def signoff_command(
    obj: Context,
    review_id: str,
    role: str,
    name: str,
    decision: str,
    comment: str,
    override: str | None,
    sign_key: Path | None,
) -> None:
    """Record a sign-off bound to the review's current content (its digest).

    Changing an answer later voids it until signed again.

    Example: gatebook signoff oqr-1a2b3c --role reviewer --name "Ana Lima" --decision approved
    """
    store = obj.store()
    review = store.get(review_id)
    questionnaire = store.questionnaire_for(review)
    try:
        signoff = make_signoff(
            review,
            questionnaire,
            role=role,
            name=name,
            decision=decision,
            comment=comment,
            time=store.clock(),
            override=override,
            sign_key=sign_key,
        )
    except SignoffRefused as error:
        fail(f"error: {error}", EXIT_STORE)

    updated = store.modify(review_id, lambda current: current.signoffs.append(signoff))
    echo(f"{role}: {decision} by {signoff.name}; status {review_status(updated, questionnaire)}")


@main.command("verify")
@click.argument("plan", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option(
    "--allowed-signers",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="ssh-keygen allowed-signers file; without it signatures are reported unchecked.",
)
@pass_context
@reports_problems
def verify_command(obj: Context, plan: Path, allowed_signers: Path | None) -> None:
    """Check a plan: data matches its digest, text matches the data, signatures verify.

    Exit 0 when all hold, 1 naming what changed or which signature failed.
    Usable in a repository's CI.

    Example: gatebook verify plans/acme-oqr.md --allowed-signers .allowed_signers
    """
    try:
        text = read_plan_text(plan)
    except UnicodeDecodeError as error:
        fail(f"{plan}: not UTF-8 text ({error})", EXIT_VERIFY)
    report = verify_plan(text, obj.store().questionnaire_for, allowed_signers)
    for note in report.notes:
        echo(f"{plan}: {note}")
    for problem in report.problems:
        echo(f"{plan}: FAILED: {problem}", err=True)
    if not report.ok:
        raise SystemExit(EXIT_VERIFY)
    echo(f"{plan}: OK")
