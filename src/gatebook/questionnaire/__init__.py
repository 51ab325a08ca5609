"""The questionnaire definition: models, YAML loading with line-aware errors, checks."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gatebook.questionnaire.loader import load_questionnaire, questionnaire_from_data
    from gatebook.questionnaire.models import Question, Questionnaire
    from gatebook.questionnaire.source import Problem, SourceError

_WHERE = {
    "load_questionnaire": "loader",
    "questionnaire_from_data": "loader",
    "Question": "models",
    "Questionnaire": "models",
    "Problem": "source",
    "SourceError": "source",
}


def __getattr__(name: str) -> Any:
    """Loaded on first use: importing `gatebook.questionnaire.ids` (the store does, to
    check ids) must not import the models and the loader the home screen never needs."""
    if name in _WHERE:
        return getattr(import_module(f"gatebook.questionnaire.{_WHERE[name]}"), name)
    raise AttributeError(name)


__all__ = [
    "Problem",
    "Question",
    "Questionnaire",
    "SourceError",
    "load_questionnaire",
    "questionnaire_from_data",
]
