"""The marks the screens share: a shape as well as a word, readable without colour."""

from __future__ import annotations

RAG_MARK = {"red": "● RED", "amber": "◐ AMBER", "green": "○ GREEN"}
"""An engagement's (or a review's) RAG status as the home, engagement and portfolio
screens show it."""
