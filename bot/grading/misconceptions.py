"""Spotting misconceptions (content/misconceptions.yaml) stated in an answer.

A misconception is hit when one clause or sentence of the answer is close to one of its triggers,
does not negate what the trigger says, shares enough of its words, is clearly closer to the trigger than to
any rubric text (correct answers often sit right next to the myth they avoid: "4x only at zero" vs "4x
everywhere"), and is not framed as a refutation ("a common myth is that ...").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from bot.bank.schema import Misconception
from bot.grading.embedder import EMBEDDING_DIM, Embedder
from bot.grading.negation import polarity_conflict
from bot.grading.text import content_stems

#: Cosine a clause needs with a trigger of a misconception the question links to ...
LINKED_THRESHOLD = 0.75
#: ... and with any other misconception in the bank (stricter: more chances of a false alarm).
UNLINKED_THRESHOLD = 0.82
#: How much closer the clause must be to the trigger than to the closest rubric text. On our dev set
#: correct statements sit within 0.12 of a trigger, stated misconceptions 0.18 or more above the rubric.
RUBRIC_MARGIN = 0.15
#: A clause this close to a trigger is a paraphrase of the myth itself; then a smaller lead over the
#: rubric suffices (a myth about epochs sits near the rubric's own words on epochs and iterations).
#: Correct statements that land near a trigger stay below it (0.78-0.83 on our dev set).
STRONG_MATCH = 0.85
STRONG_MATCH_MARGIN = 0.05
#: Share of a trigger's content words the clause must contain (stems).
MIN_WORD_OVERLAP = 0.5

_REFUTATION = re.compile(
    r"\b(?:myth|misconception|mistake|mistaken|wrong(?:ly)?|incorrect(?:ly)?|false|untrue|not\s+true|"
    r"contrary|people\s+(?:often\s+)?(?:think|believe|say)|common(?:ly)?\s+(?:believed|claimed|said)|"
    r"it\s+is\s+tempting|misleading|naive(?:ly)?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MisconceptionHit:
    id: str
    confidence: float  # the cosine of the best clause-trigger pair
    unit: int  # index of the answer unit that stated it


@dataclass(frozen=True)
class _Trigger:
    misconception_id: str
    text: str
    stems: frozenset[str]


class MisconceptionDetector:
    """Matches answer units against every misconception's triggers (encoded once, cached)."""

    def __init__(self, misconceptions: Mapping[str, Misconception], embedder: Embedder) -> None:
        self._embedder = embedder
        self._triggers = [
            _Trigger(m.id, t, frozenset(content_stems(t)))
            for m in misconceptions.values()
            for t in m.triggers
        ]
        self._matrix: np.ndarray | None = None

    def warm(self) -> None:
        """Embed the triggers now (otherwise on the first answer)."""
        self._trigger_matrix()

    def _trigger_matrix(self) -> np.ndarray:
        if self._matrix is None:
            encoded = self._embedder.encode_cached([t.text for t in self._triggers])
            self._matrix = np.stack([e.vector for e in encoded]) if encoded else np.zeros((0, EMBEDDING_DIM))
        return self._matrix

    def detect(
        self,
        units: Sequence[str],
        unit_vectors: np.ndarray,
        rubric_similarity: np.ndarray,
        linked: Sequence[str] = (),
    ) -> list[MisconceptionHit]:
        """Hits, most confident first. `rubric_similarity[u]` is unit u's best cosine to any rubric text."""
        if not self._triggers or not units:
            return []
        sims = unit_vectors @ self._trigger_matrix().T  # (units, triggers)
        best: dict[str, MisconceptionHit] = {}
        unit_stems = [frozenset(content_stems(u)) for u in units]
        for u, t in zip(*np.nonzero(sims >= min(LINKED_THRESHOLD, UNLINKED_THRESHOLD)), strict=True):
            trigger = self._triggers[t]
            sim = float(sims[u, t])
            threshold = LINKED_THRESHOLD if trigger.misconception_id in linked else UNLINKED_THRESHOLD
            margin = STRONG_MATCH_MARGIN if sim >= STRONG_MATCH else RUBRIC_MARGIN
            if sim < threshold or sim < float(rubric_similarity[u]) + margin:
                continue
            if polarity_conflict(units[u], trigger.text) or _REFUTATION.search(units[u]):
                continue
            if trigger.stems and len(trigger.stems & unit_stems[u]) / len(trigger.stems) < MIN_WORD_OVERLAP:
                continue
            current = best.get(trigger.misconception_id)
            if current is None or sim > current.confidence:
                best[trigger.misconception_id] = MisconceptionHit(trigger.misconception_id, sim, int(u))
        return sorted(best.values(), key=lambda h: -h.confidence)
