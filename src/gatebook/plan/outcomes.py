"""The plan's outcomes table: the review's outcomes register, for questionnaires that
declare `outcomes: true` (docs/contracts.md "Plan: outcomes table").

Shown where a chapter lists the `outcomes` block (the OQR's "Customer Business
Outcomes"); a questionnaire that declares outcomes but lists the block nowhere gets an
"Outcomes" chapter just before the chapter with the risk register. A questionnaire
without `outcomes: true` never shows it, so its plans keep their exact bytes.
"""

from __future__ import annotations

from gatebook.plan.escape import cell
from gatebook.plan.markdown import origin_cell, table
from gatebook.questionnaire.ids import is_identifier
from gatebook.questionnaire.models import PlanChapter, Questionnaire
from gatebook.store.model import OutcomeRow, Review

OUTCOMES_BLOCK = "outcomes"
OUTCOMES_CHAPTER = "Outcomes"
NO_OUTCOMES = "No outcome recorded."
HEADERS = ["Title", "CBO", "Metric", "Baseline", "Target", "By", "Status", "Evidence"]
CBO_LABELS = {
    "reduced_risk": "Reduced business risk",
    "esg": "Improved ESG performance",
    "revenue": "Increased revenue",
    "efficiency": "Operational efficiency",
}


def _line(row_id: str, row: OutcomeRow) -> list[str]:
    return [
        f"{cell(row.title)} (`{row_id}`)" if is_identifier(row_id) else cell(row.title),
        CBO_LABELS.get(row.cbo or "", "—"),
        cell(row.metric) or "—",
        cell(row.baseline) or "—",
        cell(row.target) or "—",
        row.by or "—",
        row.status,
        cell(row.evidence) or "—",
    ]


def outcomes_table(review: Review, questionnaire: Questionnaire) -> list[str]:
    """The table's Markdown (with `From` when a row was carried), [] without rows or
    when the questionnaire keeps no outcomes. Rows by date (`by`), then title: the same
    order whatever order the file holds them in."""
    if not questionnaire.outcomes or not review.outcomes:
        return []
    rows = sorted(
        review.outcomes.items(),
        key=lambda item: (item[1].by is None, item[1].by or "", item[1].title.lower(), item[0]),
    )
    shown = [_line(row_id, row) for row_id, row in rows]
    headers = list(HEADERS)
    if any(row.origin for _, row in rows):
        headers.append("From")
        for line, (_, row) in zip(shown, rows, strict=True):
            line.append(origin_cell(row.origin))
    return [table(headers, shown)]


def with_outcomes_chapter(
    questionnaire: Questionnaire, chapters: list[PlanChapter]
) -> list[PlanChapter]:
    """The chapters, with an "Outcomes" chapter before the risk register's when the
    questionnaire keeps outcomes and no chapter shows them (else unchanged)."""
    if not questionnaire.outcomes or any(OUTCOMES_BLOCK in c.show for c in chapters):
        return chapters
    at = next(
        (i for i, c in enumerate(chapters) if "register" in c.show), max(len(chapters) - 1, 0)
    )
    added = PlanChapter(title=OUTCOMES_CHAPTER, show=[OUTCOMES_BLOCK])
    return [*chapters[:at], added, *chapters[at:]]
