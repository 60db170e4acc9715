"""Practice by hand: worksheets with answer keys, and a checker that finds the first wrong step.

:func:`make_exercise` draws a small exercise (a whole-number map and a box
whose every intermediate number is a short exact decimal) at one of three
levels; :func:`worksheet` is its sheet with blanks, :func:`answer_key` its
full walkthrough and :func:`answers` the key in the answer-file format that
:func:`check_answers` reads.
"""

from __future__ import annotations

from .check import ANSWER_KEYS, STEPS, check_answers
from .exercise import Exercise, answer_key, answers, make_exercise, worksheet

__all__ = [
    "ANSWER_KEYS",
    "STEPS",
    "Exercise",
    "answer_key",
    "answers",
    "check_answers",
    "make_exercise",
    "worksheet",
]
