"""Command palette providers: go to any question by typing part of its text."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import Hit, Hits, Provider

from gatebook.questionnaire.models import Questionnaire


class QuestionCommands(Provider):
    """Every question of the screen's questionnaire, matched on its prompt and id.

    Works on any screen that has a `questionnaire` and a `goto(question_id)` (the
    review screen), without importing it.
    """

    async def search(self, query: str) -> Hits:
        questionnaire = getattr(self.screen, "questionnaire", None)
        goto: Callable[[str], object] | None = getattr(self.screen, "goto", None)
        if not isinstance(questionnaire, Questionnaire) or goto is None:
            return
        matcher = self.matcher(query)
        for section in questionnaire.sections:
            for question in section.questions:
                text = f"{question.prompt} ({section.title})"
                score = max(matcher.match(text), matcher.match(question.id))
                if score > 0:
                    yield Hit(
                        score,
                        matcher.highlight(text),
                        partial(goto, question.id),
                        help=f"Go to question {question.id}",
                    )
