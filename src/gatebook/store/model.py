"""The review document as stored: pydantic models with a schema version."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
)

from gatebook.questionnaire.ids import DOCUMENT_ID, IDENTIFIER, MAX_DOCUMENT_ID

SCHEMA_VERSION = 1
Decision = Literal["approved", "approved-with-conditions", "rejected"]
Status = Literal["draft", "partially-signed", "signed", "rejected", "void"]


class ChangeKind(StrEnum):
    """Which part of a review a change touches (stored as its value in the history)."""

    ANSWER = "answer"
    NOTE = "note"
    NOT_APPLICABLE = "not_applicable"
    FOLLOW_UP = "follow_up"
    MITIGATION = "mitigation"
    TITLE = "title"
    SUBJECT = "subject"
    SIGNOFF = "signoff"
    RISK = "risk"
    ESCALATION = "escalation"
    MEETING = "meeting"
    NA_SECTION = "na_section"
    VERSION = "version"
    """The questionnaire version, written only by settling a merge conflict on it."""
    OUTCOME = "outcome"
    """One row of the outcomes register, as a whole (None removes it)."""


TIME_PATTERN = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$"
DIGEST_PATTERN = r"^sha256:[0-9a-f]{64}$"


class Signoff(BaseModel):
    """One decision by a named person in a role, bound to the content it approved.

    `format` 2 sign-offs also record the stable review id, the digest of the
    questionnaire the plan showed and a digest per content field (to say what
    changed since); their SSH signature covers every field (docs/contracts.md).
    """

    model_config = ConfigDict(extra="forbid")

    role: str = Field(pattern=IDENTIFIER)
    name: str
    decision: Decision
    comment: str = ""
    time: str = Field(pattern=TIME_PATTERN)
    digest: str = Field(pattern=DIGEST_PATTERN)
    override: str | None = None
    signature: str | None = None
    void: bool = False
    format: int | None = None
    review: str | None = Field(default=None, pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)
    questionnaire_digest: str | None = Field(default=None, pattern=DIGEST_PATTERN)
    fields: dict[str, str] | None = None


RiskStatus = Literal["open", "mitigating", "mitigated", "accepted"]
RISK_STATUSES: tuple[str, ...] = ("open", "mitigating", "mitigated", "accepted")
Level = Literal["high", "medium", "low"]
EscalationDecision = Literal["proceed", "proceed-with-conditions", "stop"]
ESCALATION_DECISIONS: tuple[str, ...] = ("proceed", "proceed-with-conditions", "stop")
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
RowId = Annotated[str, StringConstraints(pattern=IDENTIFIER)]


def _dropped_when_empty(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    """Keys added after files were first written are left out while empty, so older
    files keep their exact content."""
    for key in keys:
        if data.get(key) in (None, []):
            data.pop(key, None)
    return data


class RiskRow(BaseModel):
    """What is written on one risk register row (docs/contracts.md "Risk register").

    A flag's row (`flag` set) takes its title, severity, category and why from the
    flag while it is raised; a row added by hand carries its own. The mitigation of
    every row lives in `Review.mitigations` under the row id (where flags' mitigations
    were always kept, so older reviews keep their digests).
    """

    model_config = ConfigDict(extra="forbid")

    flag: str | None = Field(default=None, pattern=IDENTIFIER)
    title: str = ""
    severity: Level | None = None
    category: str = ""
    likelihood: Level | None = None
    impact: Level | None = None
    contingency: str = ""
    owner: str = ""
    due: str | None = Field(default=None, pattern=DATE_PATTERN)
    status: RiskStatus = "open"
    origin: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Za-z_][A-Za-z0-9_]*$",
        description="REVIEW_ID/ROW_ID of the earlier stage's row this one was carried from.",
    )

    @model_serializer(mode="wrap")
    def _without_empty_origin(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        """`origin` is written only when set: rows from before engagements keep the
        exact content (and so the digest) they were signed with."""
        return _dropped_when_empty(handler(self), "origin")


OutcomeStatus = Literal[
    "planned", "on_track", "at_risk", "off_track", "achieved", "partly_achieved", "not_achieved"
]
OUTCOME_STATUSES: tuple[str, ...] = (
    "planned",
    "on_track",
    "at_risk",
    "off_track",
    "achieved",
    "partly_achieved",
    "not_achieved",
)
OutcomeCbo = Literal["reduced_risk", "esg", "revenue", "efficiency"]
OUTCOME_CBOS: tuple[str, ...] = ("reduced_risk", "esg", "revenue", "efficiency")
ASSESSED_OUTCOME_STATUSES: tuple[str, ...] = ("achieved", "partly_achieved", "not_achieved")


class OutcomeRow(BaseModel):
    """One customer business outcome on the outcomes register (docs/contracts.md
    "Outcomes register"): what the customer wants, how it is measured, by when, and
    where it stands. Keyed in `Review.outcomes` by its id (`outcome_` + 6 random lower-case
    letters and digits); carried into later members of an engagement like risk rows,
    `origin` naming the row it was copied from."""

    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=500)
    cbo: OutcomeCbo | None = None
    metric: str = ""
    baseline: str = ""
    target: str = ""
    by: str | None = Field(default=None, pattern=DATE_PATTERN)
    status: OutcomeStatus = "planned"
    evidence: str = ""
    origin: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Za-z_][A-Za-z0-9_]*$",
        description="REVIEW_ID/OUTCOME_ID of the earlier member's row this one was carried from.",
    )


class EscalationRecord(BaseModel):
    """To whom an escalation went, what was decided, when, and which reasons (rule
    ids) it answered: a reason not among them makes a decision due again."""

    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1)
    decision: EscalationDecision
    date: str = Field(pattern=DATE_PATTERN)
    note: str = ""
    reasons: list[str] = Field(default_factory=list)


class Attendee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1)
    organisation: str = ""
    role: str = ""


class Meeting(BaseModel):
    """One session of a review: when, who was there, what was said."""

    model_config = ConfigDict(extra="forbid")

    date: str = Field(pattern=DATE_PATTERN)
    attendees: list[Attendee] = Field(default_factory=list)
    notes: str = ""


class HistoryEntry(BaseModel):
    """One change: who, when, what, old -> new. Undo walks these backwards."""

    model_config = ConfigDict(extra="forbid")

    time: str
    user: str
    kind: ChangeKind
    key: str
    old: Any = None
    new: Any = None
    undone: bool = False
    undo_of: int | None = None
    shared_from: str | None = Field(
        default=None,
        description="The member review of the engagement this shared answer was made in "
        "(undo here passes over it).",
    )
    shared_to: list[str] | None = Field(
        default=None,
        description="The member reviews this shared answer was also written in (undo here "
        "sets it back in each).",
    )

    @model_serializer(mode="wrap")
    def _without_empty_sharing(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        return _dropped_when_empty(handler(self), "shared_from", "shared_to")


class Conflict(BaseModel):
    """A field both sides of a git merge changed to different values: the merge kept
    ours; `gatebook resolve` settles it (docs/contracts.md "Merging")."""

    model_config = ConfigDict(extra="forbid")

    field: str = Field(min_length=1, max_length=200)
    base: Any = None
    ours: Any = None
    theirs: Any = None


class MergedFile(BaseModel):
    """A file git merges field by field (a review, an engagement): it holds the
    `conflicts` a merge could not settle, written only when there are some, so files
    stay as they were."""

    @model_serializer(mode="wrap")
    def _without_empty_conflicts(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        return _dropped_when_empty(handler(self), "conflicts")


class Review(MergedFile):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: str = Field(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)
    origin: str | None = Field(
        default=None,
        pattern=DOCUMENT_ID,
        max_length=MAX_DOCUMENT_ID,
        description="The id the review had where it was signed, when it was imported under "
        "another one: what its digest and signatures name.",
    )
    questionnaire: str = Field(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)
    version: str
    questionnaire_path: str | None = Field(
        default=None, description="Set when the review was started from a file rather than an id."
    )
    title: str
    subject: str = ""
    answers: dict[str, Any] = Field(default_factory=dict)
    notes: dict[str, str] = Field(default_factory=dict)
    not_applicable: dict[str, str] = Field(default_factory=dict)
    follow_ups: list[str] = Field(default_factory=list)
    mitigations: dict[str, str] = Field(default_factory=dict)
    risk_register: dict[RowId, RiskRow] = Field(default_factory=dict)
    outcomes: dict[RowId, OutcomeRow] = Field(
        default_factory=dict,
        description="The outcomes register (questionnaire versions with `outcomes: true`); "
        "written only once non-empty, so older files keep their exact content.",
    )
    escalation: EscalationRecord | None = None
    meetings: list[Meeting] = Field(default_factory=list)
    signoffs: list[Signoff] = Field(default_factory=list)
    created: str
    updated: str
    position: str | None = Field(default=None, description="The question the person was last on.")
    guided: bool = Field(
        default=False, description="Guided mode in the app: moving on goes to what to ask next."
    )
    history: list[HistoryEntry] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(
        default_factory=list,
        description="Fields a git merge could not settle (outside the digest); a review "
        "with conflicts cannot be signed off.",
    )

    @model_serializer(mode="wrap")
    def _without_empty_registers(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> dict[str, Any]:
        """`conflicts` and `outcomes` are written only when there are some."""
        data = _dropped_when_empty(handler(self), "conflicts")
        if not data.get("outcomes"):
            data.pop("outcomes", None)
        return data
