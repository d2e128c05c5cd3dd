"""The trusted references agree with PyTorch's own modules where a task writes the equations by hand."""

from __future__ import annotations

import numpy as np
import torch

from bot import PROJECT_ROOT
from bot.coding import load_tasks

TASKS = load_tasks(PROJECT_ROOT / "coding_tasks")


def test_lstm_reference_equals_nn_lstmcell() -> None:
    case = TASKS["lstm_step"].make_cases()[0]
    inputs = case.inputs
    want = TASKS["lstm_step"].module("reference").expected(inputs)
    d, h4 = inputs["Wx"].shape
    cell = torch.nn.LSTMCell(d, h4 // 4).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(inputs["Wx"].T))
        cell.weight_hh.copy_(torch.tensor(inputs["Wh"].T))
        cell.bias_ih.copy_(torch.tensor(inputs["b"]))
        cell.bias_hh.zero_()
    h, c = cell(torch.tensor(inputs["x"]), (torch.tensor(inputs["prev_h"]), torch.tensor(inputs["prev_c"])))
    np.testing.assert_allclose(want["next_h"], h.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(want["next_c"], c.detach().numpy(), rtol=1e-12)


def test_dropout_reference_is_identity_in_eval_and_zero_at_p1() -> None:
    reference = TASKS["dropout"].module("reference").expected
    x = np.arange(1.0, 7.0).reshape(2, 3)
    dout = np.ones_like(x)
    eval_out = reference({"x": x, "p": 0.5, "train": False, "dout": dout})
    np.testing.assert_array_equal(eval_out["out"], x)
    all_dropped = reference({"x": x, "p": 1.0, "train": True, "dout": dout}, np.zeros_like(x, dtype=bool))
    assert not all_dropped["out"].any() and not all_dropped["dx"].any()
    half = reference({"x": x, "p": 0.5, "train": True, "dout": dout}, x > 3)
    np.testing.assert_array_equal(half["dx"], (x > 3) * 2.0)
