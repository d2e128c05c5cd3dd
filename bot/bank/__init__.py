"""The question bank: schema, loading and validation of content/, and question picking."""

from bot.bank.loader import Bank, ContentError, ContentLoadError, load_bank
from bot.bank.schema import KeyPoint, Misconception, Persona, Question, Topic

__all__ = [
    "Bank", "ContentError", "ContentLoadError", "KeyPoint", "Misconception", "Persona", "Question",
    "Topic", "load_bank",
]
