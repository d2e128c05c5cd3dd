"""The LLM-era coding tasks through the real sandbox: every correct solution passes and every typical
wrong one fails with the feedback its first line announces (`# expect: STATUS | FEEDBACK`).

Each task's submissions run concurrently (the pool has two slots), each under its own user key. The
`vectorised_mlp` timing is judged here only: its reference runs on single-threaded BLAS inside the
sandbox, as it does in production.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

# Imported up front: bot/sandbox/wire.py peeks at sys.modules["torch"] while encoding a job, and a checker
# importing torch in another thread at that moment leaves it half-initialised (AttributeError on
# torch.Tensor). That race belongs to the sandbox; these tests are about the tasks.
import torch  # noqa: F401

from bot import PROJECT_ROOT
from bot.coding import Verdict, check_submission
from bot.sandbox import get_runner
from bot.sandbox.pool import PooledRunner

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
SUBMISSIONS = PROJECT_ROOT / "tests" / "data" / "submissions"
NEW_TASKS = ("adamw", "label_smoothing_ce", "mha_kv_cache", "rmsnorm", "sampling", "vectorised_mlp")


@pytest.fixture(scope="module")
def runner() -> Iterator[PooledRunner]:
    pooled = get_runner(slots=2, queue_limit=32)
    yield pooled
    pooled.close_sync()


def _expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: STATUS | FEEDBACK'"
    status, _, feedback = first.removeprefix("# expect: ").partition(" | ")
    return status.strip(), feedback.strip()


async def _check_all(runner: PooledRunner, slug: str, paths: list[Path]) -> list[Verdict]:
    return list(await asyncio.gather(*(
        check_submission(slug, path.read_text(encoding="utf-8"), runner, user_key=f"new-{path.stem}",
                         tasks_dir=TASKS_DIR)
        for path in paths)))


@pytest.mark.parametrize("slug", NEW_TASKS)
async def test_every_good_and_bad_submission_through_the_sandbox(runner: PooledRunner, slug: str) -> None:
    good = sorted(SUBMISSIONS.glob(f"{slug}_good*.py"))
    bad = sorted(SUBMISSIONS.glob(f"{slug}_bad_*.py"))
    assert good and len(bad) >= 3, f"{slug} needs a correct solution and several typical wrong ones"
    verdicts = await _check_all(runner, slug, good + bad)
    for path, verdict in zip(good, verdicts[: len(good)], strict=True):
        assert verdict.status == "passed", (path.name, verdict.feedback)
        assert all(case.passed for case in verdict.cases)
    for path, verdict in zip(bad, verdicts[len(good):], strict=True):
        status, feedback = _expectation(path)
        assert not verdict.passed, path.name
        assert verdict.status == status, (path.name, verdict.feedback)
        assert feedback in verdict.feedback, (path.name, verdict.feedback)


async def test_vectorised_feedback_names_the_slow_function_and_the_ratio(runner: PooledRunner) -> None:
    forward, backward = await _check_all(runner, "vectorised_mlp", [
        SUBMISSIONS / "vectorised_mlp_bad_forward_loops_over_samples.py",
        SUBMISSIONS / "vectorised_mlp_bad_backward_loops_over_samples.py"])
    for verdict, slow, fast in ((forward, "mlp_forward", "mlp_backward"), (backward, "mlp_backward", "mlp_forward")):
        timed = verdict.cases[-1]
        assert [c.passed for c in verdict.cases] == [True, True, True, False], verdict.feedback
        assert f"your {slow} took" in timed.message and f"your {fast} took" not in timed.message
        assert "x the time of a vectorised one on a batch of 4096 samples" in timed.message
        assert "Python loop over the 4096 samples" in timed.message


async def test_kv_cache_step_uses_only_the_cache_it_is_given(runner: PooledRunner) -> None:
    """A decode step that recomputes earlier tokens from stored inputs cannot work on the checker's cache."""
    (verdict,) = await _check_all(runner, "mha_kv_cache", [SUBMISSIONS / "mha_kv_cache_bad_recompute_from_inputs.py"])
    assert verdict.status == "failed" and all(not c.passed for c in verdict.cases)
    assert "on a cache holding only 'k' and 'v'" in verdict.feedback


async def test_sampler_checked_on_a_fresh_seed(runner: PooledRunner) -> None:
    """Statistical verdicts hold on other cases than the fixed-seed ones (the bot may seed per submission)."""
    source = (SUBMISSIONS / "sampling_good.py").read_text(encoding="utf-8")
    bad = (SUBMISSIONS / "sampling_bad_top_p_drops_crossing_token.py").read_text(encoding="utf-8")
    good_verdict, bad_verdict = await asyncio.gather(
        check_submission("sampling", source, runner, user_key="seed-good", tasks_dir=TASKS_DIR, seed=2026),
        check_submission("sampling", bad, runner, user_key="seed-bad", tasks_dir=TASKS_DIR, seed=2026))
    assert good_verdict.passed, good_verdict.feedback
    assert not bad_verdict.passed and "top-p must KEEP the token" in bad_verdict.feedback
