"""Viva: mock deep-learning job interviews on Discord and in the terminal."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root: content/, coding_tasks/ and migrations/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
