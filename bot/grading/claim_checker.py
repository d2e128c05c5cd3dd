"""The claim checker: reads one answer statement and one key point together and says whether the statement
entails the point, contradicts it, or says nothing about it.

Cosine similarity between separately encoded texts cannot see a wrong claim ("an epoch is one update using the
whole dataset" sits right next to "an epoch is one full pass over the training data"): the two texts must be
read together. A full cross-encoder costs a whole MiniLM pass per (statement, point) pair, so this one is a
late-interaction cross-encoder (DeFormer, Cao et al. 2020): the first `SPLIT` layers are the bi-encoder's own
layers run on each text alone (their states are what the grader's encoder computes anyway, and a key point's
are cached), and only the last layers, fine-tuned, run over statement and point side by side, with a learned
segment vector telling them apart. A linear head over both texts' [CLS] and mean states gives P(neutral),
P(entailed), P(contradicted).

Trained by scripts/train_claim_checker.py on our own bank (model card: claim_checker.md); the fine-tuned
layers ship as `claim_checker.safetensors` next to this module and load offline. Its probabilities are not
used alone (a threshold on them marked right answers wrong too often on new questions): the status model
(point_status.py) reads them with the grader's other signals.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from bot.grading.minilm import ROW_TOKENS, MiniLM, Spans, _Layer, _pack

WEIGHTS_PATH = Path(__file__).with_name("claim_checker.safetensors")
LABELS = ("neutral", "entailed", "contradicted")
NEUTRAL, ENTAILED, CONTRADICTED = 0, 1, 2
#: Layers run on each text alone (shared with the bi-encoder); the rest read both texts together.
SPLIT = 4
_LAYER_FIELDS = ("qkv_weight", "qkv_bias", "out_weight", "out_bias", "ff_in_weight", "ff_in_bias",
                 "ff_out_weight", "ff_out_bias")


@dataclass(frozen=True)
class CheckerWeights:
    """The trained part: the joint layers, the segment vectors (statement, point) and the head."""

    top: tuple[_Layer, ...]
    segment: torch.Tensor  # (2, hidden)
    head_weight: torch.Tensor  # (3, 4 * hidden)
    head_bias: torch.Tensor  # (3,)

    def tensors(self) -> dict[str, torch.Tensor]:
        out = {"segment": self.segment, "head.weight": self.head_weight, "head.bias": self.head_bias}
        for i, layer in enumerate(self.top):
            for name in _LAYER_FIELDS:
                out[f"top.{i}.{name}"] = getattr(layer, name)
            out[f"top.{i}.ln1.weight"], out[f"top.{i}.ln1.bias"] = layer.ln1
            out[f"top.{i}.ln2.weight"], out[f"top.{i}.ln2.bias"] = layer.ln2
        return out

    @classmethod
    def from_tensors(cls, t: dict[str, torch.Tensor]) -> CheckerWeights:
        count = len({k.split(".")[1] for k in t if k.startswith("top.")})
        top = tuple(
            _Layer(**{name: t[f"top.{i}.{name}"] for name in _LAYER_FIELDS},
                   ln1=(t[f"top.{i}.ln1.weight"], t[f"top.{i}.ln1.bias"]),
                   ln2=(t[f"top.{i}.ln2.weight"], t[f"top.{i}.ln2.bias"]))
            for i in range(count)
        )
        return cls(top, t["segment"], t["head.weight"], t["head.bias"])

    def save(self, path: Path) -> None:
        """float16 on disk: the file is half the size (7 MB), and no probability moves by more than ~1e-3."""
        from safetensors.torch import save_file

        save_file({k: v.detach().to(torch.float16).contiguous() for k, v in self.tensors().items()}, str(path),
                  metadata={"split": str(SPLIT)})

    @classmethod
    def load(cls, path: Path = WEIGHTS_PATH) -> CheckerWeights:
        from safetensors import safe_open

        with safe_open(str(path), framework="pt") as handle:
            split = (handle.metadata() or {}).get("split")
            if split != str(SPLIT):
                raise ValueError(f"{path} was trained with the split at layer {split}, this code splits at {SPLIT}")
            return cls.from_tensors({k: handle.get_tensor(k).float() for k in handle.keys()})  # noqa: SIM118


def pair_logits(encoder: MiniLM, weights: CheckerWeights, statements: Sequence[torch.Tensor],
                points: Sequence[torch.Tensor]) -> torch.Tensor:
    """Logits (pairs, 3) for statement i vs point i, from their lower-layer states ((tokens, hidden) each,
    [CLS] and [SEP] included). Pairs are packed several to a row (each attending to itself only), so the
    batch holds almost no padding. Used for training too, so it is differentiable in `weights`."""
    pairs = [torch.cat([s + weights.segment[0], p + weights.segment[1]]) for s, p in zip(statements, points, strict=True)]
    rows = _pack([range(len(pair)) for pair in pairs], ROW_TOKENS)
    where: list[tuple[int, int]] = [(0, 0)] * len(pairs)
    spans: Spans = []
    packed = []
    for r, row in enumerate(rows):
        offset, here = 0, []
        for index in row:
            where[index] = (r, offset)
            here.append((offset, offset + len(pairs[index])))
            offset += len(pairs[index])
        spans.append(here)
        packed.append(torch.cat([pairs[i] for i in row]))
    out = encoder.run_layers(torch.nn.utils.rnn.pad_sequence(packed, batch_first=True), spans, weights.top)
    pooled = []
    for (r, start), s, p in zip(where, statements, points, strict=True):
        n, m = len(s), len(p)
        state = out[r, start : start + n + m]
        pooled.append(torch.cat([state[0], state[n], state[:n].mean(dim=0), state[n:].mean(dim=0)]))
    return torch.stack(pooled) @ weights.head_weight.T + weights.head_bias


class ClaimChecker:
    """Probabilities for (statement, key point) pairs. Thread-safe; key points' lower states are cached."""

    def __init__(self, encoder: MiniLM, weights: CheckerWeights, cache_size: int = 8192) -> None:
        self._encoder = encoder
        self._weights = weights
        self._cache: OrderedDict[str, torch.Tensor] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _point_states(self, texts: Sequence[str]) -> list[torch.Tensor]:
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            states = self._encoder.hidden_states(missing, SPLIT)
            with self._lock:
                for text, state in zip(missing, states, strict=True):
                    self._cache[text] = state
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            found = [self._cache.get(t) for t in texts]
        # a text evicted meanwhile by another thread's burst is simply encoded again
        return [f if f is not None else self._encoder.hidden_states([t], SPLIT)[0] for f, t in zip(found, texts, strict=True)]

    def warm(self, points: Sequence[str]) -> None:
        """Compute and cache these key points' lower states now."""
        self._point_states(points)

    def probabilities(
        self, pairs: Sequence[tuple[str, str]], known: Mapping[str, torch.Tensor | None] | None = None
    ) -> np.ndarray:
        """(len(pairs), 3) probabilities (LABELS order) for (statement, key point text) pairs. `known`: the
        statements' lower states where the grader's own encoder pass kept them (the rest are computed here)."""
        if not pairs:
            return np.zeros((0, 3), np.float32)
        known = known or {}
        states = {s: known[s] for s, _ in pairs if known.get(s) is not None}
        todo = list(dict.fromkeys(s for s, _ in pairs if s not in states))
        states.update(zip(todo, self._encoder.hidden_states(todo, SPLIT), strict=True))
        points = self._point_states([p for _, p in pairs])
        with torch.inference_mode():
            logits = pair_logits(self._encoder, self._weights, [states[s] for s, _ in pairs], points)
            return torch.softmax(logits, dim=1).numpy().astype(np.float32)


@lru_cache(maxsize=1)
def shipped_weights() -> CheckerWeights:
    return CheckerWeights.load(WEIGHTS_PATH)
