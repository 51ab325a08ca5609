"""The portfolio as Markdown for a team's repository: deterministic (`--today` fixes
the one moving input), every typed text escaped, Mermaid charts of flags by category
and of the score distribution."""

from __future__ import annotations

from collections import Counter

from gatebook.engine.formatting import score_text
from gatebook.plan.escape import cell, inline
from gatebook.plan.markdown import table
from gatebook.portfolio.report import PortfolioReport

BUCKETS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 90), (90, 101))


def report_markdown(report: PortfolioReport) -> str:
    totals = report.totals
    lines = [
        "# Portfolio",
        "",
        f"As of {report.today}"
        + (f" · questionnaire `{report.questionnaire}`" if report.questionnaire else "")
        + f" · {totals.engagements} engagements · {totals.loose_reviews} loose reviews"
        f" · {totals.reviews} reviews",
        "",
        f"- RED: **{totals.red}** · AMBER: **{totals.amber}** · GREEN: **{totals.green}**",
        "",
    ]
    if report.damaged:
        lines += [
            "## Damaged files",
            "",
            "These files cannot be read; an engagement with such a member is RED.",
            "",
        ]
        lines += [f"- {inline(d.path)}: {inline(d.why, mid_line=True)}" for d in report.damaged]
        lines.append("")
    lines += ["## Engagements and reviews", ""]
    rows = [
        [
            item.rag.upper(),
            cell(item.title),
            item.kind,
            item.stage or "-",
            f"{score_text(item.figures.overall)} / {score_text(item.figures.target)}",
            str(item.figures.high),
            str(item.figures.medium),
            str(item.figures.overdue),
            str(item.figures.escalations_awaiting),
        ]
        for item in report.items
    ]
    headers = [
        "RAG",
        "Title",
        "Kind",
        "Stage",
        "Score / target",
        "High",
        "Medium",
        "Overdue",
        "Escalations",
    ]
    lines.append(table(headers, rows).rstrip("\n") if rows else "Nothing to report.")
    flags = report.flags
    if flags:
        by_category = Counter[str]()
        for flag in flags:
            by_category[flag.category or "other"] += flag.reviews
        lines += ["", "## Flags raised most", "", "```mermaid", 'pie title "Flags by category"']
        lines += [
            f'    "{inline(category).replace(chr(34), "")}" : {count}'
            for category, count in sorted(by_category.items())
        ]
        lines += ["```", ""]
        lines.append(
            table(
                ["Flag", "Category", "Severity", "Reviews"],
                [[f"`{f.id}`", cell(f.category or "-"), f.severity, str(f.reviews)] for f in flags],
            ).rstrip("\n")
        )
    scores = [i.figures.overall for i in report.items if i.figures.overall is not None]
    if scores:
        counts = [sum(1 for s in scores if low <= s < high) for low, high in BUCKETS]
        labels = ", ".join(f'"{low}-{min(high, 100)}"' for low, high in BUCKETS)
        lines += [
            "",
            "## Score distribution",
            "",
            "```mermaid",
            "xychart-beta",
            '    title "Overall scores"',
            f"    x-axis [{labels}]",
            '    y-axis "Reviews"',
            f"    bar [{', '.join(str(c) for c in counts)}]",
            "```",
        ]
    if report.dimensions:
        lines += ["", "## Average per dimension", ""]
        lines.append(
            table(
                ["Dimension", "Average", "Reviews"],
                [[f"`{d.id}`", score_text(d.average), str(d.reviews)] for d in report.dimensions],
            ).rstrip("\n")
        )
    if report.overdue:
        lines += ["", "## Overdue risks", ""]
        lines.append(
            table(
                ["Due", "Review", "Risk", "Severity", "Status", "Owner"],
                [
                    [
                        o.due,
                        f"`{o.review}`",
                        cell(o.title),
                        o.severity or "-",
                        o.status,
                        cell(o.owner or "-"),
                    ]
                    for o in report.overdue
                ],
            ).rstrip("\n")
        )
    if report.escalations_awaiting:
        lines += ["", "## Escalations awaiting a decision", ""]
        lines += [
            f"- `{e.review}`: {inline('; '.join(e.reasons), mid_line=True)}"
            for e in report.escalations_awaiting
        ]
    return "\n".join(lines) + "\n"
