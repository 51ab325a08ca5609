"""Pure evaluation of answers against a questionnaire: no IO, no Textual."""

from gatebook.engine.evaluate import Evaluation, RaisedFlag, evaluate
from gatebook.engine.gates import GateStatus

__all__ = ["Evaluation", "GateStatus", "RaisedFlag", "evaluate"]
