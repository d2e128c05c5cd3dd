"""The optional LLM backend against a fake OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from bot.grading.embedder import shared_embedder
from bot.grading.llm import LLMGrader, LLMSettings
from tests.unit.test_grading_grader import MISCONCEPTIONS, SIGMOID

pytestmark = pytest.mark.slow

ANSWER = "The sigmoid saturates, so its gradient is tiny for large inputs."


class FakeChatAPI(BaseHTTPRequestHandler):
    mode: ClassVar[str] = "good"
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeChatAPI.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if FakeChatAPI.mode == "slow":
            time.sleep(3.5)
        if FakeChatAPI.mode == "garbage":
            content = "Sure! The answer looks good to me."
        else:
            content = json.dumps({
                "key_points": [
                    {"id": "kp1", "status": "covered", "evidence": "The sigmoid saturates, so its gradient is tiny for large inputs."},
                    {"id": "kp2", "status": "partial", "evidence": "invented text the candidate never wrote"},
                    {"id": "kp3", "status": "missing", "evidence": None},
                ],
                "misconceptions": [],
            })
        data = json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeChatAPI)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def _grader(url: str) -> LLMGrader:
    return LLMGrader(MISCONCEPTIONS, LLMSettings(url, "fake-model", "sk-test", 5.0), embedder=shared_embedder())


def test_llm_judgements_become_the_grade(server: str) -> None:
    FakeChatAPI.mode, FakeChatAPI.requests[:] = "good", []
    grader = _grader(server)
    grade = grader.grade(SIGMOID, ANSWER)
    assert [kp.status for kp in grade.key_points] == ["covered", "partial", "missing"]
    assert grade.key_points[0].evidence == ANSWER.strip()
    assert grade.key_points[1].evidence is None  # not a quote of the candidate
    assert grade.score == pytest.approx(5 * (3 * 1.0 + 2 * 0.5) / 6, abs=0.05)
    assert grader.fallbacks == 0
    sent = FakeChatAPI.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["auth"] == "Bearer sk-test"
    assert sent["body"]["model"] == "fake-model"
    schema = sent["body"]["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["properties"]["key_points"]["items"]["properties"]["id"]["enum"] == ["kp1", "kp2", "kp3"]


def test_invalid_output_falls_back_to_the_offline_grader(server: str) -> None:
    FakeChatAPI.mode = "garbage"
    grader = _grader(server)
    grade = grader.grade(SIGMOID, ANSWER)
    assert grader.fallbacks == 1
    offline = grader.__class__.__mro__[1].grade(grader, SIGMOID, ANSWER)
    assert grade == offline


def test_slow_server_falls_back_within_the_two_second_budget(server: str) -> None:
    FakeChatAPI.mode = "slow"
    grader = _grader(server)
    grader.grade(SIGMOID, "warm up the offline rubric cache first")
    started = time.perf_counter()
    grade = grader.grade(SIGMOID, ANSWER)
    elapsed = time.perf_counter() - started
    assert grader.fallbacks == 2
    assert grade.validity == "ok"
    assert elapsed < 2.0 + 1.5  # the budget plus one offline grade on a loaded machine


def test_non_answers_never_reach_the_llm(server: str) -> None:
    FakeChatAPI.mode, FakeChatAPI.requests[:] = "good", []
    grade = _grader(server).grade(SIGMOID, "idk")
    assert grade.validity == "non_answer"
    assert FakeChatAPI.requests == []
