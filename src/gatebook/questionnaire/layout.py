"""Where a review leads: quality gates and the plan's chapters (questionnaire keys
`gates` and `plan`), apart from the questions so each stays small."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gatebook.questionnaire.ids import IDENTIFIER


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class GateItem(Strict):
    """A gate item: ticked by hand, and, with `when`, also borne out by the review.

    Written as a plain string (`checklist_id.item_id`) or as {item, when, unmet}."""

    item: str = Field(
        description="The item ticked by hand: a boolean question id or `checklist_id.item_id`; "
        "a choice question id counts as ticked once answered (its `when:` says which "
        'answers meet it, e.g. `priority != "wont"`).'
    )
    when: str | None = Field(
        None,
        description="Condition over answers and the risk register that must also hold, e.g. "
        "`answered(arch_system_design)` or `risks_unaddressed() == 0` (register helpers: "
        "risk_rows(), risks_unaddressed()). Unknown counts as not met.",
    )
    unmet: str = Field(
        "",
        description="What the gate says when the condition does not hold, e.g. "
        "'architecture not documented'.",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_ref(cls, data: Any) -> Any:
        return {"item": data} if isinstance(data, str) else data


class Gate(Strict):
    """A quality gate: passed when all its items are met."""

    id: str = Field(pattern=IDENTIFIER)
    title: str
    description: str = ""
    items: list[GateItem] = Field(
        min_length=1,
        description="Each a boolean question id, or `checklist_id.item_id` of a checklist, "
        "or {item, when, unmet}: ticked by hand AND the condition holds. An item naming "
        "another kind of question (a table, a text) is met when it is answered (a table "
        "with at least one row).",
    )
    decides_signoff: bool = Field(
        False,
        description="Sign-off needs this gate passed (or an override); gates without it are "
        "later checkpoints, shown but not blocking.",
    )
    phase: str = Field("", description="When the gate is checked, e.g. 'before implementation'.")
    approve_at: int | None = Field(
        None,
        ge=1,
        strict=True,  # `true` or "4" is no count (issue 33: compat)
        description="With fewer than this many items met, an `approved` sign-off is refused "
        "(approve with conditions, or override) as a score below the target is; the gate "
        "itself passes only when every item is met. Left out: no such rule.",
    )

    def refs(self) -> list[str]:
        """The item ids (`checklist_id.item_id` or a question id), in order."""
        return [item.item for item in self.items]


PLAN_BLOCKS = (
    "summary",
    "flags",
    "register",
    "outcomes",
    "pillars",
    "scores",
    "gates",
    "sessions",
    "escalation",
    "follow_ups",
    "signoff",
    "answers",
)
"""What a plan chapter can show besides sections and questions (docs/authoring.md)."""


class PlanChapter(Strict):
    """One chapter of the exported plan: a `##` heading and what it shows, in order."""

    title: str
    show: list[str] = Field(
        min_length=1,
        description="In order: `section:ID` (its answers), `question:ID`, or one of "
        + ", ".join(PLAN_BLOCKS)
        + " (answers: every answer by section, for an appendix).",
    )
    lines: list[str] = Field(
        default_factory=list,
        description="Facts shown first, as templates: 'Security share: "
        "{ratio(security_hours, total_hours):share} (floor 8 %)'.",
    )
