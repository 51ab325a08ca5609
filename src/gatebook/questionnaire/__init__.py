"""The questionnaire definition: models, YAML loading with line-aware errors, checks."""

from gatebook.questionnaire.loader import load_questionnaire, questionnaire_from_data
from gatebook.questionnaire.models import Question, Questionnaire
from gatebook.questionnaire.source import Problem, SourceError

__all__ = [
    "Problem",
    "Question",
    "Questionnaire",
    "SourceError",
    "load_questionnaire",
    "questionnaire_from_data",
]
