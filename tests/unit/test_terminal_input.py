"""Reading answers from a terminal or a pipe: paragraphs, commands, bad bytes, end of input."""

from __future__ import annotations

import io

from bot.terminal_input import AnswerReader, Input


def _reader(data: bytes, warnings: list[str] | None = None) -> AnswerReader:
    sink = warnings if warnings is not None else []
    return AnswerReader(io.BytesIO(data), interactive=False, warn=sink.append)


def test_answers_are_paragraphs_ended_by_a_blank_line() -> None:
    reader = _reader(b"first line\nsecond line\n\n\n\nnext answer\n\n")
    assert reader.read() == Input("answer", "first line\nsecond line")
    assert reader.read() == Input("answer", "next answer")
    assert reader.read() == Input("eof")


def test_slash_lines_are_commands() -> None:
    reader = _reader(b"/hint\n/SKIP\nan answer that mentions /end inside\n\n/end\n")
    assert reader.read() == Input("command", "hint")
    assert reader.read() == Input("command", "skip")
    assert reader.read() == Input("answer", "an answer that mentions /end inside")
    assert reader.read() == Input("command", "end")


def test_partial_answer_at_end_of_input_is_kept() -> None:
    reader = _reader(b"typed but never finished")
    assert reader.read() == Input("answer", "typed but never finished")
    assert reader.read() == Input("eof")
    assert reader.read() == Input("eof")


def test_invalid_utf8_is_replaced_with_a_warning_and_nothing_else_is_lost() -> None:
    warnings: list[str] = []
    reader = _reader(b"good start\nbad \xff\xfe bytes\nend of answer\n\n", warnings)
    answer = reader.read()
    assert answer.kind == "answer"
    assert answer.text.splitlines() == ["good start", "bad \ufffd\ufffd bytes", "end of answer"]
    assert len(warnings) == 1 and "line 2" in warnings[0] and "UTF-8" in warnings[0]


def test_emoji_and_unicode_pass_through() -> None:
    assert _reader("🙂🙂 naïve Übung\n\n".encode()).read() == Input("answer", "🙂🙂 naïve Übung")
