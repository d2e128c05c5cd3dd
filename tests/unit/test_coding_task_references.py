"""The trusted references and checkers of the newer coding tasks, checked against PyTorch's own modules
and, for the statistical and timed checks, against simulated submissions (no sandbox: these are the
parent-side parts).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from bot import PROJECT_ROOT
from bot.coding import load_tasks
from bot.coding.case import Case

TASKS = load_tasks(PROJECT_ROOT / "coding_tasks")
SEEDS = range(12)


def _part(slug: str, part: str):
    return TASKS[slug].module(part)


# ---------------------------------------------------------------- attention (issue: torch 2.4 floor)
def test_attention_reference_matches_sdpa_and_never_calls_it(monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _part("attention", "reference")
    cases = TASKS["attention"].make_cases()
    sdpa = {}
    for case in cases:
        tensors = [torch.tensor(case.inputs[k]) for k in ("q", "k", "v")]
        mask = None if case.inputs["mask"] is None else torch.tensor(case.inputs["mask"])
        sdpa[case.name] = F.scaled_dot_product_attention(*tensors, attn_mask=mask).numpy()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the reference must not depend on SDPA's masked-row behaviour")

    monkeypatch.setattr(F, "scaled_dot_product_attention", refuse)
    for case in cases:
        out = reference.expected(case.inputs)["out"]
        np.testing.assert_allclose(out, np.nan_to_num(sdpa[case.name]), rtol=1e-12, atol=1e-12)
    padding = next(c for c in cases if c.name == "padding_mask")
    dead = ~padding.inputs["mask"].any(axis=-1)
    assert dead.any()
    assert np.array_equal(reference.expected(padding.inputs)["out"][dead], np.zeros((int(dead.sum()), 5)))


# ---------------------------------------------------------------- rmsnorm, mha: equal to torch's modules
def test_rmsnorm_reference_equals_torch_rms_norm() -> None:
    if not hasattr(F, "rms_norm"):
        pytest.skip("F.rms_norm needs torch >= 2.4")
    reference = _part("rmsnorm", "reference")
    for case in TASKS["rmsnorm"].make_cases():
        x, gamma = torch.tensor(case.inputs["x"]), torch.tensor(case.inputs["gamma"])
        want = F.rms_norm(x, (x.shape[-1],), weight=gamma, eps=case.inputs["eps"]).numpy()
        np.testing.assert_allclose(reference.expected(case.inputs)["out"], want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("causal", [True, False])
def test_mha_reference_equals_torch_multihead_attention(causal: bool) -> None:
    reference = _part("mha_kv_cache", "reference")
    for case in TASKS["mha_kv_cache"].make_cases():
        inputs = {**case.inputs, "causal": causal}
        x = torch.tensor(inputs["x"])
        d, length = x.shape[-1], x.shape[1]
        module = torch.nn.MultiheadAttention(d, inputs["n_heads"], bias=False, batch_first=True,
                                             dtype=torch.float64)
        with torch.no_grad():
            module.in_proj_weight.copy_(torch.cat([torch.tensor(inputs[w]).T for w in ("Wq", "Wk", "Wv")]))
            module.out_proj.weight.copy_(torch.tensor(inputs["Wo"]).T)
            mask = torch.ones(length, length, dtype=torch.bool).triu(1) if causal else None  # True = blocked
            want, _ = module(x, x, x, attn_mask=mask, need_weights=False)
        got = reference.expected(inputs)
        np.testing.assert_allclose(got["out"], want.numpy(), rtol=1e-10, atol=1e-12)
        if causal:
            np.testing.assert_allclose(got["decode_out"], want.numpy(), rtol=1e-10, atol=1e-12)


def test_mha_given_cache_step_equals_a_full_pass_when_the_cache_is_real() -> None:
    """On a cache computed from real tokens, the one-step reference is the last row of the full causal pass."""
    reference = _part("mha_kv_cache", "reference")
    inputs = TASKS["mha_kv_cache"].make_cases()[0].inputs
    x = np.concatenate([inputs["x"], inputs["x_new"][:, None, :]], axis=1)
    weights = {w: inputs[w] for w in ("Wq", "Wk", "Wv", "Wo")}
    prefix = reference.forward(inputs["x"], weights, inputs["n_heads"], True)
    full = reference.forward(x, weights, inputs["n_heads"], True)
    step = reference.step_with_cache({**inputs, "prompt_k": prefix["k"], "prompt_v": prefix["v"]})
    np.testing.assert_allclose(step["out"], full["out"][:, -1], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(step["k"], full["k"], rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------- adamw, label smoothing: hint models
def test_adamw_numpy_model_equals_torch_and_each_mistake_differs() -> None:
    reference = _part("adamw", "reference")
    for case in TASKS["adamw"].make_cases():
        want = reference.expected(case.inputs)["ws"]
        np.testing.assert_allclose(reference.simulate(case.inputs), want, rtol=1e-10, atol=1e-12)
        if case.inputs["weight_decay"] > 0:
            for decay in ("l2", "after", "no_lr", "none"):
                assert not np.allclose(reference.simulate(case.inputs, decay=decay), want, rtol=1e-6, atol=1e-9), \
                    (case.name, decay)


def test_label_smoothing_target_model_equals_torch() -> None:
    reference = _part("label_smoothing_ce", "reference")
    for case in TASKS["label_smoothing_ce"].make_cases():
        want = reference.expected(case.inputs)
        got = reference.with_target(case.inputs, reference.targets(case.inputs)["right"])
        np.testing.assert_allclose(got["loss"], want["loss"], rtol=1e-10)
        np.testing.assert_allclose(got["dlogits"], want["dlogits"], rtol=1e-9, atol=1e-15)


# ---------------------------------------------------------------- sampling: distribution and statistics
def _sampling_cases(seed: int) -> list[Case]:
    return TASKS["sampling"].make_cases(seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_sampling_cases_keep_top_p_away_from_every_cumulative_sum(seed: int) -> None:
    reference = _part("sampling", "reference")
    for case in _sampling_cases(seed):
        inputs = case.inputs
        np.testing.assert_allclose(reference.expected(inputs)["probs"], reference.distribution(inputs), atol=1e-12)
        if inputs["top_p"] is None or inputs["temperature"] == 0 or inputs["top_p"] < 0.05:
            continue
        before = reference.distribution({**inputs, "top_p": None})
        cum = np.cumsum(np.sort(before)[::-1])
        assert np.min(np.abs(cum - inputs["top_p"])) > 0.02, case.name
        crossing = reference.crossing_token(inputs)
        assert before[crossing] / cum[np.searchsorted(cum, inputs["top_p"])] >= 0.08, case.name


def _draws(probs: np.ndarray, n: int, rng: np.random.Generator) -> dict:
    tokens = rng.choice(probs.size, size=n, p=probs)
    return {"tokens": tokens.astype(np.int64), "again": tokens[: min(50, n)].astype(np.int64)}


def test_sampling_checker_passes_a_correct_sampler_on_many_seeds() -> None:
    checker, reference = _part("sampling", "checker"), _part("sampling", "reference")
    rng = np.random.default_rng(7)
    for seed in range(40):
        for case in _sampling_cases(seed):
            probs = reference.expected(case.inputs)["probs"]
            verdict = checker.check_case(case, _draws(probs, case.inputs["draws"], rng))
            assert verdict.passed, (seed, case.name, verdict.message)


@pytest.mark.parametrize(("mistake", "hint"), [
    ({"keep_crossing": False}, "top-p must KEEP the token"),
    ({"top_p_first": True}, "apply top-p AFTER top-k"),
    ({"temperature_mode": "multiply"}, "divide the logits by the temperature"),
    ({"temperature_mode": "ignore"}, "the temperature had no effect"),
    ({"top_k_shift": 1}, "(off by one)"),
    ({"top_k_shift": -1}, "top_k=3 keeps 3 tokens"),
])
def test_sampling_checker_fails_each_mistake_on_every_seed(mistake: dict, hint: str) -> None:
    checker, reference = _part("sampling", "checker"), _part("sampling", "reference")
    rng = np.random.default_rng(11)
    for seed in SEEDS:
        failures = []
        for case in _sampling_cases(seed):
            probs = reference.distribution(case.inputs, **mistake)
            verdict = checker.check_case(case, _draws(probs, case.inputs["draws"], rng))
            if not verdict.passed:
                failures.append(verdict.message)
        assert failures, (seed, mistake)
        assert hint in failures[0] or any(hint in m for m in failures), (seed, failures)


def test_sampling_checker_refuses_irreproducible_draws() -> None:
    checker, reference = _part("sampling", "checker"), _part("sampling", "reference")
    case = _sampling_cases(0)[0]
    got = _draws(reference.expected(case.inputs)["probs"], case.inputs["draws"], np.random.default_rng(1))
    got["again"] = np.roll(got["again"], 1)
    assert "the same seed gave different tokens" in checker.check_case(case, got).message


# ---------------------------------------------------------------- vectorised_mlp: the timing verdict
def _timed_result(case: Case, ref: list[float], sub: list[float]) -> dict:
    want = _part("vectorised_mlp", "reference").expected(case.inputs)
    return {**want, "timing": np.array([ref, sub]), "reps": 15}


@pytest.mark.parametrize(("sub", "passes", "named"), [
    ([0.0008, 0.0012, 0.00005], True, None),      # a vectorised step, a little slower than the reference
    ([0.0030, 0.0030, 0.0001], True, None),       # einsum-like: ~3x
    ([0.040, 0.0007, 0.00003], False, "mlp_forward"),   # a loop in the forward pass: 57x there, 25x overall
    ([0.0004, 0.120, 0.00003], False, "mlp_backward"),  # a loop in the backward pass
    ([0.0110, 0.0008, 0.00003], False, "mlp_forward"),  # 27x in one function, under 10x overall
    ([0.0004, 0.0080, 0.00003], False, "mlp_backward"),  # 11x in the backward pass, 7.5x overall
    ([0.0004, 0.0007, 0.0200], False, "sgd_update"),    # a loop over the weights' entries
])
def test_vectorised_timing_verdict(sub: list[float], passes: bool, named: str | None) -> None:
    checker = _part("vectorised_mlp", "checker")
    case = next(c for c in TASKS["vectorised_mlp"].make_cases() if c.inputs["timed"])
    verdict = checker.check_case(case, _timed_result(case, [0.0004, 0.0007, 0.00003], sub))
    assert verdict.passed is passes, verdict.message
    if named:
        assert verdict.message.startswith(f"your {named} took"), verdict.message
        assert "on a batch of 4096 samples" in verdict.message


def test_vectorised_timing_that_cannot_be_read_fails() -> None:
    checker = _part("vectorised_mlp", "checker")
    case = next(c for c in TASKS["vectorised_mlp"].make_cases() if c.inputs["timed"])
    got = _timed_result(case, [0.0004, 0.0007, 0.00003], [0.0004, 0.0007, 0.00003])
    got["timing"] = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert not checker.check_case(case, got).passed
