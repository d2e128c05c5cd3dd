"""From the sandbox's raw result to a verdict: statuses, the JSON contract, and feedback wording."""

from __future__ import annotations

from bot import PROJECT_ROOT
from bot.coding import judge, load_tasks
from bot.sandbox.api import CaseOutput, SandboxResult, SubmissionError

TASK = load_tasks(PROJECT_ROOT / "coding_tasks")["softmax_ce"]
CASES = TASK.make_cases()


def _result(status: str, outputs: tuple[CaseOutput, ...] = (), **kwargs: object) -> SandboxResult:
    return SandboxResult(status=status, outputs=outputs, load_error=kwargs.pop("load_error", None),  # type: ignore[arg-type]
                         stdout="", duration_ms=12.5, **kwargs)  # type: ignore[arg-type]


def _error(type_: str, message: str, line: int | None = None, source_line: str | None = None) -> SubmissionError:
    return SubmissionError(type_, message, line, source_line, "")


def test_json_has_exactly_the_contract_keys() -> None:
    verdict = judge(TASK, CASES, _result("timeout", detail="killed after 5.0 s"))
    data = verdict.to_json()
    assert set(data) == {"task", "passed", "status", "cases", "feedback", "duration_ms"}
    assert data["task"] == "softmax_ce" and data["passed"] is False and data["duration_ms"] == 12.5
    assert all(set(c) == {"name", "passed", "message"} for c in data["cases"])


def test_timeout_memory_and_crash_keep_their_status() -> None:
    timeout = judge(TASK, CASES, _result("timeout", detail="killed after 5.0 s"))
    memory = judge(TASK, CASES, _result("memory", detail="exceeded 512 MB"))
    crashed = judge(TASK, CASES, _result("crashed", detail="killed by SIGSEGV"))
    assert (timeout.status, memory.status, crashed.status) == ("timeout", "memory", "crashed")
    assert "killed after 5.0 s" in timeout.feedback and "exceeded 512 MB" in memory.feedback
    assert "SIGSEGV" in crashed.feedback
    assert [c.message for c in timeout.cases] == ["not run"] * len(CASES)


def test_load_error_is_an_error_verdict_with_the_line() -> None:
    error = _error("NameError", "name 'np' is not defined", 3, "    x = np.zeros(3)")
    verdict = judge(TASK, CASES, _result("error", load_error=error))
    assert verdict.status == "error"
    assert verdict.feedback == ("Your code could not be loaded: NameError at line 3 (`x = np.zeros(3)`): "
                                "name 'np' is not defined")


def test_missing_function_is_an_error_not_a_failure() -> None:
    missing = CaseOutput(False, None, _error("MissingFunction",
                                             "your code does not define a function named `softmax_cross_entropy`"))
    verdict = judge(TASK, CASES, _result("ok", tuple(missing for _ in CASES)))
    assert verdict.status == "error"
    assert verdict.feedback == "Your code does not define a function named `softmax_cross_entropy`."


def test_exception_in_one_case_fails_that_case_with_its_line() -> None:
    from bot.coding.check import describe_error

    crash = _error("IndexError", "index 9 is out of bounds", 7, "    probs[np.arange(n), y]")
    verdict = judge(TASK, CASES[:1], _result("ok", (CaseOutput(False, None, crash),)))
    assert verdict.status == "failed"
    assert verdict.cases[0].message == describe_error(crash) == (
        "IndexError at line 7 (`probs[np.arange(n), y]`): index 9 is out of bounds")
    assert verdict.feedback.startswith("Case 'small_batch' (N=6, C=5): IndexError at line 7")


def test_untrusted_output_of_the_wrong_form_fails_the_case_without_crashing() -> None:
    verdict = judge(TASK, CASES[:1], _result("ok", (CaseOutput(True, "not a dict", None),)))
    assert verdict.status == "failed" and not verdict.cases[0].passed
