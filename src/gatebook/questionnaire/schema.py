"""The JSON Schema of questionnaire files, generated from the pydantic models."""

from __future__ import annotations

from typing import Any

from gatebook.questionnaire.models import Questionnaire


def questionnaire_schema() -> dict[str, Any]:
    schema = Questionnaire.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "gatebook questionnaire"
    return schema
