"""The grader's view of a rubric: key points with texts to match and stemmed terms.

A bank question brings authored key points (point + phrasings + `|` terms). A CSV reference answer
(eval-grader `--rubric reference`) is split into key points on ` | ` or into sentences, and each key
point's own content words become its terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.bank.schema import Question
from bot.grading.text import STOP_WORDS, content_stems, sentences, words

Term = tuple[tuple[str, ...], ...]  # alternatives, each a tuple of lower-cased words (or word prefixes)


@dataclass(frozen=True)
class RubricPoint:
    """One key point as the grader matches it."""

    id: str
    weight: float
    texts: tuple[str, ...]  # the point first, then its phrasings
    terms: tuple[Term, ...]
    #: lower-cased content words of the point's texts (for negation and alignment filters)
    content_words: frozenset[str]
    #: the point's atomic claims (empty when the point is one claim) and what a wrong candidate says instead
    claims: tuple[str, ...] = ()
    contradictions: tuple[str, ...] = ()
    #: carries the question's central "why": missing or contradicting it caps the score
    central: bool = False

    @property
    def right_texts(self) -> tuple[str, ...]:
        """Every way the rubric states the point correctly: the point, its phrasings, its claims."""
        return tuple(dict.fromkeys((*self.texts, *self.claims)))


@dataclass(frozen=True)
class Rubric:
    """Key points plus the question's words, which are demoted (students echo the question)."""

    question: str
    points: tuple[RubricPoint, ...]
    question_stems: frozenset[str]
    misconception_ids: tuple[str, ...] = ()
    #: a bank rubric (authored points, weights, a central point) rather than a split reference answer
    authored: bool = True


def _content_words(texts: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for t in texts for w in words(t) if w not in STOP_WORDS)


def _parse_term(term: str) -> Term:
    return tuple(tuple(words(alt)) for alt in term.split("|") if words(alt))


def rubric_from_question(question: Question) -> Rubric:
    points = tuple(
        RubricPoint(
            id=kp.id,
            weight=float(kp.weight),
            texts=(kp.point, *kp.phrasings),
            terms=tuple(t for t in (_parse_term(term) for term in kp.terms) if t),
            content_words=_content_words((kp.point, *kp.phrasings)),
            claims=tuple(kp.claims),
            contradictions=tuple(kp.contradictions),
            central=kp.central,
        )
        for kp in question.key_points
    )
    return Rubric(
        question=question.prompt,
        points=points,
        question_stems=frozenset(content_stems(question.prompt)),
        misconception_ids=tuple(question.misconceptions),
    )


def split_reference(reference_answer: str) -> list[str]:
    """Key points of a reference answer: explicit ` | ` separators win, else sentences."""
    text = reference_answer.strip()
    explicit = re.search(r"\s\|\s", text)
    parts = [p.strip() for p in re.split(r"\s\|\s", text)] if explicit else sentences(text)
    return [p for p in parts if words(p)] or [text]


def rubric_from_reference(question_text: str, reference_answer: str) -> Rubric:
    points = []
    for i, part in enumerate(split_reference(reference_answer), start=1):
        content = list(dict.fromkeys(w for w in words(part) if w not in STOP_WORDS and len(w) > 1))
        points.append(
            RubricPoint(
                id=f"r{i}",
                weight=1.0,
                texts=(part,),
                terms=tuple(((w,),) for w in content),
                content_words=_content_words((part,)),
            )
        )
    return Rubric(
        question=question_text,
        points=tuple(points),
        question_stems=frozenset(content_stems(question_text)),
        authored=False,
    )
