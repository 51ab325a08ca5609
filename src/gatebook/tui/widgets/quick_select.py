"""Editors that answer the common questions in one or two keys, on a live call.

- yes/no: `y` / `n` answer, `space` toggles;
- choice: digits `1`-`9` pick the n-th option, a letter jumps to the next option
  starting with it, `space` (or `alt+down`) opens the list;
- rating: the digit is the rating (`0`-`9`), `space` opens the list;
- in all three, `enter` and `down` move on to the next question (as `tab` does),
  `up` goes back: the list opens on `space` or `alt+down` only, never by accident;
- multichoice and checklist: digits toggle the n-th option, `space` the highlighted
  one; `up`/`down` move the highlight and leave the question past its first or last
  option; `enter` moves on.

A digit past the options changes nothing and says so on the line under the field
(`3 options: type 1-3`, `5 ratings: type 0-4`) until a key does something or the
question is left.
"""

from __future__ import annotations

from typing import Any, cast

from textual import events, on
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import OptionList, Select, SelectionList

from gatebook.questionnaire.models import QuestionType
from gatebook.tui.widgets.answer_input import leave

DIGITS = [str(d) for d in range(10)]

ANSWER_KEYS: list[tuple[str, str]] = [
    ("enter / tab", "Next question (never changes the answer); then the next section"),
    ("shift+tab", "Previous question"),
    ("up / down", "Previous / next question"),
    ("up / down", "Multichoice, checklist, table, long text: move inside, leave at the edge"),
    ("y / n", "Yes/no: answer it"),
    ("1 … 9", "Choice: pick the n-th option; multichoice and checklist: toggle it"),
    ("a … z", "Choice: jump to the next option starting with the letter"),
    ("0 … 9", "Rating: the rating itself"),
    ("space", "Yes/no: toggle; choice or rating: open the list"),
    ("space", "Multichoice and checklist: toggle the highlighted option"),
    ("alt+down", "Choice or rating: open the list"),
    ("ctrl+j", "Long text: a new line (shift+enter too, where the terminal sends it)"),
]
"""The keys a focused answer takes (also in the help screen and docs/using.md)."""


def digits_hint(count: int, *, first: int = 1, what: str = "options") -> str:
    """Which digits answer, for a digit that did not: `3 options: type 1-3`."""
    last = min(first + count - 1, 9)
    what = what if count != 1 else what.removesuffix("s")
    return f"{count} {what}: type {first}" + (f"-{last}" if last > first else "")


class DigitRefused(Message):
    """A digit past the options did nothing: `text` says which digits there are, for
    the line under the field; "" once a key did something again (the line is cleared)."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class Refuses:
    """For an options editor (a mixin: a second Widget base would cut the Textual
    widget's component classes): says when a digit is refused, and takes it back once
    a key does something or the focus leaves (one message each, not one per key)."""

    refused = False

    def refuse(self, text: str) -> None:
        if text or self.refused:
            self.refused = bool(text)
            cast("Widget", self).post_message(DigitRefused(text))

    def on_blur(self) -> None:
        self.refuse("")


class QuickSelect(Refuses, Select[Any]):
    """A Select for yes/no, choice and rating questions, driven by single keys."""

    BINDINGS = [
        Binding("enter,down", "leave(1)", "Next question", show=False, id="answer.move_on"),
        Binding("up", "leave(-1)", "Previous question", show=False, id="answer.back"),
        Binding("space", "space", "Toggle or open the list", show=False, id="answer.space"),
        Binding("alt+down", "show_overlay", "Open the list", show=False, id="answer.open"),
    ]

    def __init__(self, options: list[tuple[Any, Any]], kind: QuestionType, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.kind = kind
        self._values = [value for _, value in options]
        self._labels = [str(label) for label, _ in options]

    def action_leave(self, step: int) -> None:
        leave(self, step)

    def action_space(self) -> None:
        if self.kind == "boolean":
            self.value = self.value is not True
        else:
            self.action_show_overlay()

    def _pick(self, value: Any) -> None:
        if value in self._values:
            self.value = value

    def on_key(self, event: events.Key) -> None:
        key = event.character or ""
        refused = ""
        count = len(self._values)
        if self.kind == "boolean" and key.lower() in ("y", "n"):
            self._pick(key.lower() == "y")
        elif self.kind == "rating" and key in DIGITS:
            if int(key) in self._values:
                self._pick(int(key))
            else:
                refused = digits_hint(count, first=0, what="ratings")
        elif self.kind == "choice" and key in DIGITS:
            if 1 <= int(key) <= count:
                self._pick(self._values[int(key) - 1])
            else:
                refused = digits_hint(count)
        elif self.kind == "choice" and len(key) == 1 and key.isalpha():
            self._jump(key.lower())
        else:
            return
        self.refuse(refused)
        event.stop()
        event.prevent_default()

    def _jump(self, letter: str) -> None:
        """The next option (after the chosen one, wrapping) whose label starts with it."""
        count = len(self._values)
        start = self._values.index(self.value) + 1 if self.value in self._values else 0
        for step in range(count):
            index = (start + step) % count
            if self._labels[index].strip().lower().startswith(letter):
                self._pick(self._values[index])
                return


class QuickSelectionList(Refuses, SelectionList[str]):
    """A SelectionList whose digits toggle the n-th option, and whose options say
    `[x]` / `[ ]` in their text, so what is selected shows without colour too.
    `enter` moves on (SelectionList's would toggle the option); `up`/`down` leave the
    question past its first or last option."""

    BINDINGS = [Binding("enter", "leave", "Next question", show=False, id="options.next")]

    def __init__(self, *items: tuple[Content, str, bool], id: str | None = None) -> None:
        self._labels = [label for label, _, _ in items]
        super().__init__(*(self._marked(*item) for item in items), id=id)

    @staticmethod
    def _marked(label: Content, value: str, chosen: bool) -> tuple[Content, str, bool]:
        return (Content(f"[{'x' if chosen else ' '}] ") + label, value, chosen)

    @on(SelectionList.SelectedChanged)
    def _show_marks(self) -> None:
        chosen = set(self.selected)
        for index, label in enumerate(self._labels):
            value = self.get_option_at_index(index).value
            self.replace_option_prompt_at_index(
                index, self._marked(label, value, value in chosen)[0]
            )

    def _get_left_gutter_width(self) -> int:
        """No toggle button: the `[x]` in the text is the one checkbox drawn."""
        return 0

    def render_line(self, y: int) -> Strip:
        """The option as OptionList draws it, without SelectionList's `▐X▌` button
        (drawn beside our `[x]`, it read as two checkboxes: `▐X▌ [ ]`)."""
        return OptionList.render_line(self, y)

    def on_key(self, event: events.Key) -> None:
        key = event.character or ""
        if key not in DIGITS:
            return
        if 1 <= int(key) <= self.option_count:
            self.toggle(self.get_option_at_index(int(key) - 1).value)
            self.refuse("")
        else:
            self.refuse(digits_hint(self.option_count))
        event.stop()
        event.prevent_default()

    def action_leave(self) -> None:
        leave(self, 1)

    def action_cursor_up(self) -> None:
        if not self.highlighted:  # the first option, or none
            leave(self, -1)
        else:
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.highlighted is not None and self.highlighted >= self.option_count - 1:
            leave(self, 1)
        else:
            super().action_cursor_down()
