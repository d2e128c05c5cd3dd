"""Check a submission: run the task's driver on it in the sandbox, then judge each case in the parent.

The sandbox only runs the candidate's functions and returns plain values; expected values are
computed here, from the same seeded inputs, and never leave this process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from bot.coding.case import Case, CaseCheck
from bot.coding.registry import Task, get_task
from bot.coding.verdict import CaseVerdict, Verdict

if TYPE_CHECKING:
    from bot.sandbox.api import CodeRunner, SandboxResult, SubmissionError

log = logging.getLogger(__name__)

#: The start of a sandbox result's detail when the child's output could not be decoded (kept in step
#: with bot.sandbox.outcome.UNREADABLE; imported lazily there to keep this module light).
UNREADABLE = "your code's output could not be read"
#: Longest submission accepted, in characters: parsing and shipping it must stay cheap.
MAX_SOURCE_CHARS = 200_000

#: exception names raised by the driver prelude for contract problems (not bugs in the candidate's maths)
MISSING_FUNCTION = "MissingFunction"
BAD_RETURN = "BadReturn"


def describe_error(error: SubmissionError) -> str:
    """One line naming the exception and, when known, the line of the candidate's code that raised it."""
    if error.type in (MISSING_FUNCTION, BAD_RETURN):
        return error.message
    where = f" at line {error.line}" if error.line else ""
    source = f" (`{error.source_line.strip()}`)" if error.source_line and error.source_line.strip() else ""
    message = f": {error.message}" if error.message else ""
    return f"{error.type}{where}{source}{message}"


async def check_submission(
    task_slug: str,
    source: str,
    runner: CodeRunner,
    *,
    user_key: str,
    tasks_dir: Path,
    seed: int | None = None,
) -> Verdict:
    """Run `source` against every case of the task and return the verdict.

    Cases come from `seed`, or from a fresh random seed per submission when it is None; the verdict
    carries the seed (and a failed one names it) so the same cases can be run again.

    `duration_ms` is the whole check: case generation, the sandbox run and the comparison.

    Raises `UnknownTask` for an unknown slug and lets the runner's `Busy` through (the caller
    tells the user to retry).
    """
    from bot.sandbox.api import SandboxJob  # the plain-data types, without the pool machinery
    from bot.sandbox.flavour import detect_flavour

    started = time.perf_counter()
    task = get_task(task_slug, tasks_dir)
    if len(source) > MAX_SOURCE_CHARS:
        return Verdict(task=task.slug, passed=False, status="error", cases=(),
                       feedback=f"Your code is too long ({len(source):,} characters; the limit is "
                                f"{MAX_SOURCE_CHARS:,}). Submit only the functions the task asks for.",
                       duration_ms=(time.perf_counter() - started) * 1000)  # fmt: skip
    # case generation, the torch references and parsing the source run in a thread: they must not
    # stall the bot's event loop
    if seed is None:
        # A fresh seed per submission: the hidden cases cannot be learnt from one verdict and
        # special-cased in the next. The verdict prints it, so a run can be reproduced.
        seed = secrets.randbelow(2**31)
    cases = await asyncio.to_thread(task.make_cases, seed)
    torch_allowed = task.meta.sandbox_flavour == "torch"
    # numpy-only code goes to the lighter numpy worker even where torch is allowed
    flavour = await asyncio.to_thread(detect_flavour, source) if torch_allowed else "numpy"
    job = SandboxJob(
        submission=source,
        driver=task.driver_source,
        cases=tuple(case.inputs for case in cases),
        flavour=flavour,
        forbid_autograd=task.meta.forbid_autograd,
        time_limit_s=task.meta.time_limit_s,
        memory_mb=task.meta.memory_mb,
    )
    result = await runner.run(job, user_key=user_key)
    verdict = await asyncio.to_thread(judge_safely, task, cases, result)
    feedback = verdict.feedback if verdict.passed else f"{verdict.feedback} (Cases from seed {seed}.)"
    return dataclasses.replace(verdict, duration_ms=(time.perf_counter() - started) * 1000, seed=seed,
                               feedback=feedback)


def _check_one(task: Task, case: Case, value: object) -> CaseCheck:
    try:
        return task.check_case(case, value)
    except Exception as exc:  # untrusted output of an unexpected form must not crash the checker
        log.warning("checker of %s failed on case %s", task.slug, case.name, exc_info=True)
        return CaseCheck.fail(f"your output could not be checked ({type(exc).__name__}: {exc})")


def _case_label(case: Case) -> str:
    return f"case '{case.name}'" + (f" ({case.about})" if case.about else "")


def judge_safely(task: Task, cases: list[Case], result: SandboxResult) -> Verdict:
    """`judge`, but an output that breaks the judging itself is a verdict, never a traceback."""
    try:
        return judge(task, cases, result)
    except Exception as exc:  # MemoryError and RecursionError included
        log.warning("judging %s failed", task.slug, exc_info=True)
        return Verdict(task=task.slug, passed=False, status="crashed",
                       cases=tuple(CaseVerdict(c.name, False, "not checked") for c in cases),
                       feedback=f"{UNREADABLE[0].upper()}{UNREADABLE[1:]}: checking it failed "
                                f"({type(exc).__name__}).", duration_ms=result.duration_ms)  # fmt: skip


def judge(task: Task, cases: list[Case], result: SandboxResult) -> Verdict:
    """Turn the sandbox's raw result into a verdict, checking each case's output against the reference."""
    verdicts: list[CaseVerdict] = []

    def finish(status: str, feedback: str) -> Verdict:
        passed = status == "passed"
        return Verdict(task=task.slug, passed=passed, status=status, cases=tuple(verdicts),  # type: ignore[arg-type]
                       feedback=feedback, duration_ms=result.duration_ms, stdout=result.stdout)

    if result.status == "error":
        reason = describe_error(result.load_error) if result.load_error else (result.detail or "unknown error")
        verdicts.extend(CaseVerdict(c.name, False, "not run: the code did not load") for c in cases)
        return finish("error", f"Your code could not be loaded: {reason}")

    first_failure: str | None = None
    missing_function: str | None = None
    for index, case in enumerate(cases):
        if index >= len(result.outputs):
            verdicts.append(CaseVerdict(case.name, False, "not run"))
            continue
        output = result.outputs[index]
        if not output.ok:
            error = output.error
            message = describe_error(error) if error else "failed without an error message"
            if error and error.type == MISSING_FUNCTION:
                missing_function = missing_function or message
            check = CaseCheck.fail(message)
        else:
            check = _check_one(task, case, output.value)
        verdicts.append(CaseVerdict(case.name, check.passed, check.message or "ok"))
        if not check.passed and first_failure is None:
            first_failure = f"{_case_label(case)}: {check.message}"

    ran = f"{sum(v.passed for v in verdicts)} of {len(cases)} cases passed"
    if result.status == "timeout":
        advice = task.meta.timeout_hint or "Look for an endless loop, or Python loops where numpy could do the work."
        return finish("timeout", f"Time limit exceeded ({result.detail or f'{task.meta.time_limit_s:g} s'}); "
                                 f"{ran}. {advice}")
    if result.status == "memory":
        return finish("memory", f"Memory limit exceeded ({result.detail or f'{task.meta.memory_mb} MB'}); "
                                f"{ran}. Avoid building huge intermediate arrays.")
    if result.status == "crashed" and result.detail.startswith(UNREADABLE):
        return finish("crashed", f"{result.detail[0].upper()}{result.detail[1:]}; {ran}.")
    if result.status == "crashed":
        return finish("crashed", f"Your code crashed the Python process ({result.detail or 'no detail'}); {ran}.")
    if missing_function:
        return finish("error", f"{missing_function[0].upper()}{missing_function[1:]}.")
    if first_failure is None:
        return finish("passed", f"All {len(cases)} cases passed.")
    sentence = first_failure if first_failure.endswith((".", "?", "!")) else f"{first_failure}."
    return finish("failed", f"{sentence[0].upper()}{sentence[1:]} {ran[0].upper()}{ran[1:]}.")
