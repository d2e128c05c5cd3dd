"""The 2026 additions to the bank (topics T19 and T20, ids 201+ elsewhere) meet the authoring rules of
content/README.md that the schema alone does not enforce: one central key point, contradictions on every
point, terms that are not just the prompt's words, one question per prompt, linked misconceptions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.bank.loader import Bank, load_bank
from bot.bank.schema import Question
from bot.grading.text import content_stems, sentences, stem, words

CONTENT = Path(__file__).resolve().parents[2] / "content"
NEW_TOPICS = ("T19", "T20")
FIRST_2026_ID = 201
FIRST_2026_MISCONCEPTION = 26


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_bank(CONTENT)


def _is_2026(question: Question) -> bool:
    return question.topic in NEW_TOPICS or int(question.id.split("-")[1]) >= FIRST_2026_ID


@pytest.fixture(scope="module")
def new_questions(bank: Bank) -> list[Question]:
    return [q for q in bank.questions.values() if _is_2026(q)]


def test_the_additions_have_the_promised_size_and_balance(new_questions: list[Question]) -> None:
    by_topic = Counter(q.topic for q in new_questions)
    assert by_topic["T19"] >= 22 and by_topic["T20"] >= 16
    assert sum(n for t, n in by_topic.items() if t not in NEW_TOPICS) >= 35
    levels = Counter(q.difficulty for q in new_questions)
    for level in "EMH":
        assert levels[level] / len(new_questions) >= 0.25, levels


def test_each_question_has_exactly_one_central_point(new_questions: list[Question]) -> None:
    wrong = {q.id: [kp.id for kp in q.key_points if kp.central] for q in new_questions}
    assert {qid: c for qid, c in wrong.items() if len(c) != 1} == {}


def test_every_key_point_has_contradictions(new_questions: list[Question]) -> None:
    missing = [f"{q.id} {kp.id}" for q in new_questions for kp in q.key_points if not 1 <= len(kp.contradictions) <= 3]
    assert missing == []


def _term_is_only_prompt_words(term: str, prompt_stems: frozenset[str]) -> bool:
    """Every alternative of the term is made of words the prompt already contains."""
    alternatives = [words(alt) for alt in term.split("|") if words(alt)]
    return not alternatives or all({stem(w) for w in alt} <= prompt_stems for alt in alternatives)


def test_terms_need_words_beyond_the_prompt(new_questions: list[Question]) -> None:
    offenders = []
    for q in new_questions:
        prompt_stems = frozenset(stem(w) for w in words(q.prompt))
        for kp in q.key_points:
            offenders += [f"{q.id} {kp.id} {t!r}" for t in kp.terms if _term_is_only_prompt_words(t, prompt_stems)]
    assert offenders == []


def test_prompt_word_check_catches_an_echo() -> None:
    """The check above can fail: a term copied from the prompt is reported, a real one is not."""
    prompt = frozenset(stem(w) for w in words("Why does the softmax saturate for large scores?"))
    assert _term_is_only_prompt_words("saturate|saturates", prompt)
    assert not _term_is_only_prompt_words("saturate|gradient", prompt)


def test_prompts_ask_one_question_and_answers_have_newcomer_length(new_questions: list[Question]) -> None:
    assert [q.id for q in new_questions if q.prompt.count("?") > 1] == []
    assert [q.id for q in new_questions if not 3 <= len(sentences(q.reference_answer)) <= 8] == []


def test_hints_do_not_restate_a_key_point(new_questions: list[Question]) -> None:
    """A hint that shares most of a point's content words gives the point away."""
    leaks = []
    for q in new_questions:
        hint = set(content_stems(q.hint))
        for kp in q.key_points:
            point = set(content_stems(kp.point))
            if point and len(hint & point) / len(point) > 0.5:
                leaks.append(f"{q.id} {kp.id}")
    assert leaks == []


def test_new_misconceptions_are_linked_from_questions(bank: Bank) -> None:
    linked = {m for q in bank.questions.values() for m in q.misconceptions}
    new = [m for m in bank.misconceptions if int(m[1:]) >= FIRST_2026_MISCONCEPTION]
    assert new, "the 2026 misconceptions are missing"
    assert [m for m in new if m not in linked] == []
    assert all(bank.misconceptions[m].sources for m in new)


def test_new_topics_are_described(bank: Bank) -> None:
    for topic in NEW_TOPICS:
        assert topic in bank.topics and len(bank.topics[topic].description) > 40
