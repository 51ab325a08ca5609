"""The help under the form: the focused question's help, the highlighted option's
own help and link (an AWS lens's helpful resource), and its note."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from gatebook.questionnaire.models import Question
from gatebook.store import Review
from gatebook.terminal import terminal_safe


class HelpText(Static):
    def show(self, question: Question, review: Review, option_value: str | None = None) -> None:
        text = question.help or ""
        option = next((o for o in question.options if o.value == option_value), None)
        if option is not None and (option.help or option.url):
            text += f"\n\n▸ {option.label}: {option.help}"
            if option.url:
                text += f"\n  {option.url}"
        if question.id in review.notes:
            text += f"\nNote: {review.notes[question.id]}"
        self.update(Content(terminal_safe(text.strip())))
