"""Reading answers in the terminal: paragraphs ended by a blank line, and `/commands`.

The same reader serves a TTY and piped stdin. Bytes are decoded line by line so one line of invalid
UTF-8 costs only its unreadable bytes (replaced, with a warning), never the whole answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Literal

COMMANDS = ("hint", "skip", "end", "help", "retry")


@dataclass(frozen=True)
class Input:
    """What the candidate entered: an answer, a command, or the end of input (Ctrl-D / end of pipe)."""

    kind: Literal["answer", "command", "eof"]
    text: str = ""


class AnswerReader:
    def __init__(self, stream: BinaryIO, *, interactive: bool, warn: Callable[[str], None],
                 prompt: Callable[[str], None] | None = None) -> None:
        self._stream = stream
        self._interactive = interactive
        self._warn = warn
        self._prompt = prompt or (lambda _text: None)
        self._line_number = 0
        self._eof = False

    def _readline(self) -> str | None:
        raw = self._stream.readline()
        if not raw:
            return None
        self._line_number += 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            self._warn(f"line {self._line_number} of the input is not valid UTF-8; "
                       "unreadable bytes were replaced with \ufffd")
            return raw.decode("utf-8", errors="replace")

    def read(self) -> Input:
        """The next answer (lines up to a blank line), command, or eof.

        At end of input a partly typed answer is still returned first, so nothing typed is lost.
        """
        if self._eof:
            return Input("eof")
        lines: list[str] = []
        self._prompt("first")
        while True:
            line = self._readline()
            if line is None:
                self._eof = True
                break
            text = line.rstrip("\r\n")
            if not lines and text.strip().startswith("/"):
                return Input("command", text.strip()[1:].split()[0].lower() if text.strip()[1:] else "")
            if not text.strip():
                if lines:
                    break
                continue  # blank lines before an answer are ignored
            lines.append(text)
            self._prompt("more")
        if lines:
            return Input("answer", "\n".join(lines))
        return Input("eof")
