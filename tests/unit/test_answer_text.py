"""Answer text is cleaned once at the boundary: nothing a later stage cannot take, nothing typed on purpose lost."""

from __future__ import annotations

import unicodedata

import pytest

from bot.interview.answer_text import clean_answer


def test_lone_surrogates_become_replacement_characters_and_pairs_are_joined() -> None:
    assert clean_answer("a\ud800b\udfffc") == "a\ufffdb\ufffdc"
    assert clean_answer("smile \ud83d\ude00") == "smile 😀"  # a valid pair kept as two code points
    clean_answer("x\ud800").encode("utf-8")  # encodable: the tokenizer, the driver and logs can take it


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b"])
def test_control_characters_are_removed(control: str) -> None:
    assert clean_answer(f"an{control} epoch") == "an epoch"


def test_tabs_and_line_breaks_stay_and_are_normalised() -> None:
    assert clean_answer("  first\r\nsecond\rthird\n\tindented  ") == "first\nsecond\nthird\n\tindented"


def test_text_is_nfc() -> None:
    decomposed = "cafe\u0301 re\u0301sume\u0301"
    cleaned = clean_answer(decomposed)
    assert cleaned == "café résumé" and unicodedata.is_normalized("NFC", cleaned)


def test_ordinary_text_is_unchanged_and_empty_stays_empty() -> None:
    text = "Sigmoid saturates: σ'(x) ≤ 1/4, so gradients vanish — 注意力 🎉"
    assert clean_answer(text) == text
    assert clean_answer(None) == "" and clean_answer("\x00\x01 \n") == ""
