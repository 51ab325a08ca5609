"""Plan commands: export, import, signoff, verify (docs/contracts.md "Plans")."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gatebook.cli.common import (
    EXIT_STORE,
    EXIT_VERIFY,
    Context,
    fail,
    format_option,
    pass_context,
    reports_problems,
    upgrade_before_change,
)
from gatebook.cli.plan_checks import (
    accept_report,
    check_imported,
    read_plan_text,
    run_verify,
    run_verify_labelled,
)
from gatebook.plan.render import render_plan
from gatebook.plan.signoff import DECISIONS, SignoffRefused, git_signing_key, make_signoff
from gatebook.plan.verify import VerifyReport
from gatebook.questionnaire.ids import did_you_mean
from gatebook.store.canonical import review_status
from gatebook.store.model import Review
from gatebook.store.resolve import open_conflicts_message
from gatebook.store.storage import atomic_write_bytes, os_error_reason
from gatebook.terminal import echo, echo_json

ALLOWED_SIGNERS_HELP = (
    "ssh-keygen allowed-signers file (principal: the signer's name as recorded); "
    "without it signatures are reported present but unchecked."
)


def refuse_open_conflicts(review: Review, outcome: str) -> None:
    """A plan or a sign-off of a review a merge left with open conflicts would show (or
    approve) only our side of them: exit 1, naming each and how to settle it."""
    message = open_conflicts_message(review)
    if message is not None:
        fail(f"error: {message}; {outcome}", EXIT_STORE)


@click.command("export")
@click.argument("review_id")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.option(
    "--since",
    "since_name",
    metavar="MILESTONE",
    default=None,
    help="Add the chapter 'Since milestone NAME' (what changed, and the score then and "
    "now against the target); the plan carries the milestone file, and verify derives "
    "the chapter from it again.",
)
@pass_context
@reports_problems
def export_command(
    obj: Context, review_id: str, output: Path | None, since_name: str | None
) -> None:
    """Export a review as a Markdown plan (stdout, or -o FILE).

    The same review always exports to the same bytes; commit the file to git and
    check it later with `gatebook verify`.

    Example: gatebook export oqr-1a2b3c -o plans/acme-oqr.md
    """
    store = obj.store()
    review = store.get(review_id)
    refuse_open_conflicts(review, "nothing exported")
    if since_name is None:
        text = render_plan(review, store.questionnaire_for(review))
    else:
        from gatebook.milestone.bound import export_since

        bound = export_since(store, review_id, since_name)
        text = render_plan(review, store.questionnaire_for(review), bound_since=bound)
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


@click.command("import")
@click.argument("plan", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite the review with the same id.")
@click.option(
    "--allowed-signers",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Also require every current sign-off's SSH signature to be valid.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Import a plan whose text was edited by hand (the data block wins); never one "
    "whose data does not match its digest.",
)
@pass_context
@reports_problems
def import_command(
    obj: Context, plan: Path, replace: bool, allowed_signers: Path | None, force: bool
) -> None:
    """Restore a review from a plan written by `gatebook export`; prints its id.

    The plan is checked as `gatebook verify` checks it first (digest, text, and
    signatures with --allowed-signers): a plan that fails is refused with exit 1
    and nothing is written; one that cannot be read or holds invalid values or ids
    is refused with exit 2. Every value is checked as typing it would be. A review
    with the plan's id already in the workspace is kept and the import gets a new
    id (its sign-offs stay valid), unless --replace.

    A combined engagement plan (`gatebook engagement plan`) restores the engagement
    and every member review, all or nothing; it prints the engagement's id.

    Example: gatebook import plans/acme-oqr.md --allowed-signers .allowed_signers
    """
    from gatebook.engagement.plan_text import is_engagement_plan

    store = obj.store()
    try:
        combined = is_engagement_plan(read_plan_text(plan))
    except UnicodeDecodeError as error:
        fail(f"{plan}:1:1: not UTF-8 text ({error.reason})")
    if combined:
        from gatebook.cli.engagement_import import import_engagement

        import_engagement(store, plan, replace=replace, allowed=allowed_signers, force=force)
        return
    report = run_verify(plan, store, allowed_signers)
    review = report.review
    assert review is not None
    check_imported(plan, review, store.questionnaire_for(review))  # invalid values: exit 2
    accept_report(str(plan), report, force)
    review = review.model_copy(update={"created": store.clock(), "updated": store.clock()})
    saved = store.save_imported(review, replace=replace)
    echo(saved.id)


@click.command("signoff")
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
    metavar="KEY",
    help="SSH key to sign with (ssh-keygen -Y sign -n gatebook): a private key file, or a "
    "public key file whose private half is in ssh-agent or on a hardware key. Default: "
    "`git config user.signingkey` when that is an SSH key.",
)
@click.option("--no-sign", is_flag=True, help="Record the sign-off without an SSH signature.")
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
    sign_key: str | None,
    no_sign: bool,
) -> None:
    """Record a sign-off bound to the review's current content (its digest).

    Changing what the plan shows later voids it until signed again. The SSH
    signature (namespace `gatebook`) covers every field of the sign-off: the
    signed bytes are the line `gatebook-signoff v2`, then the sign-off's fields
    but the signature (review, digest, questionnaire_digest, fields, role, name,
    decision, comment, override, time, format) as JSON with sorted keys and no
    spaces, then a newline (docs/contracts.md "Signed bytes").

    Example: gatebook signoff oqr-1a2b3c --role reviewer --name "Ana Lima" --decision approved
    """
    from gatebook.store.records import checked_text

    name, comment = checked_text(name, "--name"), checked_text(comment, "--comment")
    override = checked_text(override, "--override") if override is not None else None
    store = obj.store()
    review = store.get(review_id)
    refuse_open_conflicts(review, "nothing signed")
    questionnaire = store.upgrade_target(review)  # a sign-off is a change: it upgrades
    if upgrade_before_change(store, review, questionnaire):
        review = store.get(review_id)
    roles = [r.id for r in questionnaire.signoff]
    if role not in roles:
        fail(
            f"error: {role!r} is not a sign-off role of {questionnaire.id} "
            f"({', '.join(roles) or 'none'}).{did_you_mean(role, roles)}"
        )
    key: str | None = None if no_sign else (sign_key or git_signing_key())
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
            sign_key=key,
        )
    except SignoffRefused as error:
        fail(f"error: {error}", EXIT_STORE)

    updated = store.modify(review_id, lambda current: current.signoffs.append(signoff))
    signed = " (SSH-signed)" if signoff.signature else ""
    echo(
        f"{role}: {decision} by {signoff.name}{signed}; status "
        f"{review_status(updated, questionnaire)}"
    )


@click.command("verify")
@click.argument(
    "plans", nargs=-1, required=True, type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--allowed-signers",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help=ALLOWED_SIGNERS_HELP,
)
@click.option(
    "--require-signatures",
    is_flag=True,
    help="Also fail unless every required role's current sign-off is valid and every "
    "plan is bound by its digests (needs --allowed-signers).",
)
@format_option(
    "text for people; json prints {ok, digest_ok, body_ok, signoffs: [{role, name, "
    "decision, state}], notes} (a list of those, each with `plan`, for several plans)."
)
@pass_context
@reports_problems
def verify_command(
    obj: Context,
    plans: tuple[Path, ...],
    allowed_signers: Path | None,
    require_signatures: bool,
    fmt: str,
) -> None:
    """Check plans: data matches its digest, text matches the data, sign-offs hold.

    Each sign-off gets one state, decided in this order: superseded (a later
    sign-off of its role replaced it), void (it approved other content; the fields
    changed since are named), unsigned, unchecked (signed, no --allowed-signers),
    unknown-signer (no allowed-signers line for the recorded name), bad-signature,
    legacy (signed in format 1, which did not cover every field: re-sign), valid.

    Notes say what a verdict does not cover: a since chapter of format 4 is bound
    by no digest, a milestone whose frozen state is not signed.

    \b
    Exit 0 only when data, digest and text agree and, with --allowed-signers,
    every current sign-off is valid (with --require-signatures also: every
    required role signed validly, every plan bound); 1 otherwise (naming what
    failed); 2 when a file is not a readable plan. One verdict line per plan, for CI:
      gatebook verify plans/*.md --allowed-signers .allowed_signers --require-signatures

    Example: gatebook verify plans/acme-oqr.md --allowed-signers .allowed_signers
    """
    if require_signatures and allowed_signers is None:
        fail(
            "error: --require-signatures needs --allowed-signers FILE (the SSH keys the "
            "signatures are checked against)"
        )
    store = obj.store()
    reports: list[tuple[str, VerifyReport]] = []
    for plan in plans:
        reports.extend(run_verify_labelled(plan, store, allowed_signers))
    for _, report in reports:
        report.require_signatures = require_signatures
    if fmt == "json":
        if len(reports) == 1 and len(plans) == 1 and reports[0][0] == str(plans[0]):
            echo_json(reports[0][1].to_json(), indent=2, ensure_ascii=False)
        else:
            echo_json(
                [{"plan": label, **report.to_json()} for label, report in reports],
                indent=2,
                ensure_ascii=False,
            )
    else:
        for label, report in reports:
            print_verdict(label, report)
    if not all(report.ok for _, report in reports):
        raise SystemExit(EXIT_VERIFY)


def print_verdict(plan: str, report: VerifyReport) -> None:
    for verdict in report.signoffs:
        detail = f" — {verdict.detail}" if verdict.detail else ""
        echo(
            f"{plan}: sign-off {verdict.role} by {verdict.name} ({verdict.decision}): "
            f"{verdict.state}{detail}"
        )
    for note in report.notes:
        echo(f"{plan}: {note}")
    for reason in report.failures():
        echo(f"{plan}: FAILED: {reason}", err=True)
    if report.ok and report.not_bound_why:
        echo(f"{plan}: NOT BOUND ({report.not_bound_why})")
        return
    checks = f"digest {'ok' if report.digest_ok else 'CHANGED'}, text " + (
        "ok" if report.body_ok else "CHANGED"
    )
    echo(f"{plan}: {'OK' if report.ok else 'FAILED'} ({checks})")
