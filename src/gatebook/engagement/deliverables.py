"""Deliverables copied forward: the kickoff's table, then each DQI's, then the close's.

They are copied, not shared: a new DQI or close starts its own `deliverables` table
with the rows of the latest earlier member that has one, and nothing updates that
copy afterwards (a later answer in the kickoff changes no DQI). Each table keeps its
own columns (the DQI adds `status`, the close its acceptance columns), so rows are
mapped column by column, by id; a column the new table lacks is left behind.
"""

from __future__ import annotations

from typing import Any

from gatebook.engagement.lifecycle import Member
from gatebook.questionnaire.models import DELIVERY_STAGES, Questionnaire

DELIVERABLES = "deliverables"


def carried_deliverables(members: list[Member], questionnaire: Questionnaire) -> dict[str, Any]:
    """`{"deliverables": rows}` for a new member of `questionnaire` (the rows of the
    latest member at or before its stage whose table has any), else `{}`; a cell its own
    table would refuse (a hand-edited due date that is not one) is left behind, never
    the row or the table (issue 33: compat)."""
    from gatebook.engine.answers import AnswerProblem, read_answer

    def reads(row: dict[str, Any]) -> bool:
        try:
            read_answer(questionnaire, DELIVERABLES, [row], typed=False)
        except (AnswerProblem, ValueError, TypeError):
            return False
        return True

    question = questionnaire.question(DELIVERABLES)
    stage = questionnaire.stage
    if question is None or question.type != "table" or stage not in DELIVERY_STAGES:
        return {}
    columns = [column.id for column in question.columns]
    rank = DELIVERY_STAGES.index(stage)
    for member in reversed(members):
        if member.review is None or member.stage not in DELIVERY_STAGES[: rank + 1]:
            continue
        rows = member.review.answers.get(DELIVERABLES)
        if not isinstance(rows, list) or not rows:
            continue
        copied = [
            {
                key: row[key]
                for key in columns
                if row.get(key) not in (None, "") and reads({key: row[key]})
            }
            for row in rows
            if isinstance(row, dict)
        ]
        copied = [row for row in copied if row]  # nothing readable left: no row
        try:
            return {DELIVERABLES: read_answer(questionnaire, DELIVERABLES, copied, typed=False)}
        except (AnswerProblem, ValueError, TypeError):
            return {}
    return {}
