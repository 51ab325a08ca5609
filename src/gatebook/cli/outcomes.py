"""`gatebook outcome`: the review's outcomes register (docs/contracts.md "Outcomes
register"), listed, added to or written on, as `risk` does for the risk register."""

from __future__ import annotations

from typing import Any

import click

from gatebook.cli.common import (
    FORMAT_OPTION,
    Context,
    pass_context,
    reports_problems,
    upgrade_before_change,
)
from gatebook.store.history import Change
from gatebook.store.model import OUTCOME_CBOS, OUTCOME_STATUSES, Review
from gatebook.store.reviews import ReviewStore
from gatebook.terminal import echo, echo_json


def outcome_rows(store: ReviewStore, review: Review) -> list[dict[str, Any]]:
    """Every outcome of the review as `show --format json` lists it, by id, with its
    `first_origin` followed through the earlier members' outcomes."""
    from gatebook.store.origins import first_origins
    from gatebook.store.outcomes import outcome_json

    firsts = first_origins(store, review.outcomes, "outcomes")
    return [
        outcome_json(row_id, review.outcomes[row_id], firsts.get(row_id))
        for row_id in sorted(review.outcomes)
    ]


def print_outcomes(store: ReviewStore, review: Review) -> None:
    """The outcomes register as `show` prints it (nothing when it is empty)."""
    from gatebook.store.origins import first_origins
    from gatebook.store.outcomes import outcome_line

    if not review.outcomes:
        return
    firsts = first_origins(store, review.outcomes, "outcomes")
    echo("\nOutcomes:")
    for row_id in sorted(review.outcomes):
        echo("  " + outcome_line(row_id, review.outcomes[row_id], firsts.get(row_id)))


@click.command("outcome")
@click.argument("review_id")
@click.argument("outcome_id", required=False)
@click.option("--add", "add", metavar="TITLE", help="Add an outcome; prints its id.")
@click.option("--title", metavar="TEXT", help="A new title for the outcome.")
@click.option(
    "--cbo",
    metavar="|".join(OUTCOME_CBOS),
    help="The customer business outcome it serves (empty clears).",
)
@click.option("--metric", metavar="TEXT", help="How it is measured.")
@click.option("--baseline", metavar="TEXT", help="Where the metric stands at the start.")
@click.option("--target", metavar="TEXT", help="Where the metric must get to.")
@click.option("--by", "by", metavar="YYYY-MM-DD", help="When the target is due (empty clears).")
@click.option("--status", metavar="STATUS", help=f"Where it stands: {', '.join(OUTCOME_STATUSES)}.")
@click.option("--evidence", metavar="TEXT", help="What shows where it stands.")
@FORMAT_OPTION
@pass_context
@reports_problems
def outcome_command(
    obj: Context,
    review_id: str,
    outcome_id: str | None,
    add: str | None,
    title: str | None,
    cbo: str | None,
    metric: str | None,
    baseline: str | None,
    target: str | None,
    by: str | None,
    status: str | None,
    evidence: str | None,
    fmt: str,
) -> None:
    """The review's outcomes register: list it, add an outcome, or write on one.

    An outcome is what the customer wants from the delivery, how it is measured, by
    when and where it stands; a new member of an engagement starts with the latest
    row of each outcome of its earlier members. Without options, lists the register
    (or one outcome).

    \b
    Examples:
      gatebook outcome oqr-1a2b3c --add "Cut claim handling time" --cbo efficiency \\
        --metric "median days per claim" --baseline 12 --target 6 --by 2027-06-30
      gatebook outcome oqr-1a2b3c outcome_k3f9q2 --status on_track --evidence "Pilot: 8 days"
    """
    from gatebook.store.outcomes import new_outcome, outcome_changes, outcome_line, unknown_outcome

    store = obj.store()
    review = store.get(review_id)
    fields = {
        "cbo": cbo,
        "metric": metric,
        "baseline": baseline,
        "target": target,
        "by": by,
        "status": status,
        "evidence": evidence,
    }
    if add is not None:
        if outcome_id is not None or title is not None:
            raise click.UsageError("give an OUTCOME_ID (with --title) or --add TITLE, not both")
        new_id, changes = new_outcome(review, add, **fields)
        _write(store, review, changes)
        echo(new_id)
        return
    fields["title"] = title
    written = any(value is not None for value in fields.values())
    if written and outcome_id is None:
        raise click.UsageError("name the OUTCOME_ID to write on, or add one with --add TITLE")
    if outcome_id is not None and written:
        changes = outcome_changes(review, outcome_id, **fields)
        _write(store, review, changes)
        return
    if outcome_id is not None and outcome_id not in review.outcomes:
        raise unknown_outcome(review, outcome_id)
    rows = [r for r in outcome_rows(store, review) if outcome_id in (None, r["id"])]
    if fmt == "json":
        echo_json(rows, indent=2, ensure_ascii=False)
        return
    if not rows:
        echo(f"The outcomes register is empty (gatebook outcome {review_id} --add TITLE).")
    for row in rows:
        echo(outcome_line(row["id"], review.outcomes[row["id"]], row["first_origin"]))
        if row["evidence"]:
            echo(f"    evidence: {row['evidence']}")


def _write(store: ReviewStore, review: Review, changes: list[Change]) -> None:
    """Upgrade first (as every change does), then one write, one history entry."""
    upgrade_before_change(store, review, store.questionnaire_for(review))
    _, entries = store.update(review.id, changes)
    count = len(entries)
    echo(f"{review.id}: {count} change{'' if count == 1 else 's'} saved", err=True)
