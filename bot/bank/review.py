"""Review rules for rubrics that the schema cannot see: near-duplicate questions, terms that only echo
the prompt, and hints that copy a key point.

Each rule returns `ContentError`s naming the file, the question id and the field, so `content check`
can print them next to the schema errors, and a `ReviewStats` with what it measured, so the check can
print how close the bank is to each limit.

How the limits were chosen (on the bank of December 2026, 245 questions, before the review's fixes):

- Near duplicates. A reviewer found 7 pairs asking the same thing (T05-011/T13-012, T12-011/T13-011,
  T05-007/T12-009, T06-003/T18-006, T01-009/T08-012, T01-012/T07-012, T05-006/T08-009). No single MiniLM
  similarity separates them from the other 29,883 pairs: the prompt cosine of T01-009/T08-012 is 0.46
  while T03-001/T18-001 (a fine pair: same subject, one for children) reaches 0.73. The score here is the
  mean of three similarities, each catching a different way of restating a question: the prompts'
  embeddings, the embeddings of the key points read as one text, and a TF-IDF cosine over the word stems
  of prompt, key points and phrasings (shared rare words such as "Laplace", "Post-LN", "Bahdanau"). With
  the limit at 0.61 it flagged 5 of the 7 pairs (scores 0.620-0.749) and none of the others (highest
  0.606): margins +0.010 above the limit to the lowest caught pair, 0.004 below it to the highest other.
  The two fraud-accuracy and MAP-prior pairs (0.502, 0.527) are not separable from legitimate pairs
  (9 and 21 of them score higher) and need a reviewer's eye.
- Prompt-only terms. A term whose every alternative is made of prompt words proves nothing: a candidate
  echoing the question matches it. The rule is the grader's own (bot/grading/coverage.py demotes such
  terms): every word of every alternative, stemmed, is a content stem of the prompt. It found the 32
  entries the review listed.
- Hint give-aways. Only the mechanical kind is checked: a hint that repeats a run of 6 words (or 5 content
  words) of a key point or a phrasing gives that point away verbatim. On the old bank this flagged T06-004
  and T06-010 and nothing else (every other hint shares at most 5 words / 4 content words). Hints that
  restate a point in other words still need review.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from bot.bank.loader import Bank, ContentError
from bot.bank.schema import Question
from bot.grading.text import STOP_WORDS, content_stems, stem, words

#: Mean of (prompt cosine, key-point cosine, TF-IDF cosine) above which two questions are near-duplicates.
NEAR_DUPLICATE_SCORE = 0.61
#: A hint may share at most this many consecutive words (stemmed) with a key point or a phrasing ...
HINT_MAX_SHARED_WORDS = 5
#: ... and at most this many consecutive content words (stop words skipped).
HINT_MAX_SHARED_CONTENT_WORDS = 4


@dataclass
class ReviewStats:
    """What the review rules measured, for `content check` to print."""

    pairs: int = 0
    closest_pair: tuple[str, str, float] | None = None
    near_duplicates: int = 0
    prompt_only_terms: int = 0
    terms_checked: int = 0
    hint_giveaways: int = 0
    longest_hint_run: tuple[str, int] | None = None
    notes: list[str] = field(default_factory=list)


def _where(bank: Bank, question: Question) -> str:
    return bank.question_files.get(question.id, f"content/questions/{question.topic}")


# --- near duplicates ------------------------------------------------------------------------------


def _rows_normalised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _tfidf_similarity(documents: Sequence[Counter[str]]) -> np.ndarray:
    n = len(documents)
    frequency: Counter[str] = Counter(s for doc in documents for s in doc)
    vocabulary = {s: i for i, s in enumerate(frequency)}
    matrix = np.zeros((n, len(vocabulary)))
    for row, doc in enumerate(documents):
        for s, count in doc.items():
            matrix[row, vocabulary[s]] = (1.0 + math.log(count)) * math.log(n / frequency[s])
    matrix = _rows_normalised(matrix)
    return matrix @ matrix.T


def rubric_stems(question: Question) -> Counter[str]:
    """Content stems of the prompt, the key points and their phrasings (what a question is about)."""
    texts = [question.prompt, *(kp.point for kp in question.key_points),
             *(p for kp in question.key_points for p in kp.phrasings)]
    return Counter(s for text in texts for s in content_stems(text))


def key_point_text(question: Question) -> str:
    return " ".join(kp.point for kp in question.key_points)


def similarity_scores(questions: Sequence[Question], encode: Callable[[Sequence[str]], np.ndarray]) -> np.ndarray:
    """Pairwise near-duplicate score: mean of prompt, key-point and TF-IDF cosines (diagonal -1)."""
    prompts = _rows_normalised(encode([q.prompt for q in questions]))
    points = _rows_normalised(encode([key_point_text(q) for q in questions]))
    scores = (prompts @ prompts.T + points @ points.T + _tfidf_similarity([rubric_stems(q) for q in questions])) / 3
    np.fill_diagonal(scores, -1.0)
    return scores


def check_near_duplicates(
    bank: Bank, encode: Callable[[Sequence[str]], np.ndarray], stats: ReviewStats | None = None,
    limit: float = NEAR_DUPLICATE_SCORE,
) -> list[ContentError]:
    """Flag pairs of questions that ask the same thing (score above `limit`), once per pair."""
    stats = stats if stats is not None else ReviewStats()
    questions = list(bank.questions.values())
    if len(questions) < 3:  # TF-IDF needs a background; two questions are compared by embeddings alone
        return []
    scores = similarity_scores(questions, encode)
    n = len(questions)
    stats.pairs = n * (n - 1) // 2
    i, j = np.unravel_index(int(np.argmax(scores)), scores.shape)
    stats.closest_pair = (questions[min(i, j)].id, questions[max(i, j)].id, float(scores[i, j]))
    errors: list[ContentError] = []
    for a_index, b_index in zip(*np.nonzero(np.triu(scores > limit)), strict=True):
        a, b = questions[int(a_index)], questions[int(b_index)]
        errors.append(ContentError(
            _where(bank, a), a.id, "prompt",
            f"near-duplicate of {b.id} in {_where(bank, b)} (score {scores[a_index, b_index]:.3f} > {limit}: same "
            "prompt, key points and words); merge them or give one a different angle"))
    stats.near_duplicates = len(errors)
    return errors


# --- terms that only echo the prompt ----------------------------------------------------------------


def _alternatives(term: str) -> list[list[str]]:
    return [words(alt) for alt in term.split("|") if words(alt)]


def echoes_prompt(term: str, prompt_stems: frozenset[str]) -> bool:
    """Every word of every alternative is a prompt word (stemmed): the grader's own definition."""
    alternatives = _alternatives(term)
    return bool(alternatives) and all(all(stem(w) in prompt_stems for w in alt) for alt in alternatives)


def check_prompt_only_terms(bank: Bank, stats: ReviewStats | None = None) -> list[ContentError]:
    stats = stats if stats is not None else ReviewStats()
    errors: list[ContentError] = []
    for question in bank.questions.values():
        prompt_stems = frozenset(content_stems(question.prompt))
        for kp in question.key_points:
            for term in kp.terms:
                stats.terms_checked += 1
                if echoes_prompt(term, prompt_stems):
                    errors.append(ContentError(
                        _where(bank, question), question.id, f"key_points.{kp.id}.terms",
                        f"term {term!r} only uses words of the prompt, so echoing the question matches it; "
                        "use words a correct answer cannot avoid"))
    stats.prompt_only_terms = len(errors)
    return errors


# --- hints that copy a key point ------------------------------------------------------------------


def _longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for k, y in enumerate(b, start=1):
            if x == y:
                current[k] = previous[k - 1] + 1
                best = max(best, current[k])
        previous = current
    return best


def _stems(text: str, *, content_only: bool) -> list[str]:
    return [stem(w) for w in words(text) if not content_only or w not in STOP_WORDS]


def shared_runs(hint: str, texts: Iterable[str]) -> tuple[int, int]:
    """Longest run of stemmed words, and of stemmed content words, that the hint shares with any text."""
    hint_all, hint_content = _stems(hint, content_only=False), _stems(hint, content_only=True)
    longest = longest_content = 0
    for text in texts:
        longest = max(longest, _longest_common_run(hint_all, _stems(text, content_only=False)))
        longest_content = max(longest_content, _longest_common_run(hint_content, _stems(text, content_only=True)))
    return longest, longest_content


def check_hints(bank: Bank, stats: ReviewStats | None = None) -> list[ContentError]:
    stats = stats if stats is not None else ReviewStats()
    errors: list[ContentError] = []
    for question in bank.questions.values():
        for kp in question.key_points:
            run, content_run = shared_runs(question.hint, (kp.point, *kp.phrasings))
            if stats.longest_hint_run is None or run > stats.longest_hint_run[1]:
                stats.longest_hint_run = (question.id, run)
            if run > HINT_MAX_SHARED_WORDS or content_run > HINT_MAX_SHARED_CONTENT_WORDS:
                errors.append(ContentError(
                    _where(bank, question), question.id, "hint",
                    f"the hint repeats {max(run, content_run)} consecutive words of key point {kp.id}, giving it "
                    "away; point where to look instead of stating the point"))
                break
    stats.hint_giveaways = len(errors)
    return errors
