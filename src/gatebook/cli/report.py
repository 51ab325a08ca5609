"""`gatebook report`: the portfolio a delivery manager reads."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from gatebook.cli.common import EXIT_STORE, Context, fail, pass_context, reports_problems
from gatebook.terminal import echo, echo_json

if TYPE_CHECKING:
    from gatebook.portfolio.report import PortfolioReport
    from gatebook.store import ReviewStore


@click.command("report")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--questionnaire", "questionnaire_id", default=None, help="Only reviews of this id.")
@click.option("--today", default=None, metavar="YYYY-MM-DD", help="Overdue before this date.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md"]),
    default="text",
    show_default=True,
    help="text for people, json for scripts, md for a team's repository.",
)
@pass_context
@reports_problems
def report_command(
    obj: Context,
    dirs: tuple[Path, ...],
    questionnaire_id: str | None,
    today: str | None,
    fmt: str,
) -> None:
    """The portfolio across the workspace (or the workspace folders named): engagements
    and loose reviews by RAG then score, overdue risks, escalations awaiting a
    decision, the flags raised most, the average per dimension. A file that cannot be
    read is listed (a `warning:` line each; JSON `damaged`; a Markdown section) and
    makes the exit status 1; an engagement with such a member is red.

    Example: gatebook report ~/ws-emea ~/ws-apac --today 2026-12-01 --format md > portfolio.md
    """
    from gatebook.engagement.lifecycle import today_of
    from gatebook.portfolio.report import build_report
    from gatebook.store.records import checked_date
    from gatebook.workspace import WorkspaceError, check_home, make_catalog, open_store

    homes = [d.expanduser() for d in dirs] or [obj.home]
    for home in homes:
        try:
            check_home(home)
        except WorkspaceError as error:
            fail(f"error: {error}")
        if dirs and not home.is_dir():
            fail(f"error: {home} is not a workspace folder")
    day = checked_date(today, "--today") if today is not None else today_of(obj.store())

    def make_store(home: Path) -> ReviewStore:
        return open_store(home, make_catalog(home, obj.questionnaire_dirs))

    report = build_report(homes, make_store, day, questionnaire_id)
    if fmt == "json":
        echo_json(report.to_json(), indent=2, ensure_ascii=False)
    elif fmt == "md":
        from gatebook.portfolio.markdown import report_markdown

        click.echo(report_markdown(report), nl=False)
    else:
        print_report(report)
        for entry in report.damaged:
            echo(f"warning: {entry.path} cannot be read ({entry.why})", err=True)
    if report.damaged:
        raise SystemExit(EXIT_STORE)


def print_report(report: PortfolioReport) -> None:
    from gatebook.engine.formatting import score_text

    totals = report.totals
    echo(
        f"Portfolio as of {report.today}: {totals.engagements} engagements, "
        f"{totals.loose_reviews} loose reviews · RED {totals.red} · AMBER "
        f"{totals.amber} · GREEN {totals.green}"
    )
    for item in report.items:
        figures = item.figures
        echo(
            f"  {item.rag.upper():<6} {item.kind:<10} {item.id:<22} "
            f"{(item.stage or '-'):<11} score {score_text(figures.overall)}/"
            f"{score_text(figures.target)}  H{figures.high} M{figures.medium} overdue "
            f"{figures.overdue} esc {figures.escalations_awaiting}  {item.title}"
        )
    if report.flags:
        echo("Flags raised most:")
        for flag in report.flags[:10]:
            echo(f"  {flag.reviews:>4}  {flag.id}  {flag.title}")
    if report.dimensions:
        echo(
            "Average per dimension: "
            + ", ".join(f"{d.id} {score_text(d.average)}" for d in report.dimensions)
        )
    for row in report.overdue:
        where = f"{row.review}/{row.row}"
        echo(f"  overdue {row.due}  {where}  {row.title} ({row.status})")
