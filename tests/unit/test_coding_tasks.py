"""Every coding task, end to end through the checker with the driver run in this process.

The drivers and checkers are exercised on real submissions from tests/data/submissions: each
task's good solution passes, and each typical wrong one fails with the feedback its first line
announces (`# expect: STATUS | FEEDBACK SUBSTRING`). Isolation is tested elsewhere (tests of
bot/sandbox and tests/integration/test_check_code*.py); here the driver runs in-process so these
tests stay fast.
"""

from __future__ import annotations

import copy
import time
import traceback
import types
from pathlib import Path

import numpy as np
import pytest

from bot import PROJECT_ROOT
from bot.coding import check_submission, load_tasks
from bot.sandbox.api import CaseOutput, SandboxJob, SandboxResult, SubmissionError
from bot.sandbox.flavour import detect_flavour

TASKS_DIR = PROJECT_ROOT / "coding_tasks"
SUBMISSIONS = Path(__file__).resolve().parents[1] / "data" / "submissions"
SUBMISSION_FILE = "<submission>"


def _submission_error(exc: BaseException, source: str) -> SubmissionError:
    line = exc.lineno if isinstance(exc, SyntaxError) else None
    if line is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == SUBMISSION_FILE]
        line = frames[-1].lineno if frames else None
    lines = source.splitlines()
    source_line = lines[line - 1] if line and 0 < line <= len(lines) else None
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    return SubmissionError(type(exc).__name__, message, line, source_line, "")


def _plain(value: object) -> object:
    """What the sandbox does to returned values: tensors become numpy arrays."""
    if hasattr(value, "detach"):
        return value.detach().numpy()  # type: ignore[attr-defined]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(v) for v in value)
    return value


class InProcessRunner:
    """A CodeRunner that imports the submission and runs the driver here, without isolation (tests only)."""

    def __init__(self) -> None:
        self.jobs: list[SandboxJob] = []

    async def run(self, job: SandboxJob, *, user_key: str) -> SandboxResult:
        self.jobs.append(job)
        start = time.perf_counter()
        module = types.ModuleType("submission")
        try:
            exec(compile(job.submission, SUBMISSION_FILE, "exec"), module.__dict__)
        except Exception as exc:
            return SandboxResult("error", (), _submission_error(exc, job.submission), "", 0.0)
        namespace: dict[str, object] = {"__name__": "driver"}
        exec(compile(job.driver, "<driver>", "exec"), namespace)
        outputs = []
        for case in job.cases:
            try:
                value = namespace["run_case"](module, copy.deepcopy(case))  # type: ignore[operator]
                outputs.append(CaseOutput(True, _plain(value), None))
            except Exception as exc:
                outputs.append(CaseOutput(False, None, _submission_error(exc, job.submission)))
        return SandboxResult("ok", tuple(outputs), None, "", (time.perf_counter() - start) * 1000)

    async def close(self) -> None:
        return None


def _expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), f"{path.name} must start with '# expect: STATUS | FEEDBACK'"
    status, _, feedback = first.removeprefix("# expect: ").partition(" | ")
    return status.strip(), feedback.strip()


TASK_SLUGS = sorted(load_tasks(TASKS_DIR))
BAD_SUBMISSIONS = sorted(SUBMISSIONS.glob("*_bad_*.py"))


async def _check(slug: str, path: Path):
    runner = InProcessRunner()
    with np.errstate(all="ignore"):
        verdict = await check_submission(slug, path.read_text(encoding="utf-8"), runner,
                                         user_key="test", tasks_dir=TASKS_DIR)
    return verdict, runner


def test_there_are_the_seed_tasks_and_at_least_ten_more() -> None:
    assert {"dropout", "mlp_backprop"} <= set(TASK_SLUGS)
    assert len(TASK_SLUGS) >= 12


@pytest.mark.parametrize("slug", TASK_SLUGS)
async def test_good_solution_passes(slug: str) -> None:
    verdict, _ = await _check(slug, SUBMISSIONS / f"{slug}_good.py")
    failures = [c for c in verdict.cases if not c.passed]
    assert verdict.status == "passed", (verdict.feedback, failures)
    assert verdict.passed and all(c.passed for c in verdict.cases)


@pytest.mark.parametrize("path", sorted(SUBMISSIONS.glob("*_good_*.py")), ids=lambda p: p.stem)
async def test_other_correct_solutions_pass_too(path: Path) -> None:
    """E.g. dropout masks drawn with np.random.binomial or torch.bernoulli instead of `rng`."""
    verdict, _ = await _check(path.stem.split("_good_")[0], path)
    assert verdict.status == "passed", verdict.feedback


@pytest.mark.parametrize("slug", TASK_SLUGS)
def test_every_task_has_a_typical_wrong_solution(slug: str) -> None:
    assert any(p.name.startswith(f"{slug}_bad_") for p in BAD_SUBMISSIONS)


def _sandbox_only(path: Path) -> str | None:
    """The reason a submission is judged only through the real sandbox (second line `# sandbox-only: ...`):
    e.g. timed tasks, whose reference runs single-threaded there but on threaded BLAS in this process."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[1].removeprefix("# sandbox-only:").strip() if len(lines) > 1 and lines[1].startswith(
        "# sandbox-only:") else None


@pytest.mark.parametrize("path", BAD_SUBMISSIONS, ids=lambda p: p.stem)
async def test_wrong_solution_fails_with_feedback(path: Path) -> None:
    if reason := _sandbox_only(path):
        pytest.skip(f"checked through the sandbox in tests/integration/test_check_code*.py: {reason}")
    slug = path.stem.split("_bad_")[0]
    status, feedback = _expectation(path)
    verdict, _ = await _check(slug, path)
    assert not verdict.passed
    assert verdict.status == status, verdict.feedback
    assert feedback in verdict.feedback


async def test_syntax_error_names_the_line() -> None:
    source = "import numpy as np\n\ndef dropout_forward(x, p, train, rng):\n    return x * (1 - p)), None\n"
    verdict = await check_submission("dropout", source, InProcessRunner(), user_key="test", tasks_dir=TASKS_DIR)
    assert verdict.status == "error" and not verdict.passed
    assert "SyntaxError at line 4" in verdict.feedback and "return x * (1 - p)), None" in verdict.feedback
    assert all(not c.passed for c in verdict.cases)


@pytest.mark.parametrize("slug", TASK_SLUGS)
async def test_job_carries_the_task_driver_limits_and_inputs_only(slug: str) -> None:
    _, runner = await _check(slug, SUBMISSIONS / f"{slug}_good.py")
    job = runner.jobs[0]
    task = load_tasks(TASKS_DIR)[slug]
    assert job.driver == task.driver_source
    # numpy-only code runs in the numpy worker even where torch is allowed; torch code in the torch one
    source = (SUBMISSIONS / f"{slug}_good.py").read_text()
    expected_flavour = detect_flavour(source) if task.meta.sandbox_flavour == "torch" else "numpy"
    assert job.flavour == expected_flavour and job.forbid_autograd == task.meta.forbid_autograd
    assert job.time_limit_s == task.meta.time_limit_s
    cases = task.make_cases()
    assert [sorted(c) for c in job.cases] == [sorted(c.inputs) for c in cases]
