"""Pure evaluation of answers against a questionnaire: no IO, no Textual."""

from gatebook.engine.evaluate import Evaluation, GateStatus, RaisedFlag, evaluate

__all__ = ["Evaluation", "GateStatus", "RaisedFlag", "evaluate"]
