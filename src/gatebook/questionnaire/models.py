"""The questionnaire definition as pydantic models.

These models are the single source of the questionnaire format: the loader
validates YAML against them, `gatebook schema` prints their JSON Schema, and the
engine reads them. Unknown keys are refused (a typo must not pass silently).
"""

from __future__ import annotations

import ast
from typing import Any, Literal

from pydantic import Field, PrivateAttr, field_validator, model_validator

from gatebook.questionnaire.ids import DOCUMENT_ID, IDENTIFIER, MAX_DOCUMENT_ID
from gatebook.questionnaire.layout import PLAN_BLOCKS, Gate, GateItem, PlanChapter, Strict

__all__ = ["PLAN_BLOCKS", "Gate", "GateItem", "PlanChapter", "Strict"]

QuestionType = Literal[
    "text",
    "longtext",
    "number",
    "integer",
    "money",
    "percent",
    "boolean",
    "choice",
    "multichoice",
    "rating",
    "date",
    "table",
    "checklist",
]
Severity = Literal["high", "medium", "low"]
Stage = Literal[
    "validation", "sow", "handover", "launch", "inspect", "close", "intake", "plan", "measure"
]
DELIVERY_STAGES: tuple[str, ...] = ("validation", "sow", "handover", "launch", "inspect", "close")
OKR_STAGES: tuple[str, ...] = ("intake", "plan", "measure")
STAGES: tuple[str, ...] = DELIVERY_STAGES + OKR_STAGES
"""Life-cycle order: the delivery track, then the OKR track."""

SEVERITY_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}
DEFAULT_RATING_SCALE = [
    "Not addressed",
    "Weak",
    "Partly in place",
    "Mostly in place",
    "Fully in place",
]


class Option(Strict):
    """One option of a choice or multichoice question."""

    value: str = Field(description="The stored value, used in conditions and answers files.")
    label: str = Field("", description="What the person sees; defaults to the value.")
    exclusive: bool = Field(
        False, description='"None of these": cannot be selected together with another option.'
    )
    help: str = Field("", description="A note shown beside the option (e.g. a resource).")
    url: str | None = Field(None, description="A link shown with the option's help.")
    improvement: str = Field(
        "",
        description="What to do when this option (a best practice) is not selected; "
        "`{question:improvements}` in a flag's mitigation lists these.",
    )

    @model_validator(mode="before")
    @classmethod
    def _from_scalar(cls, data: Any) -> Any:
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"value": str(data)}
        return data

    @model_validator(mode="after")
    def _default_label(self) -> Option:
        if not self.label:
            self.label = self.value
        return self


class ChecklistItem(Strict):
    """One item of a checklist question; met or not met."""

    id: str = Field(pattern=IDENTIFIER)
    title: str
    help: str = ""


class Question(Strict):
    """A question; table columns are questions too (their `prompt` is the header)."""

    id: str = Field(pattern=IDENTIFIER, description="Unique id, used in conditions.")
    type: QuestionType
    prompt: str = Field(description="The question as asked on the call (or a column header).")
    help: str = Field("", description="Why it matters and what a good answer looks like.")
    required: bool = False
    shared: bool = Field(
        False,
        description="Within an engagement, one value across its member reviews: answering "
        "it in one sets it in every member whose questionnaire shares a question of the same "
        "id, type and (for choices) option values. Scalar, choice and multichoice questions "
        "only.",
    )
    min: float | None = Field(
        None,
        description="number, integer, money, percent: the smallest value accepted "
        "(money defaults to 0, percent to 0).",
    )
    max: float | None = Field(
        None,
        description="number, integer, money, percent: the largest value accepted "
        "(percent defaults to 100).",
    )
    show_if: str | None = Field(None, description="Condition; the question is asked when true.")
    required_if: str | None = Field(None, description="Condition; required when true.")
    options: list[Option] = Field(
        default_factory=list, description="choice / multichoice: the options."
    )
    scale: list[str] | None = Field(
        None,
        description="rating: one label per step, from 0 upwards; defaults to the "
        "questionnaire's rating_scale.",
    )
    dimension: str | None = Field(None, description="rating: the dimension id it scores.")
    columns: list[Question] = Field(
        default_factory=list, description="table: the typed columns of each row."
    )
    items: list[ChecklistItem] = Field(
        default_factory=list, description="checklist: the items that are met or not."
    )
    _scale: list[str] = PrivateAttr(default_factory=lambda: list(DEFAULT_RATING_SCALE))

    def scale_labels(self) -> list[str]:
        # private attributes read through __pydantic_private__: `self._x` first fails the
        # normal lookup, then goes through pydantic's __getattr__ (slow on the hot path)
        scale: list[str] = self.__pydantic_private__["_scale"]  # type: ignore[index]
        return self.scale or scale

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option.value == value:
                return option.label
        return value

    @model_validator(mode="after")
    def _fits_type(self) -> Question:
        if self.type in ("choice", "multichoice") and not self.options:
            raise ValueError(f"a {self.type} question needs `options:` (a list of values)")
        if self.type == "table" and not self.columns:
            raise ValueError("a table question needs `columns:` (id, type, prompt each)")
        if self.type == "checklist" and not self.items:
            raise ValueError("a checklist question needs `items:` (id and title each)")
        numeric = self.type in ("number", "integer", "money", "percent")
        if (self.min is not None or self.max is not None) and not numeric:
            raise ValueError(f"`min:`/`max:` do not apply to a {self.type} question")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("`min:` is greater than `max:`")
        if self.type == "rating" and self.scale is not None and len(self.scale) < 2:
            raise ValueError("a rating `scale:` needs at least two labels")
        extra = {
            "options": bool(self.options) and self.type not in ("choice", "multichoice"),
            "columns": bool(self.columns) and self.type != "table",
            "items": bool(self.items) and self.type != "checklist",
            "scale": self.scale is not None and self.type != "rating",
            "dimension": self.dimension is not None and self.type != "rating",
        }
        for key, misplaced in extra.items():
            if misplaced:
                raise ValueError(f"`{key}:` does not apply to a {self.type} question")
        if self.shared and self.type in ("table", "checklist", "rating"):
            raise ValueError(
                f"`shared: true` does not apply to a {self.type} question; share a scalar, "
                "choice or multichoice question"
            )
        return self


class Section(Strict):
    id: str = Field(pattern=IDENTIFIER)
    title: str
    description: str = ""
    questions: list[Question] = Field(min_length=1)


class Dimension(Strict):
    """A scored dimension; rating questions name it in `dimension:`."""

    id: str = Field(pattern=IDENTIFIER)
    title: str
    description: str = ""
    weight: float = Field(1.0, gt=0, description="Weight in the overall score.")


class RiskLevel(Strict):
    """One step of an ordered risk rule: the first `when` that holds sets the severity."""

    when: str
    severity: Severity | Literal["none"] = Field(
        description="high, medium, low, or none: the first match raises no flag "
        "(an AWS lens's NO_RISK rule)."
    )
    why: str | None = None
    mitigation: str | None = None


class RiskRule(Strict):
    """A risk flag: raised while its condition holds."""

    id: str = Field(pattern=IDENTIFIER)
    title: str
    category: str = "general"
    severity: Severity | None = None
    when: str | None = None
    levels: list[RiskLevel] | None = Field(
        None, description="Ordered {when, severity}; the first that holds sets the severity."
    )
    why: str = Field(
        "", description="Template quoting answers: {tcv_usd:money}, {ratio(a, b):share}."
    )
    mitigation: str = ""
    probes: list[str] = Field(
        default_factory=list,
        description="Questions to put to the customer while the flag is raised or undecided "
        "(shown by `gatebook next`, in the app's panel and beside the plan's mitigation).",
    )

    @model_validator(mode="after")
    def _one_form(self) -> RiskRule:
        if self.levels is not None:
            if self.when is not None or self.severity is not None:
                raise ValueError("give either `when` with `severity`, or `levels`, not both")
            if not self.levels:
                raise ValueError("`levels` needs at least one {when, severity}")
        elif self.when is None or self.severity is None:
            raise ValueError("a risk needs `when` and `severity` (or ordered `levels`)")
        return self

    _single_level: list[RiskLevel] | None = PrivateAttr(None)
    """`when` with `severity` as the one level, built once (rules are tried per evaluation)."""

    def ordered_levels(self) -> list[RiskLevel]:
        if self.levels is not None:
            return self.levels
        single: list[RiskLevel] | None = self.__pydantic_private__["_single_level"]  # type: ignore[index]
        if single is None:
            assert self.when is not None and self.severity is not None
            single = self._single_level = [RiskLevel(when=self.when, severity=self.severity)]
        return single


class EscalationRule(Strict):
    id: str = Field(pattern=IDENTIFIER)
    when: str = Field(description="Condition; may use count_flags(severity=...).")
    reason: str


class Check(Strict):
    """A cross-question check: a warning at the fields its condition names while the
    condition holds (not a refusal: the customer may correct a number later)."""

    id: str = Field(pattern=IDENTIFIER)
    when: str = Field(description="Condition under which the warning shows.")
    message: str = Field(
        description="What is wrong and what to check, e.g. 'Security hours exceed the "
        "total hours.' May quote answers: {security_hours:number}."
    )


class SignoffRole(Strict):
    id: str = Field(pattern=IDENTIFIER)
    title: str
    required: bool = True


class Example(Strict):
    """A rule test: these answers must raise exactly these flags."""

    name: str
    answers: dict[str, Any] = Field(default_factory=dict)
    flags: list[str] = Field(description="The exact set of flag ids raised.")
    escalate: bool | None = None
    scores: dict[str, float | None] | None = None
    outcomes: list[dict[str, Any]] | None = Field(
        None,
        description="The review's outcomes register rows (title, cbo, metric, baseline, "
        "target, by, status, evidence, origin). With `outcomes:` or `risk_register:` the example "
        "is a review: helpers over the registers count these rows (an absent one is empty); "
        "without either they are unknown, as in `gatebook eval --answers`.",
    )
    risk_register: dict[str, dict[str, Any]] | list[dict[str, Any]] | None = Field(
        None,
        description="The review's risk register rows as stored (title, severity, due, "
        "status, origin ...), keyed by row id or as a list: what carried_overdue() reads.",
    )

    @field_validator("outcomes", mode="before")
    @classmethod
    def _outcomes_shape(cls, value: Any) -> Any:
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(r, dict) for r in value)
        ):
            raise ValueError(
                "write a list of rows ({title, cbo, metric, baseline, target, by, status, "
                "evidence, origin})"
            )
        return value

    @field_validator("risk_register", mode="before")
    @classmethod
    def _register_shape(cls, value: Any) -> Any:
        """Say what to write instead of pydantic's union internals (issue 33: compat)."""
        rows = value.values() if isinstance(value, dict) else value
        if value is not None and (
            not isinstance(value, dict | list) or not all(isinstance(r, dict) for r in rows)
        ):
            raise ValueError(
                "write a list of rows ({title, severity, due, status, origin}), "
                "or rows keyed by their id"
            )
        return value


class Questionnaire(Strict):
    id: str = Field(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)
    title: str
    version: str
    description: str = ""
    stage: Stage | None = Field(
        None,
        description="Where the questionnaire sits in an engagement's life cycle: validation "
        "(oqr), sow (pesa), handover (s2d), launch (kickoff), inspect (dqi), close (close); "
        "the OKR track intake (okr-intake), plan (okr-plan), measure (okr-review). Without a "
        "stage a review is listed after the others and never decides the engagement's stage.",
    )
    target: float | None = Field(None, description="The overall score target (0-100).")
    rating_scale: list[str] = Field(
        default_factory=lambda: list(DEFAULT_RATING_SCALE),
        min_length=2,
        description="Default labels of a rating's steps, from 0 upwards.",
    )
    dimensions: list[Dimension] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)
    risks: list[RiskRule] = Field(default_factory=list)
    escalation: list[EscalationRule] = Field(default_factory=list)
    checks: list[Check] = Field(
        default_factory=list, description="Cross-question checks shown as warnings."
    )
    gates: list[Gate] = Field(default_factory=list)
    signoff: list[SignoffRole] = Field(default_factory=list)
    examples: list[Example] = Field(default_factory=list)
    plan: list[PlanChapter] | None = Field(
        None,
        description="The exported plan's chapters in order; without it the plan shows the "
        "summary, risk register, scores, answers by section, sessions, escalation, sign-off.",
    )
    outcomes: bool = Field(
        False,
        strict=True,  # "yes" is no `true` (issue 33: compat)
        description="Reviews of this questionnaire keep an outcomes register beside the risk "
        "register (customer business outcomes: title, CBO, metric, baseline, target, by, "
        "status, evidence): the app shows it on the summary and the plan renders its table.",
    )
    pillar_counts: bool = Field(
        False,
        description="Count each section's question risks as the AWS console counts a "
        "pillar's (`pillars` in eval JSON and the plan); import-lens sets it.",
    )

    @field_validator("version", mode="before")
    @classmethod
    def _version_text(cls, value: Any) -> Any:
        """`version: 2` or `2.0` in YAML is a number; people mean the text."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        return value

    _expressions: dict[str, ast.expr] = PrivateAttr(default_factory=dict)
    _templates: dict[str, list[tuple[str, ast.expr | None, str]]] = PrivateAttr(
        default_factory=dict
    )
    _questions: dict[str, Question] = PrivateAttr(default_factory=dict)
    _source: str = PrivateAttr("")
    _snapshot_digest: str | None = PrivateAttr(None)
    _snapshot: dict[str, Any] | None = PrivateAttr(None)
    _source_map: Any = PrivateAttr(None)
    _dependency_graph: Any = PrivateAttr(None)
    _flag_inputs: dict[str, frozenset[str]] | None = PrivateAttr(None)
    """Which questions decide each rule (engine.interview), built once on first use."""
    _gate_plan: Any = PrivateAttr(None)
    """Each gate's items as the engine checks them (engine.gates), built once on first use."""

    def model_post_init(self, context: Any) -> None:
        for section in self.sections:
            for question in section.questions:
                self._questions.setdefault(question.id, question)
                question._scale = self.rating_scale

    @property
    def source(self) -> str:
        """The file this questionnaire was loaded from ('' when built in memory)."""
        return self._source

    @property
    def source_map(self) -> Any:
        """Where each value came from (a `SourceMap`), for messages with line numbers."""
        return self._source_map

    def questions(self) -> list[Question]:
        return list(self._private["_questions"].values())

    def question(self, question_id: str) -> Question | None:
        found: Question | None = self._private["_questions"].get(question_id)
        return found

    @property
    def _private(self) -> dict[str, Any]:
        """The private attributes without pydantic's __getattr__ (read on every key)."""
        private: dict[str, Any] = self.__pydantic_private__  # type: ignore[assignment]
        return private

    def section_of(self, question_id: str) -> Section | None:
        for section in self.sections:
            if any(q.id == question_id for q in section.questions):
                return section
        return None

    def expression(self, source: str) -> ast.expr:
        """The parsed form of a condition, parsed once at load time."""
        found: ast.expr = self._private["_expressions"][source]
        return found

    def template(self, source: str) -> list[tuple[str, ast.expr | None, str]]:
        """A parsed `why`/`reason` template: (literal, expression or None, format)."""
        found: list[tuple[str, ast.expr | None, str]] = self._private["_templates"][source]
        return found
