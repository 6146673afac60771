"""An SDK's re-send of a request the emulator already answered gets the answer it missed.

What happens under load (seen in Terraform's DEBUG log beside the emulator's log; the
README's Local AWS section has the record): the emulator executes a request and writes a 2xx, the client never
reads it, and the AWS SDK re-sends the same request (same ``amz-sdk-invocation-id``,
``amz-sdk-request: attempt=2``). For an idempotent call that is harmless; for a create it
is not: a second CreateFunction is answered 409 "Function already exist", which the AWS
provider retries for five minutes and then fails the apply.

AWS does not lose its answers this way, so the emulator should not make a client pay for
it: a mutating request whose earlier attempt was answered with a 2xx is answered again
with that response, without executing it twice. Only 2xx answers are kept (an error is
worth retrying for real), only for mutating methods, small bodies, and a bounded number
of recent invocations. Every replay and every connection dropped while answering is
logged, so the transport's side of it stays visible.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("localaws.replay")

KEEP = 512  # recent answered invocations
MAX_BODY = 256 * 1024  # larger answers are not kept (Invoke payloads, listings)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
_ATTEMPT = re.compile(r"attempt=(\d+)")

StartResponse = Callable[..., Any]


@dataclass(frozen=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    at: float


def attempt_of(environ: dict[str, Any]) -> int:
    """The SDK's attempt number (``amz-sdk-request: attempt=2; max=25``), 1 when absent."""
    match = _ATTEMPT.search(str(environ.get("HTTP_AMZ_SDK_REQUEST", "")))
    return int(match.group(1)) if match else 1


class Replay:
    """WSGI middleware keeping the 2xx answers of recent mutating SDK invocations."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]], keep: int = KEEP) -> None:
        self.app = app
        self.keep = keep
        self._answers: OrderedDict[tuple[str, ...], Answer] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(environ: dict[str, Any]) -> tuple[str, ...] | None:
        invocation = environ.get("HTTP_AMZ_SDK_INVOCATION_ID")
        method = str(environ.get("REQUEST_METHOD", ""))
        if not invocation or method in SAFE_METHODS:
            return None
        return (str(invocation), method, str(environ.get("PATH_INFO", "")), str(environ.get("QUERY_STRING", "")))

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        key = self.key(environ)
        if key is None:
            return self.app(environ, start_response)
        if attempt_of(environ) > 1:
            with self._lock:
                answer = self._answers.get(key)
            if answer is not None:
                log.warning(
                    "%s %s: attempt %d re-sent an invocation answered %s %.3f s earlier (the client lost that "
                    "answer); replaying it instead of executing the request again",
                    key[1], key[2], attempt_of(environ), answer.status, time.time() - answer.at,
                )  # fmt: skip
                start_response(answer.status, answer.headers)
                return [answer.body]
        seen: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            seen["status"], seen["headers"] = status, list(headers)
            return start_response(status, headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status = str(seen.get("status", ""))
        if status.startswith("2") and len(body) <= MAX_BODY:
            with self._lock:
                self._answers[key] = Answer(status, seen["headers"], body, time.time())
                while len(self._answers) > self.keep:
                    self._answers.popitem(last=False)
        return [body]


def _log_dropped_connections() -> None:
    """werkzeug drops a connection the client closed mid-answer silently: say so."""
    from werkzeug.serving import WSGIRequestHandler

    def connection_dropped(self: Any, error: BaseException, environ: dict[str, Any] | None = None) -> None:
        where = f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}" if environ else "a request"
        log.warning("connection dropped while answering %s: %s: %s", where, type(error).__name__, error)

    WSGIRequestHandler.connection_dropped = connection_dropped  # type: ignore[method-assign]


def install() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    original = DomainDispatcherApplication.__call__
    if getattr(original, "localaws", False):
        return

    def __call__(self: Any, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        replay = self.__dict__.get("_localaws_replay")
        if replay is None:
            replay = self.__dict__.setdefault("_localaws_replay", Replay(lambda e, s: original(self, e, s)))
        return replay(environ, start_response)  # type: ignore[no-any-return]

    __call__.localaws = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.__call__ = __call__  # type: ignore[method-assign]
    _log_dropped_connections()
