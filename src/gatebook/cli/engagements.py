"""`gatebook engagement ...`: one customer engagement through its life cycle."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from gatebook.cli.common import FORMAT_OPTION, Context, fail, pass_context, reports_problems
from gatebook.terminal import echo, echo_json

if TYPE_CHECKING:
    from gatebook.engagement.store import EngagementStore
    from gatebook.engagement.view import EngagementView
    from gatebook.store import ReviewStore


@click.group("engagement")
@click.pass_context
def engagement_group(ctx: click.Context) -> None:
    """Engagements: the OQR, PESA, S2D, kickoff, DQIs and close of one customer
    engagement (or an OKR intake and its checkpoints) as one record.

    \b
    Example:
      eng=$(gatebook engagement new "Acme data platform" --customer Acme)
      gatebook new oqr --title "Acme OQR" --engagement $eng
      gatebook engagement show $eng
    """
    from gatebook.cli.journal import ENGAGEMENT_READ_ONLY, settle_or_warn

    sub = ctx.invoked_subcommand
    if sub is not None and isinstance(ctx.obj, Context):
        settle_or_warn(ctx.obj.home, write=sub not in ENGAGEMENT_READ_ONLY)


def _stores(obj: Context) -> tuple[ReviewStore, EngagementStore]:
    """The workspace's reviews and its engagements (read through the same store)."""
    from gatebook.engagement.store import EngagementStore

    reviews = obj.store()
    return reviews, EngagementStore(reviews)


@engagement_group.command("new")
@click.argument("title")
@click.option("--customer", default=None, help="The customer: the shared `customer` answer.")
@click.option("--start", default=None, metavar="YYYY-MM-DD", help="Start date (default: today).")
@pass_context
@reports_problems
def new_engagement(obj: Context, title: str, customer: str | None, start: str | None) -> None:
    """Start an engagement and print its id (only the id, for scripts).

    Example: eng=$(gatebook engagement new "Acme data platform" --customer Acme --start 2026-01-05)
    """
    from gatebook.engagement.lifecycle import today_of
    from gatebook.store.records import checked_date, checked_text

    title = checked_text(title, "TITLE")
    customer = checked_text(customer, "--customer") if customer is not None else None
    if not title.strip():
        fail("error: TITLE is empty; name the engagement, e.g. 'Acme data platform'")
    if len(title) > 200:
        fail("error: TITLE: at most 200 characters")
    when = checked_date(start, "--start") if start is not None else None
    reviews, engagements = _stores(obj)
    when = when or today_of(reviews)
    shared: dict[str, Any] = {"project_start": when}
    if customer is not None:
        if not customer.strip() or len(customer) > 200:
            fail("error: --customer: give the customer's name (at most 200 characters)")
        shared["customer"] = customer.strip()
    engagement = engagements.create(title.strip(), start=when, shared=shared)
    echo(engagement.id)


@engagement_group.command("add")
@click.argument("engagement_id")
@click.argument("review_id")
@pass_context
@reports_problems
def add_review(obj: Context, engagement_id: str, review_id: str) -> None:
    """Link an existing review to an engagement. A review belongs to at most one. An
    unsigned review takes on the earlier members' open risks (one history entry); a
    signed one joins as it is (file, digest and sign-offs), with a warning.

    Example: gatebook engagement add eng-1a2b3c oqr-4d5e6f
    """
    from gatebook.engagement.members import MembershipProblem, add_member

    reviews, engagements = _stores(obj)
    engagements.get(engagement_id)
    try:
        joined = add_member(reviews, engagement_id, review_id)
    except MembershipProblem as problem:
        fail(f"error: {problem}")
    for warning in joined.warnings:
        echo(f"warning: {warning}", err=True)
    carried = f" (carried in: {', '.join(joined.carried)})" if joined.carried else ""
    echo(f"{review_id} joined {engagement_id}{carried}", err=True)


@engagement_group.command("remove")
@click.argument("engagement_id")
@click.argument("review_id")
@pass_context
@reports_problems
def remove_review(obj: Context, engagement_id: str, review_id: str) -> None:
    """Unlink a review from an engagement (the review itself is kept).

    Example: gatebook engagement remove eng-1a2b3c oqr-4d5e6f
    """
    from gatebook.engagement.members import MembershipProblem, remove_member

    reviews, _ = _stores(obj)
    try:
        remove_member(reviews, engagement_id, review_id)
    except MembershipProblem as problem:
        fail(f"error: {problem}")
    echo(f"{review_id} left {engagement_id}", err=True)


@engagement_group.command("list")
@FORMAT_OPTION
@pass_context
@reports_problems
def list_engagements(obj: Context, fmt: str) -> None:
    """List the engagements: stage, RAG status, members.

    Example: gatebook engagement list --format json
    """
    from gatebook.engagement.view import engagement_view, list_json

    reviews, engagements = _stores(obj)
    listed = engagements.listed()
    views = {
        item.id: engagement_view(reviews, item.engagement)
        for item in listed
        if item.engagement is not None
    }
    if fmt == "json":
        echo_json(list_json(listed, views), indent=2, ensure_ascii=False)
        return
    if not listed:
        echo("No engagements yet. Start one with: gatebook engagement new 'Acme' --customer Acme")
    for item in listed:
        view = views.get(item.id)
        if view is None:
            echo(f"{item.id:<14} UNREADABLE: {item.unreadable}")
            continue
        echo(
            f"{view.id:<14} {view.status.upper():<6} {view.stage or '-':<11} "
            f"{len(view.reviews):>2} reviews  {view.customer or '-':<16} {view.title}"
        )


@engagement_group.command("show")
@click.argument("engagement_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def show_engagement(obj: Context, engagement_id: str, fmt: str) -> None:
    """Show an engagement: its reviews in life-cycle order, the next step and why,
    the RAG status, the shared answers and the engagement's risk register.

    Example: gatebook engagement show eng-1a2b3c --format json
    """
    from gatebook.engagement.lifecycle import load_members
    from gatebook.engagement.view import engagement_view, view_problems

    reviews, engagements = _stores(obj)
    engagement = engagements.get(engagement_id)
    members = load_members(reviews, engagement)  # each member read and evaluated once
    view = engagement_view(reviews, engagement, members)
    for problem in view_problems(reviews, engagement, members):
        echo(f"warning: {problem}", err=True)
    if fmt == "json":
        echo_json(view.to_json(), indent=2, ensure_ascii=False)
        return
    print_view(view)


def print_view(view: EngagementView) -> None:
    from gatebook.engine.formatting import score_text

    echo(f"{view.title}  [{view.id}]  customer: {view.customer or '-'}")
    echo(f"Stage: {view.stage or '-'}   Status: {view.status.upper()}")
    for reason in view.status_reasons:
        echo(f"  {reason}")
    echo("\nReviews (life-cycle order):")
    if not view.reviews:
        echo("  none yet")
    for review in view.reviews:
        echo(
            f"  {review.stage or '-':<11} {review.id:<22} {review.status:<16} "
            f"H{review.high} M{review.medium} score {score_text(review.overall):<5} "
            f"{review.title or '-'}"
        )
    step = view.next_step
    echo(
        "\nNext: "
        + (
            f"{step.stage} ({step.questionnaire}): {step.reason}"
            if step
            else "nothing: the engagement is closed"
        )
    )
    if view.shared:
        echo("\nShared answers:")
        for key, value in view.shared.items():
            echo(f"  {key}: {value}")
    echo(f"\nRisk register ({len(view.risks)}):")
    for risk in view.risks:
        row = risk.row
        origin = f"  (from {row.origin})" if row.origin else ""
        echo(
            f"  {(row.severity or '-').upper():<6} {row.title} [{risk.review}/{row.id}]"
            f" {row.status}{origin}"
        )


@engagement_group.command("milestone")
@click.argument("engagement_id")
@click.argument("name")
@pass_context
@reports_problems
def milestone_engagement(obj: Context, engagement_id: str, name: str) -> None:
    """Freeze every member review under one milestone NAME, all or nothing (a member
    that has NAME already: exit 2, nothing written).

    Example: gatebook engagement milestone eng-1a2b3c sow-signed
    """
    from gatebook.engagement.timeline import take_engagement_milestone

    reviews, engagements = _stores(obj)
    written = take_engagement_milestone(reviews, engagements.get(engagement_id), name)
    echo(f"{engagement_id}: milestone {name} taken on {len(written)} review(s)", err=True)


@engagement_group.command("diff")
@click.argument("engagement_id")
@click.argument("points", nargs=-1, metavar="[FROM [TO]]")
@FORMAT_OPTION
@pass_context
@reports_problems
def diff_engagement(obj: Context, engagement_id: str, points: tuple[str, ...], fmt: str) -> None:
    """What changed in an engagement between two points (milestone names or `now`):
    members added or removed, stage, RAG status and reasons before and after, and each
    member's diff as `gatebook diff` gives it. FROM defaults to the newest milestone
    every member then had, TO to now.

    \b
    Exit 0 when it compared (changes or not), 1 for an unknown engagement or milestone
    (or a damaged one), 2 for a bad argument.

    \b
    Example:
      gatebook engagement milestone eng-1a2b3c sow-signed
      gatebook engagement diff eng-1a2b3c sow-signed now --format json
    """
    from gatebook.engagement.diff import engagement_diff

    if len(points) > 2:
        fail("error: engagement diff takes at most two points, FROM and TO (names or `now`)")
    old = points[0] if points else None
    new = points[1] if len(points) > 1 else None
    diff = engagement_diff(obj.store(), engagement_id, old, new)
    for warning in diff.warnings:
        echo(f"warning: {warning}", err=True)
    if fmt == "json":
        echo_json(diff.to_json(), indent=2, ensure_ascii=False)
        return
    for line in diff.lines():
        echo(line)


@engagement_group.command("plan")
@click.argument("engagement_id")
@click.option(
    "-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), default=None
)
@pass_context
@reports_problems
def plan_engagement(obj: Context, engagement_id: str, output: Path | None) -> None:
    """Write the combined plan of an engagement: its summary, then each member's plan.

    The engagement data block binds every member (its review digest and the digest of
    its text) and the summary is derived from the members, so `gatebook verify`
    catches a member removed, added, moved, replaced or changed. Refused (exit 1,
    nothing written) for an engagement with no members, a member that cannot be read,
    or members with open conflicts.

    Example: gatebook engagement plan eng-1a2b3c -o plans/acme.md
    """
    from gatebook.engagement.plan import render_engagement_plan
    from gatebook.store.storage import atomic_write_bytes

    reviews, engagements = _stores(obj)
    text = render_engagement_plan(reviews, engagements.get(engagement_id))
    if output is None:
        click.echo(text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(output, text.encode("utf-8"))
    echo(f"wrote {output}", err=True)
