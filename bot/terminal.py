"""The terminal front end (`python -m bot practice`): the same interview engine, rendered with rich.

Input is read synchronously in the main thread (so Ctrl-C and Ctrl-D behave as a person expects) and
each engine transition runs on one asyncio runner. Every transition is committed by the engine before
it is printed, so an interrupted interview resumes with `viva practice --resume`.
"""

from __future__ import annotations

import asyncio
import getpass
import sys
from dataclasses import dataclass

from rich.console import Console
from rich.markdown import Markdown
from rich.panel import Panel

from bot.interview.engine import (
    InterviewEngine,
    InterviewError,
    InterviewOptions,
    Message,
    Participant,
    Reply,
)
from bot.terminal_input import AnswerReader, Input

HELP = "Type your answer and finish with an empty line. Commands: /hint, /skip, /end."
_STYLES = {
    "question": "bold cyan", "feedback": "green", "follow_up": "yellow", "why": "yellow",
    "correction": "magenta", "hint": "blue", "notice": "dim", "transition": "", "intro": "",
    "closing": "", "report": "",
}


@dataclass
class TerminalOptions:
    interview: InterviewOptions
    resume: bool = False


def local_participant() -> Participant:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "local"
    return Participant(platform="terminal", external_id=name[:64], display_name=name)


class TerminalInterview:
    def __init__(self, engine: InterviewEngine, console: Console, err: Console, reader: AnswerReader,
                 runner: asyncio.Runner, *, interactive: bool) -> None:
        self.engine = engine
        self.console = console
        self.err = err
        self.reader = reader
        self.runner = runner
        self.interactive = interactive
        self.session_id: int | None = None

    def _call(self, coro):  # type: ignore[no-untyped-def]
        return self.runner.run(coro)

    def show(self, reply: Reply) -> None:
        for message in reply.messages:
            self._print_message(message, reply.persona or "Interviewer")

    def _print_message(self, message: Message, speaker: str) -> None:
        if message.kind == "report":
            if self.interactive:
                self.console.print(Panel(Markdown(message.text), title="Report", expand=True))
            else:
                self.console.print(message.text, markup=False, highlight=False)
            return
        if message.kind == "question":
            header, _, prompt = message.text.partition("\n")
            self.console.print()
            self.console.print(header, style="dim", markup=False, highlight=False)
            self.console.print(prompt, style=_STYLES["question"], markup=False, highlight=False)
            return
        prefix = "" if message.kind == "notice" else f"{speaker}: "
        self.console.print(f"{prefix}{message.text}", style=_STYLES.get(message.kind, ""),
                           markup=False, highlight=False)

    def run(self, who: Participant, options: TerminalOptions) -> int:
        reply = self._open(who, options)
        self.show(reply)
        while not reply.finished:
            entry = self._read()
            try:
                reply = self._handle(entry, reply)
            except InterviewError as exc:
                self.err.print(f"viva: {exc}", markup=False)
                return 1
            self.show(reply)
        return 0

    def _open(self, who: Participant, options: TerminalOptions) -> Reply:
        if options.resume:
            active = self._call(self.engine.active_session(who))
            if active is not None:
                return self._attach(active)
            self.err.print("No unfinished interview to resume; starting a new one.", style="dim")
        elif self.interactive:
            active = self._call(self.engine.active_session(who))
            if active is not None and self._confirm("You have an unfinished interview. Resume it?"):
                return self._attach(active)
        reply = self._call(self.engine.start(who, options.interview))
        self.session_id = reply.session_id
        return reply

    def _attach(self, session_id: int) -> Reply:
        self.session_id = session_id
        return self._call(self.engine.resume(session_id))

    def _confirm(self, question: str) -> bool:
        self.console.print(f"{question} [Y/n] ", end="", markup=False)
        line = sys.stdin.readline()
        return line.strip().lower() not in ("n", "no")

    def _read(self) -> Input:
        if self.interactive:
            self.console.print(HELP, style="dim", markup=False)
        return self.reader.read()

    def _handle(self, entry: Input, reply: Reply) -> Reply:
        assert self.session_id is not None
        if entry.kind == "eof":
            self.err.print("Input ended: finishing the interview.", style="dim")
            return self._call(self.engine.end(self.session_id))
        if entry.kind == "command":
            command = entry.text
            if command == "hint":
                return self._call(self.engine.hint(self.session_id))
            if command == "skip":
                return self._call(self.engine.skip(self.session_id))
            if command == "end":
                return self._call(self.engine.end(self.session_id))
            text = HELP if command == "help" else f"Unknown command /{command}. {HELP}"
            return Reply(reply.session_id, (Message("notice", text),), reply.actions, False, None,
                         reply.question_number, reply.total_questions, reply.persona)
        if self.interactive:
            with self.console.status("Grading…"):
                return self._call(self.engine.answer(self.session_id, entry.text))
        return self._call(self.engine.answer(self.session_id, entry.text))
