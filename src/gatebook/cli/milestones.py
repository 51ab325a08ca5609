"""Milestone commands: milestone, milestones, diff (docs/contracts.md "Milestones"), and
upgrade, which takes `before-upgrade-N` first (docs/contracts.md "Versions")."""

from __future__ import annotations

import click

from gatebook.cli.common import FORMAT_OPTION, Context, pass_context, reports_problems
from gatebook.terminal import echo, echo_json


@click.command("milestone")
@click.argument("review_id")
@click.argument("name")
@click.option("--note", default="", help="Why this point matters, e.g. 'SOW v2 signed'.")
@pass_context
@reports_problems
def milestone_command(obj: Context, review_id: str, name: str, note: str) -> None:
    """Freeze a review as it is now under NAME (answers, register, sign-offs, flags,
    scores, gates); it never changes afterwards and changes nothing in the review.

    Example: gatebook milestone dqi-1a2b3c day-120 --note "first inspection"
    """
    from gatebook.milestone.store import MilestoneStore, check_name
    from gatebook.store.records import checked_text

    check_name(name)
    note = checked_text(note, "--note")
    store = obj.store()
    review = store.get(review_id)
    data = MilestoneStore(store).take(review, store.questionnaire_for(review), name, note)
    echo(f"{review_id}: milestone {name} taken ({data['digest']})", err=True)


@click.command("milestones")
@click.argument("review_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def milestones_command(obj: Context, review_id: str, fmt: str) -> None:
    """List a review's milestones, oldest first: time, author, note, digest, score, flags.

    Example: gatebook milestones dqi-1a2b3c --format json
    """
    from gatebook.engine.formatting import score_text
    from gatebook.milestone.store import MilestoneStore, summary

    store = obj.store()
    store.get(review_id)
    found, damaged = MilestoneStore(store).listed(review_id)
    for message in damaged:
        echo(f"warning: {message}", err=True)
    rows = [summary(data) for data in found]
    if fmt == "json":
        echo_json(rows, indent=2, ensure_ascii=False)
        return
    if not rows:
        echo(f"No milestones yet. Take one with: gatebook milestone {review_id} NAME")
    for row in rows:
        score = score_text(row["overall"])
        note = f"  {row['note']}" if row["note"] else ""
        echo(
            f"{row['name']:<24} {row['time']}  {row['author']:<10} score {score:<5} "
            f"H{row['high']} M{row['medium']}{note}"
        )


@click.command("diff")
@click.argument("review_id")
@click.argument("points", nargs=-1, metavar="[FROM [TO]]")
@FORMAT_OPTION
@pass_context
@reports_problems
def diff_command(obj: Context, review_id: str, points: tuple[str, ...], fmt: str) -> None:
    """What changed between two points of a review: milestone names or `now`.
    FROM defaults to the last milestone, TO to now.

    \b
    Exit 0 when it compared (changes or not), 1 for an unknown review or milestone
    (or a damaged one), 2 for a bad argument.

    Example: gatebook diff dqi-1a2b3c day-120 now --format json
    """
    from gatebook.cli.common import fail
    from gatebook.milestone.diff import diff_lines
    from gatebook.milestone.service import review_diff

    if len(points) > 2:
        fail("error: diff takes at most two points, FROM and TO (milestone names or `now`)")
    old = points[0] if points else None
    new = points[1] if len(points) > 1 else None
    if old is None:  # from the last milestone: a damaged one is passed over, and named
        from gatebook.milestone.store import MilestoneStore

        store = obj.store()
        for message in MilestoneStore(store).listed(review_id)[1]:
            echo(f"warning: {message}", err=True)
    diff, questionnaire = review_diff(obj.store(), review_id, old, new)
    if fmt == "json":
        echo_json(diff, indent=2, ensure_ascii=False)
        return
    for line in diff_lines(diff, questionnaire):
        echo(line)


@click.command("upgrade")
@click.argument("review_id")
@FORMAT_OPTION
@pass_context
@reports_problems
def upgrade_command(obj: Context, review_id: str, fmt: str) -> None:
    """Move a review to the live version of its questionnaire: take `before-upgrade-N`
    first (gatebook diff REVIEW before-upgrade-N shows what changed), then record the
    live version; answers are kept. An upgrade that voids sign-offs says so (stderr)
    before it is made. A review already on the live version: nothing is written.

    Until then a review is judged against the version it records, and its first change
    (set, risk, escalate, meeting, signoff, outcome) upgrades it the same way.

    Example: gatebook upgrade oqr-1a2b3c --format json
    """
    from gatebook.cli.common import upgrade_before_change
    from gatebook.milestone.service import pending_upgrade
    from gatebook.milestone.store import UPGRADE_PREFIX, MilestoneStore

    store = obj.store()
    review = store.get(review_id)
    upgrade = pending_upgrade(store, review)
    if upgrade is None:
        version = review.version
        if fmt == "json":
            shown = {"review": review_id, "from": version, "to": version, "milestone": None}
            echo_json({**shown, "voided": []}, indent=2, ensure_ascii=False)
            return
        echo(f"{review_id}: already on {review.questionnaire} {version}, the live version")
        return
    upgrade_before_change(store, review)
    names = [n for n in MilestoneStore(store).names(review_id) if n.startswith(UPGRADE_PREFIX)]
    milestone = max(names, key=lambda n: int(n[len(UPGRADE_PREFIX) :]), default=None)
    if fmt == "json":
        echo_json(upgrade.to_json(milestone), indent=2, ensure_ascii=False)
        return
    echo(f"{review_id}: {upgrade.questionnaire} {upgrade.from_version} -> {upgrade.to_version}")
