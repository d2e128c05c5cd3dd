"""Train the claim checker (bot/grading/claim_checker.py): seeded, CPU only.

    PYTHONPATH=. python scripts/train_claim_checker.py [--holdout tests/data/grader_blind.csv] [--out PATH]
                                                       [--epochs 2] [--lr 4e-5] [--nli-pairs 8000]

Pairs (premise = what a candidate says, hypothesis = a key point's text), from every bank question NOT in the
hold-out file (the blind evaluation set's questions are never trained on):
- entailed: each of a point's right texts (phrasings, atomic claims) against another of its right texts;
- contradicted: each of its wrong texts (`contradictions:`, and the question's linked misconception triggers
  closest to the point) against its right texts;
- neutral: the same question's other points, right or wrong (hard: same topic, different claim), and points
  of other questions;
- the same pairs with an unrelated sentence of the same question joined to the premise ("X, and Y"), because
  answers run claims together: the label follows the claim about the point.
Public NLI pairs (the `--nli` folder: SNLI/MultiNLI dev, counterfactual SNLI, SciTail, SciFact; licences in
its README) are mixed in as auxiliary data; MultiNLI mismatched stays out and is reported.
Questions are split 85/15 (seeded) for the held-out figures printed; the shipped weights are the model after
the last epoch. The first SPLIT layers stay frozen (shared with the bi-encoder), so their states are computed
once per text.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.grading.claim_checker import (
    CONTRADICTED,
    ENTAILED,
    LABELS,
    NEUTRAL,
    SPLIT,
    WEIGHTS_PATH,
    CheckerWeights,
    pair_logits,
)
from bot.grading.minilm import MiniLM, _Layer
from scripts.train_claim_judge import auc, holdout_ids  # the same hold-out file and AUC as the claim judge

SEED = 17
BATCH = 32
LR_LAYERS = 4e-5
LR_HEAD = 1e-3
DEFAULT_HOLDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "grader_blind.csv"
DEFAULT_NLI = Path("/work/shared/nli")
NLI_FILES = ("snli_dev.csv", "snli_test.csv", "mnli_dev_matched.csv", "cad_snli_train.csv", "scitail_train.csv",
             "scifact_train.csv")
NLI_LABEL = {"entailment": ENTAILED, "neutral": NEUTRAL, "contradiction": CONTRADICTED}


@dataclass(frozen=True)
class Pair:
    premise: str
    hypothesis: str
    label: int
    group: str  # question id, or "nli"


Sides = dict[str, list[tuple[list[str], list[str]]]]  # question id -> per key point (right texts, wrong texts)


def bank_pairs(bank, excluded: set[str], embedder, rng: random.Random) -> list[Pair]:  # type: ignore[no-untyped-def]
    sides = _rubric_sides(bank, excluded, embedder)
    ids = sorted(sides)
    pairs: list[Pair] = []
    for qid in ids:
        for i in range(len(sides[qid])):
            pairs += _point_pairs(qid, i, sides, ids, rng)
    return pairs


def _rubric_sides(bank, excluded: set[str], embedder) -> Sides:  # type: ignore[no-untyped-def]
    from bot.grading.claims import rubric_point_texts
    from bot.grading.rubric import rubric_from_question

    sides: Sides = {}
    for question in bank.questions.values():
        if question.id in excluded:
            continue
        texts = rubric_point_texts(rubric_from_question(question), bank.misconceptions, embedder.encode_cached)
        sides[question.id] = [(list(t.right.texts), list(t.wrong.texts)) for t in texts]
    return sides


def _point_pairs(qid: str, i: int, sides: Sides, ids: list[str], rng: random.Random) -> list[Pair]:
    points = sides[qid]
    right, wrong = points[i]
    others = [t for k, (r, w) in enumerate(points) if k != i for t in (*r, *w)]
    pairs = []
    for hyp in right[:1] + rng.sample(right[1:], min(1, len(right) - 1)):
        pairs += [Pair(text, hyp, ENTAILED, qid) for text in right if text != hyp]
        pairs += [Pair(text, hyp, CONTRADICTED, qid) for text in wrong]
        pairs += [Pair(text, hyp, NEUTRAL, qid) for text in rng.sample(others, min(4, len(others)))]
        for other in rng.sample([q for q in ids if q != qid], 2):
            r, w = rng.choice(sides[other])
            pairs.append(Pair(rng.choice(r + w), hyp, NEUTRAL, qid))
        # claims run together in real answers: the label follows the claim about this point
        if others:
            for label, pool in ((ENTAILED, [t for t in right if t != hyp]), (CONTRADICTED, wrong)):
                if pool:
                    a, b = rng.choice(pool).rstrip("."), rng.choice(others).rstrip(".")
                    joined = f"{a}, and {b[0].lower()}{b[1:]}." if rng.random() < 0.5 else f"{b}; {a[0].lower()}{a[1:]}."
                    pairs.append(Pair(joined, hyp, label, qid))
    return pairs


def nli_pairs(folder: Path, count: int, rng: random.Random) -> tuple[list[Pair], list[Pair]]:
    """Auxiliary training pairs, and MultiNLI mismatched (never trained on) for a sanity figure."""
    def read(name: str) -> list[Pair]:
        path = folder / name
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            return [Pair(r["premise"], r["hypothesis"], NLI_LABEL[r["label"]], "nli")
                    for r in csv.DictReader(handle) if r["label"] in NLI_LABEL
                    and len(r["premise"]) < 400 and len(r["hypothesis"]) < 300]
    pool = [p for name in NLI_FILES for p in read(name)]
    rng.shuffle(pool)
    mismatched = read("mnli_dev_mismatched.csv")
    rng.shuffle(mismatched)
    return pool[:count], mismatched[:1000]


def initial_weights(encoder: MiniLM, seed: int) -> CheckerWeights:
    """The joint layers start as the bi-encoder's own top layers; segment vectors at zero; a small head."""
    gen = torch.Generator().manual_seed(seed)
    top = []
    for layer in encoder.layers[SPLIT:]:
        fields = {name: torch.nn.Parameter(getattr(layer, name).clone().float())
                  for name in ("qkv_weight", "qkv_bias", "out_weight", "out_bias", "ff_in_weight", "ff_in_bias",
                               "ff_out_weight", "ff_out_bias")}
        ln1 = tuple(torch.nn.Parameter(t.clone().float()) for t in layer.ln1)
        ln2 = tuple(torch.nn.Parameter(t.clone().float()) for t in layer.ln2)
        top.append(_Layer(**fields, ln1=ln1, ln2=ln2))  # type: ignore[arg-type]
    hidden = encoder.hidden
    return CheckerWeights(
        tuple(top),
        torch.nn.Parameter(torch.zeros(2, hidden)),
        torch.nn.Parameter(torch.randn(3, 4 * hidden, generator=gen) * 0.02),
        torch.nn.Parameter(torch.zeros(3)),
    )


class StateCache:
    """Lower-layer states of every text, computed once (frozen layers), kept in float16."""

    def __init__(self, encoder: MiniLM) -> None:
        self.encoder = encoder
        self.states: dict[str, torch.Tensor] = {}

    def fill(self, texts: list[str], chunk: int = 256) -> None:
        todo = [t for t in dict.fromkeys(texts) if t not in self.states]
        for start in range(0, len(todo), chunk):
            part = todo[start : start + chunk]
            for text, state in zip(part, self.encoder.hidden_states(part, SPLIT), strict=True):
                self.states[text] = state.to(torch.float16)

    def __getitem__(self, text: str) -> torch.Tensor:
        return self.states[text].float()


def batches(pairs: list[Pair], cache: StateCache, rng: random.Random) -> list[list[Pair]]:
    """Batches of similar length (less padding), in random order."""
    order = sorted(pairs, key=lambda p: len(cache.states[p.premise]) + len(cache.states[p.hypothesis]) + rng.random())
    chunks = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
    rng.shuffle(chunks)
    return chunks


def predict(encoder: MiniLM, weights: CheckerWeights, cache: StateCache, pairs: list[Pair]) -> np.ndarray:
    out = []
    with torch.inference_mode():
        for start in range(0, len(pairs), 64):
            part = pairs[start : start + 64]
            logits = pair_logits(encoder, weights, [cache[p.premise] for p in part], [cache[p.hypothesis] for p in part])
            out.append(torch.softmax(logits, dim=1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 3))


def report(name: str, probs: np.ndarray, pairs: list[Pair]) -> None:
    y = np.array([p.label for p in pairs])
    pred = probs.argmax(axis=1)
    both = y > 0
    print(f"{name}: n={len(y)} accuracy={float((pred == y).mean()):.3f} "
          f"auc_contradicted={auc(probs[:, CONTRADICTED], y == CONTRADICTED):.3f} "
          f"auc_contradicted_vs_entailed={auc(probs[both, CONTRADICTED], y[both] == CONTRADICTED):.3f}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--holdout", type=Path, default=DEFAULT_HOLDOUT)
    parser.add_argument("--nli", type=Path, default=DEFAULT_NLI)
    parser.add_argument("--nli-pairs", type=int, default=8000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--lr", type=float, default=LR_LAYERS, help="learning rate of the joint layers")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=WEIGHTS_PATH)
    args = parser.parse_args(argv)
    torch.manual_seed(SEED)
    torch.set_num_threads(args.threads)
    rng = random.Random(SEED)

    from bot.bank.loader import load_bank
    from bot.config import get_settings
    from bot.grading.embedder import Embedder

    embedder = Embedder()
    embedder.load()
    encoder = embedder._model
    if not isinstance(encoder, MiniLM):
        raise SystemExit("train_claim_checker: needs the torch encoder (unset VIVA_ENCODER_RUNTIME)")
    bank = load_bank(get_settings().content_dir, strict=False)
    pairs = bank_pairs(bank, holdout_ids(args.holdout), embedder, rng)
    questions = sorted({p.group for p in pairs})
    rng.shuffle(questions)
    validation = set(questions[: len(questions) * 15 // 100])
    train = [p for p in pairs if p.group not in validation]
    held = [p for p in pairs if p.group in validation]
    aux, mismatched = nli_pairs(args.nli, args.nli_pairs, rng)
    train += aux
    counts = np.bincount([p.label for p in train], minlength=3)
    print(f"pairs: train {len(train)} ({dict(zip(LABELS, counts.tolist(), strict=True))}, {len(aux)} NLI), "
          f"validation {len(held)} from {len(validation)} questions", flush=True)

    started = time.perf_counter()
    cache = StateCache(encoder)
    cache.fill([t for p in (*train, *held, *mismatched) for t in (p.premise, p.hypothesis)])
    print(f"lower states: {len(cache.states)} texts in {time.perf_counter() - started:.0f} s", flush=True)

    weights = initial_weights(encoder, SEED)
    layer_params = [t for layer in weights.top for t in (
        *(getattr(layer, n) for n in ("qkv_weight", "qkv_bias", "out_weight", "out_bias", "ff_in_weight",
                                      "ff_in_bias", "ff_out_weight", "ff_out_bias")), *layer.ln1, *layer.ln2)]
    optimiser = torch.optim.AdamW([
        {"params": layer_params, "lr": args.lr},
        {"params": [weights.segment, weights.head_weight, weights.head_bias], "lr": LR_HEAD},
    ], weight_decay=0.01)
    class_weight = torch.tensor(len(train) / (3 * np.maximum(counts, 1)), dtype=torch.float32)
    steps_total = args.epochs * ((len(train) + BATCH - 1) // BATCH)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min(1.0, (step + 1) / 100) * max(0.0, 1 - step / steps_total))
    step = 0
    for epoch in range(args.epochs):
        losses = []
        for batch in batches(train, cache, rng):
            logits = pair_logits(encoder, weights, [cache[p.premise] for p in batch], [cache[p.hypothesis] for p in batch])
            loss = torch.nn.functional.cross_entropy(logits, torch.tensor([p.label for p in batch]), weight=class_weight)
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_([*layer_params, weights.segment, weights.head_weight], 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            losses.append(float(loss.detach()))
            if step % 200 == 0:
                print(f"epoch {epoch + 1} step {step}/{steps_total} loss {np.mean(losses[-200:]):.3f} "
                      f"({time.perf_counter() - started:.0f} s)", flush=True)
        report(f"epoch {epoch + 1} bank validation", predict(encoder, weights, cache, held), held)
        report(f"epoch {epoch + 1} MultiNLI mismatched", predict(encoder, weights, cache, mismatched), mismatched)
        weights.save(args.out)
    print(f"saved {args.out} ({args.out.stat().st_size / 1e6:.1f} MB) after {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
