"""The autograd ban in gradient tasks, attacked through every path we know (real sandbox, real task).

Each attack computes mlp_backprop's gradients with autograd reached some other way than
`loss.backward()`; before the engine-level ban, the first and the last passed the task with no
backward pass written at all. Every one must fail, and the direct ones with the task's own message.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import PROJECT_ROOT
from bot.coding import check_submission
from bot.sandbox import SandboxJob, get_runner
from bot.sandbox.pool import PooledRunner

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
AUTOGRAD_MESSAGE = "autograd is not allowed in this task"
#: shared helpers of every attack: the forward pass in torch, and packing the answer
HELPERS = 'import numpy as np\nimport torch\nimport torch.nn.functional as F\n\n\ndef _loss(X, y, W1, b1, W2, b2):\n    h = F.relu(X @ W1 + b1)\n    return F.cross_entropy(h @ W2 + b2, y)\n\n\ndef _tensors(X, y, W1, b1, W2, b2):\n    X, y = torch.from_numpy(X), torch.from_numpy(y)\n    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W1, b1, W2, b2)]\n    return X, y, params\n\n\ndef _pack(loss, grads):\n    return float(loss), dict(zip(("W1", "b1", "W2", "b2"), (g.detach().numpy() for g in grads)))\n'


@pytest.fixture(scope="module")
def runner() -> Iterator[PooledRunner]:
    pooled = get_runner(slots=2, queue_limit=8)
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
    assert "0 of 6 cases passed" in verdict.feedback


#: Backprop by calling grad_fn nodes by hand (no engine), and running a function in a fresh thread.
WALK = 'import threading\n\n\ndef _walk(loss, params):\n    """Backprop by calling each grad_fn node by hand: no engine involved."""\n    order, seen = [], set()\n    def visit(fn):\n        if fn is None or fn in seen:\n            return\n        seen.add(fn)\n        for nxt, _ in fn.next_functions:\n            visit(nxt)\n        order.append(fn)\n    if loss.grad_fn is None:\n        raise RuntimeError("no graph was recorded")\n    visit(loss.grad_fn)\n    grads = {loss.grad_fn: {0: torch.ones_like(loss)}}\n    acc = {}\n    for fn in reversed(order):\n        g = grads.get(fn)\n        if g is None:\n            continue\n        if hasattr(fn, "variable"):\n            acc[id(fn.variable)] = g[0].sum_to_size(fn.variable.shape)\n            continue\n        n = max(g) + 1\n        outs = fn(*[g.get(i) for i in range(n)])\n        if not isinstance(outs, tuple):\n            outs = (outs,)\n        for (nxt, idx), o in zip(fn.next_functions, outs):\n            if nxt is None or o is None:\n                continue\n            slot = grads.setdefault(nxt, {})\n            slot[idx] = o if idx not in slot else slot[idx] + o\n    return [acc[id(p)] for p in params]\n\n\ndef _in_thread(f):\n    out = {}\n    def work():\n        try:\n            out["r"] = f()\n        except BaseException as e:\n            out["e"] = e\n    t = threading.Thread(target=work); t.start(); t.join()\n    if "e" in out:\n        raise out["e"]\n    return out["r"]\n'


async def test_grad_fn_nodes_walked_by_hand_in_a_new_thread_find_no_graph(runner: PooledRunner) -> None:
    """A new thread starts with grad mode on; calling each grad_fn node by hand needs no engine. Before the
    native ban this passed the task. Property: no operator records a graph, in any thread."""
    attack = 'def mlp_forward_backward(X, y, W1, b1, W2, b2):\n    def f():\n        X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n        loss = _loss(X_, y_, *params)\n        return _pack(loss, _walk(loss, params))\n    return _in_thread(f)\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'no graph was recorded' in verdict.feedback, verdict.feedback


async def test_originals_kept_by_the_ban_module_do_not_switch_grad_mode_on(runner: PooledRunner) -> None:
    """The Python layer keeps the replaced originals (child._ENTRY_POINTS); restoring them passed the task.
    Property: undoing every Python-level replacement gives no graph."""
    attack = 'import sys\nfor _m, _a, _orig in sys.modules["bot.sandbox.child"]._ENTRY_POINTS:\n    setattr(_m, _a, _orig)\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    torch._C._set_grad_enabled(True)\n    X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n    loss = _loss(X_, y_, *params)\n    return _pack(loss, _walk(loss, params))\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'no graph was recorded' in verdict.feedback, verdict.feedback


async def test_original_switch_from_a_closure_cell_does_not_switch_grad_mode_on(runner: PooledRunner) -> None:
    """The guard's closure holds the real torch._C._set_grad_enabled; calling it passed the task.
    Property: the real switch has no effect on recording."""
    attack = '_orig = [c.cell_contents for c in torch._C._set_grad_enabled.__closure__ if callable(c.cell_contents) and getattr(c.cell_contents, "__name__", "") == "_set_grad_enabled"][0]\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    _orig(True)\n    X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n    loss = _loss(X_, y_, *params)\n    return _pack(loss, _walk(loss, params))\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'no graph was recorded' in verdict.feedback, verdict.feedback


async def test_c10_grad_mode_set_through_ctypes_has_no_effect(runner: PooledRunner) -> None:
    """ctypes calls c10::GradMode::set_enabled(true) past every Python guard; this passed the task.
    Property: grad mode set in C++ still records nothing."""
    attack = 'import ctypes\n# c10::GradMode::set_enabled(bool) through the C ABI, past every Python-level guard\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    import os\n    libc10 = ctypes.CDLL(os.path.join(os.path.dirname(torch.__file__), "lib", "libc10.so"))\n    libc10._ZN3c108GradMode11set_enabledEb(ctypes.c_bool(True))\n    X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n    loss = _loss(X_, y_, *params)\n    return _pack(loss, _walk(loss, params))\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'no graph was recorded' in verdict.feedback, verdict.feedback


async def test_run_backward_rebuilt_from_the_method_table_finds_no_graph(runner: PooledRunner) -> None:
    """ctypes rebuilds _ImperativeEngine.run_backward from the type's C method table (PyDescr_NewMethod),
    undoing the type-level refusal; this passed the task. Property: the real engine gets no graph."""
    attack = 'import ctypes\nimport threading\n\n\ndef _walk(loss, params):\n    """Backprop by calling each grad_fn node by hand: no engine involved."""\n    order, seen = [], set()\n    def visit(fn):\n        if fn is None or fn in seen:\n            return\n        seen.add(fn)\n        for nxt, _ in fn.next_functions:\n            visit(nxt)\n        order.append(fn)\n    visit(loss.grad_fn)\n    grads = {loss.grad_fn: {0: torch.ones_like(loss)}}\n    acc = {}\n    for fn in reversed(order):\n        g = grads.get(fn)\n        if g is None:\n            continue\n        if hasattr(fn, "variable"):\n            acc[id(fn.variable)] = g[0]\n            continue\n        n = max(g) + 1\n        outs = fn(*[g.get(i) for i in range(n)])\n        if not isinstance(outs, tuple):\n            outs = (outs,)\n        for (nxt, idx), o in zip(fn.next_functions, outs):\n            if nxt is None or o is None:\n                continue\n            slot = grads.setdefault(nxt, {})\n            slot[idx] = o if idx not in slot else slot[idx] + o\n    return [acc[id(p)] for p in params]\n\n\ndef _in_thread(f):\n    out = {}\n    def work():\n        try:\n            out["r"] = f()\n        except BaseException as e:\n            out["e"] = e\n    t = threading.Thread(target=work); t.start(); t.join()\n    if "e" in out:\n        raise out["e"]\n    return out["r"]\n\n\ndef _run_backward_descriptor():\n    T = torch._C._ImperativeEngine\n    methods = ctypes.c_void_p.from_address(id(T) + 29 * 8).value\n    ctypes.pythonapi.PyDescr_NewMethod.restype = ctypes.py_object\n    ctypes.pythonapi.PyDescr_NewMethod.argtypes = [ctypes.py_object, ctypes.c_void_p]\n    i = 0\n    while True:\n        name = ctypes.c_char_p.from_address(methods + 32 * i).value\n        if name is None:\n            raise LookupError("no run_backward")\n        if name == b"run_backward":\n            return ctypes.pythonapi.PyDescr_NewMethod(T, methods + 32 * i)\n        i += 1\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    run = _run_backward_descriptor()\n    engine = torch._C._ImperativeEngine()\n    def f():\n        X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n        loss = _loss(X_, y_, *params)\n        return _pack(loss, run(engine, (loss,), (torch.ones_like(loss),), False, False, tuple(params), False, False))\n    return _in_thread(f)\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'does not require grad' in verdict.feedback, verdict.feedback


async def test_forward_mode_with_restored_switches_gets_no_dual_level(runner: PooledRunner) -> None:
    """Forward-mode AD with the Python-level switches restored. Property: no dual level can be created."""
    attack = 'import sys\nfor _m, _a, _orig in sys.modules["bot.sandbox.child"]._ENTRY_POINTS:\n    setattr(_m, _a, _orig)\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)\n    params = [torch.from_numpy(a.copy()) for a in (W1, b1, W2, b2)]\n    level = torch._C._enter_dual_level()\n    grads = []\n    for i, p in enumerate(params):\n        g = torch.zeros_like(p).reshape(-1)\n        for j in range(p.numel()):\n            t = torch.zeros_like(p).reshape(-1); t[j] = 1\n            dual = torch._make_dual(p, t.reshape(p.shape), level)\n            args = list(params); args[i] = dual\n            g[j] = torch._unpack_dual(_loss(Xt, yt, *args), level)[1]\n        grads.append(g.reshape(p.shape))\n    return _pack(_loss(Xt, yt, *params), grads)\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'forward AD level' in verdict.feedback, verdict.feedback


async def test_library_file_mapped_back_over_the_patch_is_refused(runner: PooledRunner) -> None:
    """mmap of libc10.so's own bytes over the patched page (API calls only, no raw writes): passed the task
    without the no-new-code filter. Property: no memory can become executable after the patch."""
    attack = 'import ctypes, os, threading\n\n\n\ndef _restore():\n    """Map libc10.so\'s own text back over the patched page: pure API calls, no raw memory writes."""\n    lib = os.path.join(os.path.dirname(torch.__file__), "lib", "libc10.so")\n    addr = ctypes.cast(ctypes.CDLL(lib)._ZN3c108GradMode10is_enabledEv, ctypes.c_void_p).value\n    base = None\n    for line in open("/proc/self/maps") if os.path.exists("/proc/self/maps") else ():\n        pass\n    libc = ctypes.CDLL(None, use_errno=True)\n    libc.mmap.restype = ctypes.c_void_p\n    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]\n    # the file offset of the page: the symbol\'s offset in the file equals its address minus the load base\n    info = ctypes.CDLL(None).dladdr\n    class Dl(ctypes.Structure):\n        _fields_ = [("fname", ctypes.c_char_p), ("fbase", ctypes.c_void_p), ("sname", ctypes.c_char_p), ("saddr", ctypes.c_void_p)]\n    d = Dl(); info.argtypes = [ctypes.c_void_p, ctypes.POINTER(Dl)]; info(addr, ctypes.byref(d))\n    page = addr & ~4095\n    fd = os.open(lib, os.O_RDONLY)\n    got = libc.mmap(page, 4096, 5, 0x02 | 0x10, fd, page - d.fbase)\n    if got != page:\n        raise OSError(ctypes.get_errno(), "mmap over the patch refused")\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    _restore()\n    X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n    def f():\n        loss = _loss(X_, y_, *params)\n        return _pack(loss, _walk(loss, params))\n    return _in_thread(f)\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'mmap over the patch refused' in verdict.feedback, verdict.feedback


async def test_library_mapping_moved_back_over_the_patch_is_refused(runner: PooledRunner) -> None:
    """mremap grows the libc10 text mapping before the patch (it moves, carrying the file's original bytes)
    and moves it back with MREMAP_FIXED: passed the task without the filter. Property: no MREMAP_FIXED."""
    attack = 'import ctypes, os, threading\n\n\n\ndef _restore():\n    """Grow the libc10 text mapping before the patch (it moves, taking the file\'s original bytes),\n    then move it back over the patch with MREMAP_FIXED: API calls only."""\n    lib = os.path.join(os.path.dirname(torch.__file__), "lib", "libc10.so")\n    addr = ctypes.cast(ctypes.CDLL(lib)._ZN3c108GradMode10is_enabledEv, ctypes.c_void_p).value\n    libc = ctypes.CDLL(None, use_errno=True)\n    libc.mremap.restype = ctypes.c_void_p\n    libc.mremap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int, ctypes.c_void_p]\n    page = addr & ~4095\n    before = page - 4096\n    moved = libc.mremap(before, 4096, 8192, 1, None)  # MREMAP_MAYMOVE\n    if moved in (None, ctypes.c_void_p(-1).value):\n        raise OSError(ctypes.get_errno(), "mremap grow refused")\n    back = libc.mremap(moved, 8192, 8192, 1 | 2, before)  # MAYMOVE | FIXED\n    if back != before:\n        raise OSError(ctypes.get_errno(), "mremap back over the patch refused")\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    _restore()\n    X_, y_, params = _tensors(X, y, W1, b1, W2, b2)\n    def f():\n        loss = _loss(X_, y_, *params)\n        return _pack(loss, _walk(loss, params))\n    return _in_thread(f)\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'mremap back over the patch refused' in verdict.feedback, verdict.feedback


async def test_patched_page_cannot_be_made_writable_and_executable(runner: PooledRunner) -> None:
    """Property: mprotect cannot give the patched page (or any page) execute permission again."""
    attack = 'import ctypes, os, threading\n\n\n\ndef _restore():\n    """Make the patched page writable and executable again and write the original bytes back."""\n    lib = os.path.join(os.path.dirname(torch.__file__), "lib", "libc10.so")\n    addr = ctypes.cast(ctypes.CDLL(lib)._ZN3c108GradMode10is_enabledEv, ctypes.c_void_p).value\n    libc = ctypes.CDLL(None, use_errno=True)\n    libc.mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]\n    if libc.mprotect(addr & ~4095, 4096, 7) != 0:\n        raise OSError(ctypes.get_errno(), "mprotect RWX refused")\n    raise AssertionError("page became writable and executable")\n\n\ndef mlp_forward_backward(X, y, W1, b1, W2, b2):\n    _restore()\n'
    verdict = await _verdict(runner, WALK + attack)
    assert not verdict.passed and verdict.status == "failed", verdict.feedback
    assert 'mprotect RWX refused' in verdict.feedback, verdict.feedback


async def test_a_banned_job_still_runs_what_a_solution_may_use(runner: PooledRunner) -> None:
    """The ban forbids executable memory: oneDNN's run-time kernels (float32 convolution, LSTM) and lazy
    C-extension imports (cProfile: torch.utils.checkpoint imports it) would fail with it. A correct manual
    backward that also touches those passes."""
    solution = (
        "import cProfile\nimport statistics\nimport numpy.fft\n\n\n"
        "def mlp_forward_backward(X, y, W1, b1, W2, b2):\n"
        "    F.conv2d(torch.randn(2, 3, 8, 8), torch.randn(4, 3, 3, 3))\n"
        "    torch.nn.LSTM(3, 4)(torch.randn(5, 2, 3))\n"
        "    statistics.mean([1.0, 2.0]); numpy.fft.fft(np.ones(4))\n"
        "    n = len(y)\n"
        "    pre = X @ W1 + b1\n    h = np.maximum(pre, 0)\n    s = h @ W2 + b2\n"
        "    s = s - s.max(axis=1, keepdims=True)\n"
        "    logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))\n    p = np.exp(logp)\n"
        "    loss = -logp[np.arange(n), y].mean()\n"
        "    ds = p.copy(); ds[np.arange(n), y] -= 1; ds /= n\n"
        "    dh = ds @ W2.T * (pre > 0)\n"
        "    return loss, {'W1': X.T @ dh, 'b1': dh.sum(0), 'W2': h.T @ ds, 'b2': ds.sum(0)}\n"
    )
    verdict = await _verdict(runner, solution)
    assert verdict.passed, verdict.feedback


async def test_the_ban_is_per_job_and_leaves_the_zygote_unpatched(runner: PooledRunner) -> None:
    """The native patch is applied in each banned job after the fork: a banned job, then a job without
    the ban from the same warm zygote, which still differentiates (and may map executable memory)."""
    probe = (
        "import torch\n\n"
        "def attack():\n"
        "    w = torch.ones(3, dtype=torch.float64, requires_grad=True)\n"
        "    try:\n"
        "        (w * w).sum().backward()\n"
        "        return float(w.grad.sum())\n"
        "    except RuntimeError:\n"
        "        return -1.0\n"
    )
    driver = "def run_case(module, case):\n    return module.attack()\n"
    values = []
    for banned in (True, False, True):
        job = SandboxJob(probe, driver, ({},), flavour="torch", forbid_autograd=banned)
        result = await runner.run(job, user_key=f"per-job-{banned}")
        assert result.status == "ok", result
        values.append(result.outputs[0].value)
    assert values == [-1.0, 6.0, -1.0], values
