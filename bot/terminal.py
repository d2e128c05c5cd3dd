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

from bot.interview.answer_text import clean_answer
from bot.interview.engine import (
    InterviewEngine,
    InterviewError,
    InterviewOptions,
    Message,
    Participant,
    Reply,
    StepFailed,
)
from bot.terminal_input import AnswerReader, Input

HELP = "Type your answer and finish with an empty line. Commands: /hint, /skip, /end."
RETRY = "Type /retry to send it again once the problem is fixed (or type a new answer)."
PAUSED = ("Interview paused: everything up to your last saved answer is kept. "
          "Run `viva practice --resume` once the problem is fixed.")
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
        #: an answer the database could not save, for /retry
        self._unsaved: str | None = None

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
            view = message.question
            header, prompt = (view.header, view.prompt) if view is not None else ("", message.text)
            self.console.print()
            self.console.print(header, style="dim", markup=False, highlight=False)
            self.console.print(prompt, style=_STYLES["question"], markup=False, highlight=False)
            return
        prefix = "" if message.kind == "notice" else f"{speaker}: "
        self.console.print(f"{prefix}{message.text}", style=_STYLES.get(message.kind, ""),
                           markup=False, highlight=False)

    def run(self, who: Participant, options: TerminalOptions) -> int:
        reply = self._open(who, options)
        self._show_and_acknowledge(reply)
        while not reply.finished:
            entry = self._read()
            try:
                reply = self._handle(entry, reply)
            except StepFailed as failure:
                # Storage or infrastructure trouble: say what happened and whether the answer is safe, keep
                # the interview open (the condition may clear), and keep an unsaved answer for /retry.
                self.err.print(f"viva: {failure}", markup=False)
                if entry.kind == "eof":
                    self.err.print(PAUSED, markup=False)
                    return 1
                retrying = entry.kind == "command" and entry.text == "retry"
                if (entry.kind == "answer" or retrying) and not failure.saved:
                    self._unsaved = self._unsaved if retrying else entry.text
                    self.err.print(RETRY, style="dim", markup=False)
                continue
            except InterviewError as exc:
                self.err.print(f"viva: {exc}", markup=False)
                return 1
            if entry.kind == "answer" or (entry.kind == "command" and entry.text == "retry"):
                self._unsaved = None
            self._show_and_acknowledge(reply)
        return 0

    def _show_and_acknowledge(self, reply: Reply) -> None:
        self.show(reply)
        if reply.answer_ref is not None:
            self._call(self.engine.acknowledge(reply.session_id, reply.answer_ref))

    def _open(self, who: Participant, options: TerminalOptions) -> Reply:
        if options.resume:
            active = self._call(self.engine.active_session(who))
            if active is not None:
                return self._attach(active)
            ended = self._call(self.engine.unseen_ending(who))
            if ended is not None:  # it ended on an answer whose report never reached the screen
                return self._attach(ended)
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
            if command == "retry" and self._unsaved is not None:
                return self._answer(self._unsaved)
            if command == "retry":
                text = "There is no unsaved answer to send again."
                return Reply(reply.session_id, (Message("notice", text),), reply.actions, False, None,
                             reply.question_number, reply.total_questions, reply.persona)
            text = HELP if command == "help" else f"Unknown command /{command}. {HELP}"
            return Reply(reply.session_id, (Message("notice", text),), reply.actions, False, None,
                         reply.question_number, reply.total_questions, reply.persona)
        return self._answer(clean_answer(entry.text))

    def _answer(self, text: str) -> Reply:
        assert self.session_id is not None
        if self.interactive:
            with self.console.status("Grading…"):
                return self._call(self.engine.answer(self.session_id, text))
        return self._call(self.engine.answer(self.session_id, text))
