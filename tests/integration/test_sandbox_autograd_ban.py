"""The autograd ban in gradient tasks, attacked through every path we know (real sandbox, real task).

Each attack computes mlp_backprop's gradients with autograd reached some other way than
`loss.backward()`; before the engine-level ban, the first and the last passed the task with no
backward pass written at all. Every one must fail, and the direct ones with the task's own message.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from bot import PROJECT_ROOT
from bot.coding import check_submission
from bot.sandbox import get_runner
from bot.sandbox.pool import PooledRunner

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
AUTOGRAD_MESSAGE = "autograd is not allowed in this task"
#: shared helpers of every attack: the forward pass in torch, and packing the answer
HELPERS = 'import numpy as np\nimport torch\nimport torch.nn.functional as F\n\n\ndef _loss(X, y, W1, b1, W2, b2):\n    h = F.relu(X @ W1 + b1)\n    return F.cross_entropy(h @ W2 + b2, y)\n\n\ndef _tensors(X, y, W1, b1, W2, b2):\n    X, y = torch.from_numpy(X), torch.from_numpy(y)\n    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W1, b1, W2, b2)]\n    return X, y, params\n\n\ndef _pack(loss, grads):\n    return float(loss), dict(zip(("W1", "b1", "W2", "b2"), (g.detach().numpy() for g in grads)))\n'


@pytest.fixture(scope="module")
def runner() -> Iterator[PooledRunner]:
    pooled = get_runner(SimpleNamespace(sandbox_slots=2, sandbox_queue_limit=8, sandbox_allow_unsafe_local=False))
    yield pooled
    pooled.close_sync()


async def _verdict(runner: PooledRunner, attack: str):
    return await check_submission("mlp_backprop", HELPERS + attack, runner, user_key="autograd-attack",
                                  tasks_dir=TASKS_DIR)  # fmt: skip


async def test_the_helpers_alone_compute_a_real_forward_pass(runner: PooledRunner) -> None:
    """The attacks fail because of the ban, not because the shared forward pass is broken."""
    numpy_backward = (
        "def mlp_forward_backward(X, y, W1, b1, W2, b2):\n"
        "    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)\n"
        "    loss = _loss(Xt, yt, *(torch.from_numpy(a) for a in (W1, b1, W2, b2)))\n"
        "    return float(loss), {'W1': W1 * 0, 'b1': b1 * 0, 'W2': W2 * 0, 'b2': b2 * 0}\n"
    )
    verdict = await _verdict(runner, numpy_backward)
    assert verdict.status == "failed" and "loss and all four gradients match" not in verdict.feedback
    assert "dW1 is off" in verdict.feedback or "dW" in verdict.feedback


async def test_grad_mode_switch_in_torch_C_is_refused(runner: PooledRunner) -> None:
    attack = 'def mlp_forward_backward(X, y, W1, b1, W2, b2):\n    torch._C._set_grad_enabled(True)\n    X, y, params = _tensors(X, y, W1, b1, W2, b2)\n    loss = _loss(X, y, *params)\n    grads = torch._C._ImperativeEngine().run_backward((loss,), (torch.ones_like(loss),), False, False, tuple(params), False, False)\n    return _pack(loss, grads)\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert AUTOGRAD_MESSAGE in verdict.feedback, verdict.feedback


async def test_enable_grad_found_by_string_is_refused(runner: PooledRunner) -> None:
    attack = 'import importlib\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    with getattr(importlib.import_module("torch.autograd.grad_mode"), "enable_grad")():\n        X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n        loss = _loss(X_, y_, *params)\n        grads = importlib.import_module("torch.autograd.graph")._engine_run_backward((loss,), (torch.ones_like(loss),), False, False, tuple(params), False)\n    return _pack(loss, grads)\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert AUTOGRAD_MESSAGE in verdict.feedback, verdict.feedback


async def test_forward_mode_dual_numbers_are_refused(runner: PooledRunner) -> None:
    attack = 'def mlp_forward_backward(X, y, W1, b1, W2, b2):\n    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)\n    params = [torch.from_numpy(a.copy()) for a in (W1, b1, W2, b2)]\n    level = getattr(torch._C, "_enter_" + "dual_level")()\n    grads = []\n    for i, p in enumerate(params):\n        g = torch.zeros_like(p).reshape(-1)\n        for j in range(p.numel()):\n            t = torch.zeros_like(p).reshape(-1); t[j] = 1\n            dual = torch._make_dual(p, t.reshape(p.shape), level)\n            args = list(params); args[i] = dual\n            g[j] = torch._unpack_dual(_loss(Xt, yt, *args), level)[1]\n        grads.append(g.reshape(p.shape))\n    return _pack(_loss(Xt, yt, *params), grads)\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert AUTOGRAD_MESSAGE in verdict.feedback, verdict.feedback


async def test_functorch_grad_is_refused(runner: PooledRunner) -> None:
    attack = 'import importlib\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    func = importlib.import_module("torch._functorch.apis")\n    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)\n    params = tuple(torch.from_numpy(a) for a in (W1, b1, W2, b2))\n    g = func.grad(lambda *p: _loss(Xt, yt, *p), argnums=(0, 1, 2, 3))(*params)\n    return _pack(_loss(Xt, yt, *params), g)\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert AUTOGRAD_MESSAGE in verdict.feedback, verdict.feedback


async def test_inference_mode_and_set_grad_enabled_tricks_are_refused(runner: PooledRunner) -> None:
    attack = 'def mlp_forward_backward(X, y, W1, b1, W2, b2):\n    with torch.inference_mode(False):\n        with torch.autograd.grad_mode.set_grad_enabled(True):\n            X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n            loss = _loss(X_, y_, *params)\n            loss.backward()\n    return _pack(loss, [p.grad for p in params])\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert AUTOGRAD_MESSAGE in verdict.feedback, verdict.feedback


async def test_torchscript_cannot_reach_the_engine(runner: PooledRunner) -> None:
    attack = 'import threading\nfrom typing import List, Optional\n\n\ndef _grads(loss: torch.Tensor, ps: List[torch.Tensor]) -> List[Optional[torch.Tensor]]:\n    return torch.autograd.grad([loss], ps)\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    scripted = torch.jit.script(_grads)\n    out = {}\n    def work():\n        X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n        loss = _loss(X_, y_, *params)\n        out["r"] = (loss, scripted(loss, params))\n    t = threading.Thread(target=work); t.start(); t.join()\n    return _pack(*out["r"])\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert AUTOGRAD_MESSAGE in verdict.feedback, verdict.feedback


async def test_fresh_engine_in_a_new_thread_is_refused(runner: PooledRunner) -> None:
    attack = 'import importlib\nimport threading\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    engine = getattr(importlib.import_module("torch._C"), "_Imperative" + "Engine")()\n    out = {}\n    def work():  # a new thread starts with grad mode on: no switch needed\n        X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n        loss = _loss(X_, y_, *params)\n        out["r"] = (loss, engine.run_backward((loss,), (torch.ones_like(loss),), False, False, tuple(params), False, False))\n    t = threading.Thread(target=work); t.start(); t.join()\n    return _pack(*out["r"])\n'
    verdict = await _verdict(runner, attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    # the refusal happens inside the attacker's own thread; the case fails without an answer
    assert "0 of 5 cases passed" in verdict.feedback
