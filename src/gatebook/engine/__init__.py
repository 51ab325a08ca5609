"""Pure evaluation of answers against a questionnaire: no IO, no Textual."""

from gatebook.engine.evaluate import Evaluation, evaluate
from gatebook.engine.flags import RaisedFlag
from gatebook.engine.gates import GateStatus

__all__ = ["Evaluation", "GateStatus", "RaisedFlag", "evaluate"]
