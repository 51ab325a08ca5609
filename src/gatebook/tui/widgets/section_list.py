"""The list of sections with their progress (`Opportunity facts  5/12`)."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from gatebook.engine import Evaluation
from gatebook.questionnaire.models import Questionnaire, Section
from gatebook.store import Review
from gatebook.terminal import terminal_safe


class SectionList(OptionList):
    """Re-labels only the sections whose progress changed (a keystroke changes one)."""

    def __init__(self, questionnaire: Questionnaire, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.questionnaire = questionnaire
        self._labels: list[Content] = []

    @staticmethod
    def label(section: Section, review: Review, result: Evaluation) -> Content:
        visible = [q for q in section.questions if q.id in result.visible]
        done = sum(1 for q in visible if q.id in review.answers or q.id in review.not_applicable)
        return Content(terminal_safe(f"{section.title}  {done}/{len(visible)}"))

    def show_progress(self, review: Review, result: Evaluation, current: int) -> None:
        labels = [self.label(s, review, result) for s in self.questionnaire.sections]
        if len(self._labels) != len(labels) or self.option_count != len(labels):
            self.clear_options()
            self.add_options(
                Option(label, id=s.id)
                for label, s in zip(labels, self.questionnaire.sections, strict=True)
            )
            self.highlighted = current
        else:
            for index, (old, new) in enumerate(zip(self._labels, labels, strict=True)):
                if old != new:
                    self.replace_option_prompt_at_index(index, new)
        self._labels = labels
