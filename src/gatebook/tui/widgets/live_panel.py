"""The live risk panel: flags by severity, score bars, gates, escalation, missing.

Each part is one PanelText that repaints only its lines that changed, so a
keystroke that changes nothing in the risk picture writes nothing to the terminal,
and one that changes a number repaints that line.
Severity is always spelled out (HIGH/MED/LOW), never shown by colour alone.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll

from gatebook.engine import Evaluation
from gatebook.engine.formatting import score_text, unmet_lines
from gatebook.engine.gates import GateStatus
from gatebook.questionnaire.models import Questionnaire
from gatebook.tui.widgets.panel_text import PanelText

SEVERITY_WORD = {"high": "▲ HIGH", "medium": "◆ MED", "low": "▽ LOW"}
BAR_WIDTH = 20


def score_bar(score: float | None, width: int = BAR_WIDTH) -> str:
    if score is None:
        return "·" * width + "    -"
    filled = round(score / 100 * width)
    return "█" * filled + "░" * (width - filled) + f" {score:5.1f}"


def summary_line(result: Evaluation) -> str:
    counts = result.flag_counts()
    score = score_text(result.overall)
    target = "" if result.target is None else f"/{result.target:g}"
    escalate = "  ESCALATE" if result.escalate else ""
    return (
        f"▲ {counts['high']} high · ◆ {counts['medium']} med · ▽ {counts['low']} low · "
        f"score {score}{target} · {result.progress:g}% done{escalate}"
    )


def flags_text(result: Evaluation) -> str:
    if not result.flags:
        return "No risk flags raised."
    count = len(result.flags)
    lines = [
        f"{count} flag{'' if count == 1 else 's'} (ctrl+r or F9: the panel, scroll with arrows)"
    ]
    for flag in result.flags:
        lines.append(f"{SEVERITY_WORD[flag.severity]} {flag.title}")
        if flag.why:
            lines.append(f"   {flag.why}")
    return "\n".join(lines)


def scores_text(questionnaire: Questionnaire, result: Evaluation) -> str:
    if not questionnaire.dimensions:
        return ""
    lines = ["Scores"]
    for dimension in questionnaire.dimensions:
        lines.append(f"{dimension.id:<4} {score_bar(result.scores.get(dimension.id))}")
    overall, target = score_text(result.overall), score_text(result.target)
    lines.append(f"Overall {overall} / target {target}")
    return "\n".join(lines)


def gates_text(questionnaire: Questionnaire, result: Evaluation) -> str:
    """Each gate, and under an open one what is unmet and why."""
    if not result.gates:
        return ""
    lines = ["Gates"]
    for gate in result.gates.values():
        lines.append(f"{gate.title}: {gate_state(gate)}")
        lines += [f"   ✗ {line}" for line in unmet_lines(questionnaire, gate)]
    return "\n".join(lines)


def gate_state(gate: GateStatus) -> str:
    """In words, so it reads without colour: `4 of 5 items open`, `passed (5 of 5 items
    met)`, or `not applicable` when every item is N/A (nothing left to meet)."""
    if gate.total == 0:
        return "not applicable"
    if gate.passed:
        return f"passed ({gate.met} of {gate.total} items met)"
    return f"{gate.total - gate.met} of {gate.total} items open"


def escalation_text(result: Evaluation) -> str:
    if not result.escalate:
        return ""
    return "ESCALATE to senior leadership\n" + "\n".join(
        f"• {reason}" for reason in result.escalation_reasons
    )


def missing_text(questionnaire: Questionnaire, result: Evaluation) -> str:
    if not result.missing:
        return "All required answers given."
    lines = [f"Missing required ({len(result.missing)})"]
    for question_id in result.missing[:8]:
        question = questionnaire.question(question_id)
        lines.append(f"• {question.prompt if question else question_id}")
    if len(result.missing) > 8:
        lines.append(f"  … and {len(result.missing) - 8} more (ctrl+n jumps to them)")
    return "\n".join(lines)


class LivePanel(VerticalScroll, can_focus=True):
    DEFAULT_CSS = """
    LivePanel { padding: 0 1; }
    LivePanel:focus { background: $boost; border-left: thick $primary; }
    LivePanel > PanelText { margin-bottom: 1; }
    LivePanel #panel-escalation { background: $error; color: $text; text-style: bold; }
    LivePanel #panel-escalation.-blank { background: transparent; }
    LivePanel #panel-escalation.-empty { display: none; }
    LivePanel #panel-ask.-empty { display: none; }
    """

    def __init__(self, questionnaire: Questionnaire, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.questionnaire = questionnaire
        self._parts = {
            part: PanelText(
                id=f"panel-{part}", holds_height=True, styles_blank=part == "escalation"
            )
            for part in ("escalation", "ask", "flags", "scores", "gates", "missing")
        }

    def compose(self) -> ComposeResult:
        yield from self._parts.values()

    def show_ask(self, text: str) -> None:
        """Undecided items, what to ask next and the probes (ranked after the frame)."""
        self._parts["ask"].show(text)

    def release_heights(self) -> None:
        """Each block back to the lines its text needs: the focus moved on."""
        for widget in self._parts.values():
            widget.release_height()

    def show(self, result: Evaluation) -> None:
        parts = {
            "escalation": escalation_text(result),
            "flags": flags_text(result),
            "scores": scores_text(self.questionnaire, result),
            "gates": gates_text(self.questionnaire, result),
            "missing": missing_text(self.questionnaire, result),
        }
        for part, text in parts.items():
            self._parts[part].show(text)
