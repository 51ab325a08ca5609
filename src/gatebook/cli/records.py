"""What a review records besides answers: `risk` (the register), `escalate`, `meeting`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click

from gatebook.cli.common import (
    FORMAT_OPTION,
    Context,
    pass_context,
    reports_problems,
    upgrade_before_change,
)
from gatebook.engine.register import OVERDUE_STATUSES, RegisterRow, mitigated_line
from gatebook.plan.report import ReviewReport
from gatebook.store.evaluation import evaluate_review
from gatebook.store.model import ESCALATION_DECISIONS, RISK_STATUSES, Meeting, Review
from gatebook.store.records import (
    LEVELS,
    escalation_change,
    meeting_change,
    new_risk,
    risk_changes,
)
from gatebook.terminal import echo, echo_json


def _saved(review_id: str, count: int) -> None:
    echo(f"{review_id}: {count} change{'' if count == 1 else 's'} saved", err=True)


def row_line(row: RegisterRow) -> str:
    if row.addressed:
        written = "; addressed"
    elif row.status in OVERDUE_STATUSES:  # marked mitigated or accepted: its status says it
        written = "; needs mitigation and contingency"
    elif row.open_high:
        written = "; to sign: write mitigation and contingency"
    else:
        written = ""
    severity = (row.severity or "-").upper()
    details = [f"status {row.status}"]
    if row.owner:
        details.append(f"owner {row.owner}")
    if row.due:
        details.append(f"due {row.due}")
    return f"{row.id:<28} {severity:<7} {row.title}  [{', '.join(details)}{written}]"


def meeting_json(meeting: Meeting) -> dict[str, Any]:
    """A session as `show --format json` prints it (absent values null)."""
    return {
        "date": meeting.date,
        "attendees": [
            {"name": a.name, "organisation": a.organisation or None, "role": a.role or None}
            for a in meeting.attendees
        ],
        "notes": meeting.notes or None,
    }


def print_records(review: Review, report: ReviewReport) -> None:
    """The register, the escalation record and the sessions, as `show` prints them."""
    rows = report.evaluation.register
    if rows:
        echo("\nRisk register:")
        for row in rows:
            echo("  " + row_line(row))
        echo("  " + mitigated_line(rows))
    state = report.escalation
    if state.record is not None:
        record = state.record
        due = " (a new reason since: decision due again)" if state.due else ""
        echo(f"\nEscalated to {record.to}: {record.decision} on {record.date}{due}")
        if record.note:
            echo(f"  note: {record.note}")
    elif state.required:
        echo("\nEscalation: required, no decision recorded (gatebook escalate)")
    for number, meeting in enumerate(review.meetings, 1):
        people = "; ".join(
            ", ".join(p for p in (a.name, a.organisation, a.role) if p) for a in meeting.attendees
        )
        echo(f"\nSession {number}: {meeting.date}" + (f" with {people}" if people else ""))
        if meeting.notes:
            echo(f"  notes: {meeting.notes}")


@click.command("risk")
@click.argument("review_id")
@click.argument("row_id", required=False)
@click.option("--mitigation", metavar="TEXT", help="How the risk is reduced.")
@click.option("--contingency", metavar="TEXT", help="What happens if it occurs anyway.")
@click.option("--owner", metavar="NAME", help="Who owns the risk.")
@click.option("--due", metavar="YYYY-MM-DD", help="When the mitigation is due (empty clears).")
@click.option("--status", type=click.Choice(RISK_STATUSES), help="Where the risk stands.")
@click.option("--add", "add", metavar="TITLE", help="Add a risk by hand; prints its id.")
@click.option("--severity", type=click.Choice(LEVELS), help="With --add: its severity.")
@click.option("--likelihood", type=click.Choice(LEVELS), help="With --add: how likely.")
@click.option("--impact", type=click.Choice(LEVELS), help="With --add: how bad.")
@FORMAT_OPTION
@pass_context
@reports_problems
def risk_command(
    obj: Context,
    review_id: str,
    row_id: str | None,
    mitigation: str | None,
    contingency: str | None,
    owner: str | None,
    due: str | None,
    status: str | None,
    add: str | None,
    severity: str | None,
    likelihood: str | None,
    impact: str | None,
    fmt: str,
) -> None:
    """The review's risk register: list it, write on a row, or add a risk by hand.

    Every raised flag is a row (its id is the flag id); a flag no longer raised keeps
    its row as `resolved`. A high row needs a mitigation and a contingency before
    sign-off without --override. Without options, lists the register (or one row).

    \b
    Examples:
      gatebook risk oqr-1a2b3c large_deal_size --mitigation "Phased delivery" \\
        --contingency "Stop after phase 1" --owner "Ana Lima" --due 2026-12-15
      gatebook risk oqr-1a2b3c --add "Key architect may leave" --severity high
    """
    store = obj.store()
    review = store.get(review_id)
    fields = {
        "mitigation": mitigation,
        "contingency": contingency,
        "owner": owner,
        "due": due,
        "status": status,
    }
    changing = add is not None or any(v is not None for v in fields.values())
    # a change is checked against the version it moves the review to; a listing is
    # judged against the version the review records
    definition = store.upgrade_target(review) if changing else store.questionnaire_for(review)
    evaluation = evaluate_review(definition, review)
    if add is not None:
        if row_id is not None:
            raise click.UsageError("give a ROW_ID or --add TITLE, not both")
        new_id, changes = new_risk(
            review,
            definition,
            add,
            severity=severity,
            likelihood=likelihood,
            impact=impact,
            **fields,
        )
        upgrade_before_change(store, review, definition)
        _, entries = store.update(review_id, changes)  # one write, one undo step per field
        _saved(review_id, len(entries))
        echo(new_id)
        return
    if any(v is not None for v in (severity, likelihood, impact)):
        raise click.UsageError("--severity, --likelihood and --impact go with --add")
    if row_id is not None and any(v is not None for v in fields.values()):
        changes = risk_changes(review, definition, evaluation, row_id, **fields)
        upgrade_before_change(store, review, definition)
        _, entries = store.update(review_id, changes)
        _saved(review_id, len(entries))
        return
    rows = [r for r in evaluation.register if row_id is None or r.id == row_id]
    if row_id is not None and not rows:
        risk_changes(review, definition, evaluation, row_id)  # says why, exit 2
    from gatebook.store.origins import first_origins

    firsts = first_origins(store, review.risk_register)
    if fmt == "json":
        shown = [{**r.to_json(), "first_origin": firsts.get(r.id)} for r in rows]
        echo_json(shown, indent=2, ensure_ascii=False)
        return
    if not rows:
        echo("The register is empty: no flag raised and no risk added.")
    for row in rows:
        first = firsts.get(row.id)
        echo(row_line(row) + (f"  (from {first.partition('/')[0]})" if first else ""))
        for label, text in (("mitigation", row.mitigation), ("contingency", row.contingency)):
            if text:
                echo(f"    {label}: {text}")
    if row_id is None and rows:
        echo(mitigated_line(rows))


@click.command("escalate")
@click.argument("review_id")
@click.option("--to", "to", required=True, help='Whom it went to: "Maria Ortiz, VP Delivery".')
@click.option("--decision", required=True, type=click.Choice(ESCALATION_DECISIONS))
@click.option("--note", default="", help="Conditions or reasons given.")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="When it was decided (default today).")
@pass_context
@reports_problems
def escalate_command(
    obj: Context, review_id: str, to: str, decision: str, note: str, date: str | None
) -> None:
    """Record an escalation: to whom it went, the decision and when.

    The record keeps the reasons it answered: a reason that holds later makes a
    decision due again. A review whose escalation has no decision cannot be signed
    (but `rejected`) without --override; after `stop`, only `rejected` can be.

    Example: gatebook escalate oqr-1a2b3c --to "Maria Ortiz, VP Delivery" --decision proceed
    """
    store = obj.store()
    review = store.get(review_id)
    definition = store.upgrade_target(review)
    evaluation = evaluate_review(definition, review)
    day = date if date is not None else dt.date.today().isoformat()
    change = escalation_change(evaluation, to=to, decision=decision, date=day, note=note)
    if not evaluation.escalate:
        echo(f"{review_id}: escalation is not required now; recorded anyway", err=True)
    upgrade_before_change(store, review, definition)
    _, entries = store.update(review_id, [change])
    _saved(review_id, len(entries))


@click.command("meeting")
@click.argument("review_id")
@click.option("--date", "date", metavar="YYYY-MM-DD", help="When it took place (default today).")
@click.option(
    "--attendee",
    "attendees",
    multiple=True,
    metavar='"NAME, ORGANISATION, ROLE"',
    help="Who was there; repeat for each. The name is before the first comma, the role "
    "after the last, the organisation between.",
)
@click.option("--note", default="", help="What was discussed or agreed.")
@pass_context
@reports_problems
def meeting_command(
    obj: Context, review_id: str, date: str | None, attendees: tuple[str, ...], note: str
) -> None:
    """Record a session of the review: date, attendees, notes (the plan's Sessions).

    Example: gatebook meeting oqr-1a2b3c --date 2026-11-29 --attendee "Ana Lima, Acme, CTO"
    """
    store = obj.store()
    review = store.get(review_id)
    day = date if date is not None else dt.date.today().isoformat()
    change = meeting_change(review, date=day, attendees=list(attendees), notes=note)
    upgrade_before_change(store, review)
    _, entries = store.update(review_id, [change])
    _saved(review_id, len(entries))
