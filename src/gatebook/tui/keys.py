"""The keyboard reference, generated from the app's own bindings.

`python -m gatebook.tui.keys` prints it as Markdown; docs/using.md carries it
between `<!-- keys:start -->` and `<!-- keys:end -->`, and a test fails when the
two differ, so a new binding cannot go undocumented. `make docs` rewrites it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from textual.binding import Binding, BindingType

from gatebook.tui.app import GatebookApp
from gatebook.tui.screens.engagement import EngagementScreen
from gatebook.tui.screens.engagement_diff import EngagementDiffScreen
from gatebook.tui.screens.help import HelpScreen
from gatebook.tui.screens.home import HomeScreen
from gatebook.tui.screens.modals import Confirm, RowEditor, TextPrompt
from gatebook.tui.screens.plan import ExportScreen, SignoffDialog
from gatebook.tui.screens.portfolio import PortfolioScreen
from gatebook.tui.screens.review import ReviewScreen
from gatebook.tui.screens.summary import SummaryScreen
from gatebook.tui.widgets.footer import key_label
from gatebook.tui.widgets.question_field import QuestionField
from gatebook.tui.widgets.quick_select import ANSWER_KEYS
from gatebook.tui.widgets.register_rows import RegisterRows

START, END = "<!-- keys:start -->", "<!-- keys:end -->"
PLACES: list[tuple[str, list[BindingType] | list[tuple[str, str]]]] = [
    ("Everywhere", GatebookApp.BINDINGS),
    ("Home (engagements, then the loose reviews)", HomeScreen.BINDINGS),
    ("Engagement (its reviews, next step, RAG, risks)", EngagementScreen.BINDINGS),
    ("Engagement changes since a milestone", EngagementDiffScreen.BINDINGS),
    ("Portfolio (every engagement and loose review)", PortfolioScreen.BINDINGS),
    ("Review (answering questions)", ReviewScreen.BINDINGS),
    ("A question's field", QuestionField.BINDINGS),
    ("Answering in one or two keys", ANSWER_KEYS),
    ("Summary", SummaryScreen.BINDINGS),
    ("Summary: the risk register", RegisterRows.BINDINGS),
    ("Plan preview", ExportScreen.BINDINGS),
    ("Sign-off dialog", SignoffDialog.BINDINGS),
    ("Table row editor", RowEditor.BINDINGS),
    ("Text prompt", TextPrompt.BINDINGS),
    ("Confirmation", Confirm.BINDINGS),
    ("Help", HelpScreen.BINDINGS),
]


def reference() -> str:
    lines = [START]
    for place, bindings in PLACES:
        rows = [
            (
                " / ".join(f"`{key_label(k)}`" for k in b.key.split(",")),
                b.description,
            )
            for b in bindings
            if isinstance(b, Binding) and b.description
        ] + [(f"`{b[0]}`", str(b[1])) for b in bindings if isinstance(b, tuple) and len(b) == 2]
        if not rows:
            continue
        lines += ["", f"**{place}**", "", "| keys | action |", "|---|---|"]
        lines += [f"| {keys} | {text} |" for keys, text in rows]
    lines += ["", END]
    return "\n".join(lines)


def update(path: Path) -> bool:
    """Rewrite the reference inside `path`; True when it changed."""
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    new = head + reference() + tail
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print("updated" if update(Path(sys.argv[1])) else "up to date")
    else:
        print(reference())
