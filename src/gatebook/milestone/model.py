"""The milestone file's shape and types, checked by one model when a file is read.

A milestone may come from another laptop or another branch: its digest is a plain
hash anyone can recompute, so the digest alone does not make its fields the types
`milestones`, `diff` and `export --since` print. Every field they read is checked
here (strictly: `"abc"` is not a score, `null` is not an author); a file that fails
is damaged, named, exit 1 (docs/contracts.md "Milestones").
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gatebook.questionnaire.ids import DOCUMENT_ID, IDENTIFIER, MAX_DOCUMENT_ID
from gatebook.store.canonical import BaseState
from gatebook.store.model import DIGEST_PATTERN, TIME_PATTERN, Level, OutcomeRow, Signoff

DocumentId = Annotated[str, StringConstraints(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)]
Identifier = Annotated[str, StringConstraints(pattern=IDENTIFIER)]
Score = Annotated[float, Field(allow_inf_nan=False)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FrozenQuestionnaire(_Strict):
    id: DocumentId
    version: str
    current_version: str
    digest: str = Field(pattern=DIGEST_PATTERN)


class FrozenContent(BaseModel):
    """The review's canonical content; `diff` reads its answers, N/A reasons and outcomes."""

    model_config = ConfigDict(extra="allow", strict=True)

    answers: dict[Identifier, Any]
    not_applicable: dict[Identifier, str] = Field(default_factory=dict)
    outcomes: dict[Identifier, OutcomeRow] = Field(default_factory=dict)


class FrozenSignoff(Signoff):
    """A sign-off as it was, with its state then."""

    model_config = ConfigDict(extra="forbid", strict=True)

    state: BaseState


class FrozenFlag(_Strict):
    id: Identifier
    title: str
    severity: Level


class FrozenGate(_Strict):
    passed: bool
    met: int
    total: int


class FrozenRow(BaseModel):
    """A register row as `show --format json` printed it."""

    model_config = ConfigDict(extra="forbid", strict=True)

    id: Identifier
    flag: Identifier | None = None
    title: str | None = None
    severity: Level | None = None
    category: str | None = None
    why: str | None = None
    likelihood: Level | None = None
    impact: Level | None = None
    mitigation: str | None = None
    contingency: str | None = None
    owner: str | None = None
    due: str | None = None
    status: str | None = None
    origin: str | None = None


class FrozenEvaluation(_Strict):
    flags: list[FrozenFlag]
    scores: dict[Identifier, Score | None]
    overall: Score | None
    target: Score | None
    gates: dict[Identifier, FrozenGate]
    rows: list[FrozenRow] = Field(alias="register")


class MilestoneFile(_Strict):
    """Exactly what `MilestoneStore.frozen` writes (format 1)."""

    gatebook_milestone: Literal[1]
    review: DocumentId
    name: DocumentId
    sequence: int
    time: str = Field(pattern=TIME_PATTERN)
    author: str
    note: str
    questionnaire: FrozenQuestionnaire
    content: FrozenContent
    signoffs: list[FrozenSignoff]
    evaluation: FrozenEvaluation
    questions: dict[str, str]
    digest: str = Field(pattern=DIGEST_PATTERN)


def milestone_problem(data: object) -> str | None:
    """Why `data` is not a milestone file (the first field that fails), or None."""
    from pydantic import ValidationError

    try:
        MilestoneFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        return f"{where}: {first['msg']}"
    except RecursionError:
        return "nested too deeply"
    return None
