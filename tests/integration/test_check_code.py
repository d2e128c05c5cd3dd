"""Checking code through the real sandbox: the async API the bot uses and the `check-code` / `tasks` CLI.

Real-sandbox runs are kept few (the per-task good/bad matrix runs in-process in
tests/unit/test_coding_tasks.py); these prove the pieces work together across the isolation boundary.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.coding import check_submission
from bot.sandbox import get_runner
from bot.sandbox.pool import PooledRunner

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
SUBMISSIONS = PROJECT_ROOT / "tests" / "data" / "submissions"
FIXED_SEED = 20261203
CONTRACT_KEYS = {"task", "passed", "status", "cases", "feedback", "duration_ms"}


@pytest.fixture(scope="module")
def runner() -> Iterator[PooledRunner]:
    pooled = get_runner(slots=2, queue_limit=8)
    yield pooled
    pooled.close_sync()


async def _check(runner: PooledRunner, slug: str, name: str, tasks_dir: Path = TASKS_DIR, seed: int | None = None):
    source = (SUBMISSIONS / name).read_text(encoding="utf-8")
    return await check_submission(slug, source, runner, user_key=f"it-{name}", tasks_dir=tasks_dir, seed=seed)


def _expected_feedback(name: str) -> str:
    return (SUBMISSIONS / name).read_text(encoding="utf-8").splitlines()[0].partition(" | ")[2]


def _first_bad(slug: str) -> str:
    return sorted(SUBMISSIONS.glob(f"{slug}_bad_*.py"))[0].name


TASK_SLUGS = sorted(p.name for p in TASKS_DIR.iterdir() if (p / "task.yaml").is_file())


@pytest.mark.parametrize("slug", TASK_SLUGS)
async def test_every_task_across_the_isolation_boundary(runner: PooledRunner, slug: str) -> None:
    """Each task's driver and values survive the real wire: good passes, a typical mistake gets its feedback."""
    good = await _check(runner, slug, f"{slug}_good.py")
    assert good.status == "passed", good.feedback
    bad_name = _first_bad(slug)
    # Fixed cases: for a statistical mistake (dropout's rate off by 1.5 points) which of the task's checks
    # fires first depends on the random cases (a coarse per-case rate check on some seeds, the exact-rate
    # test on others); both reject it, but only one wording is announced.
    bad = await _check(runner, slug, bad_name, seed=FIXED_SEED)
    assert not bad.passed and _expected_feedback(bad_name) in bad.feedback


async def test_dropout_seed_task_passes_good_and_explains_keep_probability(runner: PooledRunner) -> None:
    good = await _check(runner, "dropout", "dropout_good.py")
    assert good.passed and good.status == "passed" and len(good.cases) == 4
    bad = await _check(runner, "dropout", "dropout_bad_keep_prob.py")
    assert bad.status == "failed"
    assert re.search(r"with p=0\.\d+ you dropped \d+% of the elements: is p the drop probability\?", bad.feedback)


@pytest.mark.parametrize("name", ["dropout_bad_fixed_positional_mask.py", "dropout_bad_magnitude_pruning.py",
                                  "dropout_bad_fixed_seed_mask.py", "dropout_bad_whole_rows.py",
                                  "dropout_bad_biased_rate.py"])  # fmt: skip
async def test_gamed_dropout_masks_fail_across_the_isolation_boundary(runner: PooledRunner, name: str) -> None:
    # Fixed cases, as above: the biased rate is rejected on every seed, but its wording depends on the cases.
    verdict = await _check(runner, "dropout", name, seed=FIXED_SEED)
    assert verdict.status == "failed" and _expected_feedback(name) in verdict.feedback


@pytest.mark.parametrize("name", ["layernorm_bad_unbiased_variance.py", "grad_clipping_bad_always_rescales.py",
                                  "grad_clipping_bad_returns_clipped_norm.py"])  # fmt: skip
async def test_plausible_wrong_solutions_of_older_tasks_are_rejected(runner: PooledRunner, name: str) -> None:
    """Wrong-but-plausible solutions (the second line of each file says what is wrong) must fail."""
    verdict = await _check(runner, name.split("_bad_")[0], name)
    assert verdict.status == "failed" and _expected_feedback(name) in verdict.feedback, verdict.feedback


# Numerical-gradient submissions of the tasks that tests/integration/test_check_code_new_tasks.py does not run.
NUMERICAL_GRADIENT_NAMES = ["mlp_backprop_bad_without_backward_numerical_gradient.py",
                            "affine_bad_without_backward_numerical_gradient.py",
                            "softmax_ce_bad_without_gradient_numerical.py",
                            "layernorm_bad_without_backward_numerical_gradient.py",
                            "batchnorm_bad_without_backward_numerical_gradient.py",
                            "conv2d_bad_without_backward_numerical_gradient.py",
                            "lstm_step_bad_without_backward_numerical_gradient.py"]


@pytest.mark.parametrize("name", NUMERICAL_GRADIENT_NAMES)
async def test_numerical_gradient_instead_of_a_backward_pass_is_rejected(runner: PooledRunner, name: str) -> None:
    """Finite differences match every small case to ~1e-10; the large last case makes them run out of time."""
    verdict = await _check(runner, name.split("_bad_")[0], name)
    assert verdict.status == "timeout" and _expected_feedback(name) in verdict.feedback, verdict.feedback


async def test_cases_come_from_a_fresh_seed_that_the_verdict_names(runner: PooledRunner) -> None:
    """Special-casing the hidden grid cannot work: every submission gets new shapes and p, and a failed
    verdict names its seed; the same seed gives the same cases (and the same verdict) again."""
    source = (SUBMISSIONS / "dropout_bad_keep_prob.py").read_text(encoding="utf-8")
    first = await check_submission("dropout", source, runner, user_key="seed-1", tasks_dir=TASKS_DIR)
    second = await check_submission("dropout", source, runner, user_key="seed-2", tasks_dir=TASKS_DIR)
    assert first.seed is not None and second.seed is not None and first.seed != second.seed
    assert f"(Cases from seed {first.seed}.)" in first.feedback
    again = await check_submission("dropout", source, runner, user_key="seed-3", tasks_dir=TASKS_DIR,
                                   seed=first.seed)  # fmt: skip
    assert again.feedback == first.feedback
    assert not re.search(r"\(\d+, \d+", first.feedback)  # no hidden shape is printed


async def test_mlp_seed_task_fails_an_unstable_softmax_with_the_reason(runner: PooledRunner) -> None:
    good = await _check(runner, "mlp_backprop", "mlp_backprop_good.py")
    assert good.passed, good.feedback
    bad = await _check(runner, "mlp_backprop", "mlp_backprop_bad_unstable_softmax.py")
    assert bad.status == "failed" and "large_logits" in bad.feedback
    assert "Subtract each row's max score before exp" in bad.feedback
    assert [c.passed for c in bad.cases].count(False) == 1


async def test_autograd_in_a_gradient_task_is_refused(runner: PooledRunner) -> None:
    verdict = await _check(runner, "dropout", "dropout_uses_autograd.py")
    assert not verdict.passed
    assert _expected_feedback("dropout_uses_autograd.py") in verdict.feedback


async def test_exception_verdict_names_the_submission_line(runner: PooledRunner) -> None:
    verdict = await _check(runner, "dropout", "dropout_bad_exception.py")
    assert verdict.status == "failed"
    assert "ZeroDivisionError at line 10 (`scale = 1 / (1 - p)`)" in verdict.feedback


async def test_endless_loop_gives_a_timeout_verdict(runner: PooledRunner, tmp_path: Path) -> None:
    shutil.copytree(TASKS_DIR / "softmax_ce", tmp_path / "softmax_ce")
    meta_path = tmp_path / "softmax_ce" / "task.yaml"
    meta = yaml.safe_load(meta_path.read_text())
    meta_path.write_text(yaml.safe_dump({**meta, "time_limit_s": 1.0}))
    source = "def softmax_cross_entropy(logits, y):\n    while True:\n        pass\n"
    verdict = await check_submission("softmax_ce", source, runner, user_key="it-loop", tasks_dir=tmp_path)
    assert verdict.status == "timeout" and not verdict.passed
    assert "Time limit exceeded" in verdict.feedback


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=240,
                          cwd=PROJECT_ROOT)


def test_cli_check_code_json_contract_and_exit_codes() -> None:
    passed = _cli("check-code", "softmax_ce", str(SUBMISSIONS / "softmax_ce_good.py"), "--json")
    assert passed.returncode == 0, passed.stderr
    data = json.loads(passed.stdout)
    assert set(data) == CONTRACT_KEYS and data["status"] == "passed" and data["passed"] is True
    assert all(set(c) == {"name", "passed", "message"} and c["passed"] for c in data["cases"])

    failed = _cli("check-code", "softmax_ce", str(SUBMISSIONS / "softmax_ce_bad_naive_exp.py"), "--json")
    assert failed.returncode == 1, failed.stderr
    data = json.loads(failed.stdout)
    assert data["status"] == "failed" and "subtract the row max before exp" in data["feedback"]


def test_cli_usage_errors_exit_2(tmp_path: Path) -> None:
    unknown = _cli("check-code", "no_such_task", str(SUBMISSIONS / "softmax_ce_good.py"))
    assert unknown.returncode == 2 and "unknown task 'no_such_task'" in unknown.stderr
    missing = _cli("check-code", "softmax_ce", str(tmp_path / "absent.py"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_cli_tasks_lists_every_task() -> None:
    listed = _cli("tasks", "--json")
    assert listed.returncode == 0
    rows = json.loads(listed.stdout)
    slugs = {row["slug"] for row in rows}
    assert {"dropout", "mlp_backprop"} <= slugs and len(rows) >= 12
    assert all(set(row) == {"slug", "title", "difficulty", "topic"} for row in rows)
    text = _cli("tasks")
    assert text.returncode == 0 and "dropout" in text.stdout and "T08" in text.stdout


FORGED_RESULT = (
    "import os, struct\n"
    "def softmax_cross_entropy(logits, y):\n"
    "    payload = b'I\\x03\\x00\\x00\\x00--5'  # a big integer that is not one\n"
    "    os.write(4, struct.pack('<I', len(payload)) + payload)\n"
    "    os._exit(0)\n"
)


def test_cli_forged_result_is_an_unreadable_output_verdict(tmp_path: Path) -> None:
    path = tmp_path / "forged.py"
    path.write_text(FORGED_RESULT)
    done = _cli("check-code", "softmax_ce", str(path), "--json")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    data = json.loads(done.stdout)
    assert data["status"] == "crashed" and data["passed"] is False
    assert data["feedback"].startswith("Your code's output could not be read: ")


def test_cli_hostile_source_text_gets_a_verdict_not_a_traceback(tmp_path: Path) -> None:
    nested = tmp_path / "nested.py"
    nested.write_text("import torch\nx = " + "-" * 3500 + "1\n" + "def softmax_cross_entropy(l, y):\n    return 0\n")
    surrogate = tmp_path / "surrogate.py"
    surrogate.write_text("def softmax_cross_entropy(logits, y):\n    raise ValueError('\\udc80\\ud800 broken')\n")
    huge = tmp_path / "huge.py"
    huge.write_text("# " + "x" * 300_000 + "\n")
    for path, status in ((nested, None), (surrogate, "failed"), (huge, "error")):
        done = _cli("check-code", "softmax_ce", str(path), "--json")
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        data = json.loads(done.stdout)
        assert status is None or data["status"] == status, data
    assert "too long" in json.loads(_cli("check-code", "softmax_ce", str(huge), "--json").stdout)["feedback"]
