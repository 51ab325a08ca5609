"""What may start next in an engagement, as the app's `n` offers it: the recommended
next step first (unless it is a member to sign), then every other stage of the
engagement's track that has no member yet, and the stages that repeat (another DQI,
another OKR checkpoint) once one exists.
A stage started before what it expects is still offered: its gate warns, never locks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gatebook.engagement.lifecycle import STAGE_QUESTIONNAIRE
from gatebook.questionnaire.models import DELIVERY_STAGES, OKR_STAGES

if TYPE_CHECKING:
    from gatebook.engagement.view import EngagementView

REPEATING = frozenset({"inspect", "measure"})
"""Stages with any number of members: DQIs and OKR checkpoints."""


@dataclass(frozen=True)
class StageChoice:
    stage: str
    questionnaire: str
    label: str
    recommended: bool = False


def stage_choices(view: EngagementView) -> list[StageChoice]:
    present = [review.stage for review in view.reviews if review.stage]
    if any(stage in DELIVERY_STAGES for stage in present):
        track = DELIVERY_STAGES
    elif any(stage in OKR_STAGES for stage in present):
        track = OKR_STAGES
    else:
        track = DELIVERY_STAGES + OKR_STAGES
    step = view.next_step
    if step is not None and step.review is not None:
        step = None  # a member to sign, not a stage to start: nothing recommended
    choices: list[StageChoice] = []
    if step is not None:
        label = f"{step.questionnaire} ({step.stage}), recommended: {step.reason}"
        choices.append(StageChoice(step.stage, step.questionnaire, label, recommended=True))
    for stage in track:
        questionnaire = STAGE_QUESTIONNAIRE.get(stage)
        held = present.count(stage)
        if questionnaire is None or (step is not None and step.stage == stage):
            continue
        if held and stage not in REPEATING:
            continue
        more = f", another one ({held} so far)" if held else ""
        choices.append(StageChoice(stage, questionnaire, f"{questionnaire} ({stage}){more}"))
    return choices
