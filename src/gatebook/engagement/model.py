"""The engagement record as stored in `engagements/ID.json`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from gatebook.questionnaire.ids import DOCUMENT_ID, MAX_DOCUMENT_ID
from gatebook.questionnaire.models import Stage
from gatebook.store.model import DATE_PATTERN, TIME_PATTERN, Conflict, MergedFile

SCHEMA_VERSION = 2
"""2 added `conflicts`; files of version 1 load as they are (they hold none)."""
MemberId = Annotated[str, StringConstraints(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)]


def _existing_date(text: str) -> str:
    """A hand-edited `start` such as 2026-99-99 makes the file damaged when it is read,
    never a crash later when the engagement's age is taken."""
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text} is not a date that exists; write YYYY-MM-DD") from None
    return text


ExistingDate = Annotated[str, Field(pattern=DATE_PATTERN), AfterValidator(_existing_date)]


class StageOverride(BaseModel):
    """A stage started before what it expects (a signed OQR before the S2D, ...): who
    said so, when and why. It silences the warning for that stage."""

    model_config = ConfigDict(extra="forbid")

    stage: Stage
    reason: str = Field(min_length=1)
    time: str = Field(pattern=TIME_PATTERN)
    user: str


class Engagement(MergedFile):
    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: str = Field(pattern=DOCUMENT_ID, max_length=MAX_DOCUMENT_ID)
    title: str = Field(min_length=1)
    start: ExistingDate = Field(description="When the engagement started.")
    created: str = Field(pattern=TIME_PATTERN)
    updated: str = Field(pattern=TIME_PATTERN)
    members: list[MemberId] = Field(
        default_factory=list, description="Member review ids, in the order they joined."
    )
    shared: dict[str, Any] = Field(
        default_factory=dict, description="The latest value written of each shared question."
    )
    overrides: list[StageOverride] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(
        default_factory=list,
        description="Fields (`title`, `start`, `shared.ID`) a git merge could not settle; "
        "`gatebook resolve ENGAGEMENT FIELD` settles each; never part of a combined plan.",
    )

    @property
    def customer(self) -> str:
        value = self.shared.get("customer")
        return value if isinstance(value, str) else ""
