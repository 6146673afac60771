"""Run a packaged Lambda zip locally, the way the Lambda service would.

The function zip and its layers are unpacked into a work directory
(``/var/task`` and ``/opt/python`` in AWS), and a worker process is started
with the runtime's Python, the function's environment and ``sys.path``. It
stays warm and handles one invocation at a time, like an execution
environment: requests arrive as JSON lines on stdin, results leave on a
private pipe, and everything the function prints (logs, EMF) goes to its
log file, from which each invocation's lines are returned. As in Lambda,
an invocation that runs past the timeout, or whose worker's resident
memory passes the configured size, is killed (``Sandbox.Timedout`` /
``Runtime.OutOfMemory``) and the next invocation cold-starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import select
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the worker: import the handler once (cold start), then serve invocations
WORKER = r"""
import importlib, json, os, sys, time, traceback
results = os.fdopen(int(os.environ.pop("_RESULT_FD")), "w")
module_name, func_name = os.environ["_HANDLER"].rsplit(".", 1)

class Context:
    def __init__(self, request_id, deadline_ms):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.invoked_function_arn = os.environ["_FUNCTION_ARN"]
        self.aws_request_id = request_id
        self.log_group_name = os.environ["AWS_LAMBDA_LOG_GROUP_NAME"]
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

def answer(doc):
    sys.stdout.flush(); sys.stderr.flush()
    results.write(json.dumps(doc, default=str) + "\n"); results.flush()

try:
    handler = getattr(importlib.import_module(module_name), func_name)
except Exception as exc:
    traceback.print_exc()
    answer({"ready": False, "errorType": "Runtime.ImportModuleError", "errorMessage": str(exc)})
    sys.exit(1)
answer({"ready": True})
for line in sys.stdin:
    request = json.loads(line)
    print(f"START RequestId: {request['request_id']} Version: $LATEST", flush=True)
    started = time.time()
    try:
        context = Context(request["request_id"], request["deadline_ms"])
        result = {"ok": True, "payload": handler(request["event"], context)}
    except Exception as exc:
        traceback.print_exc()
        result = {"ok": False, "errorType": type(exc).__name__, "errorMessage": str(exc),
                  "stackTrace": traceback.format_exc().splitlines()}
    print(f"END RequestId: {request['request_id']}", flush=True)
    print(f"REPORT RequestId: {request['request_id']}\tDuration: {(time.time() - started) * 1000:.2f} ms", flush=True)
    answer(result)
"""

# what the python3.12 Lambda runtime ships besides the standard library
RUNTIME_SDK = ("boto3==1.44.8",)
_SDK_LOCK = threading.Lock()
# downloaded once per machine, not per emulator run
SDK_CACHE = Path(os.environ.get("LOCALAWS_CACHE", Path.home() / ".cache" / "localaws"))


def runtime_sdk(version: str, cache: Path) -> Path:
    """boto3 for the runtime's Python, as /var/runtime provides it in AWS (cached)."""
    target = cache / f"runtime-sdk-py{version}-{'-'.join(RUNTIME_SDK).replace('==', '')}"
    with _SDK_LOCK:
        if not (target / ".complete").exists():
            subprocess.run(
                [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "--only-binary=:all:",
                 "--python-version", version, "--implementation", "cp", *RUNTIME_SDK],
                check=True,
            )  # fmt: skip
            (target / ".complete").write_text("\n".join(RUNTIME_SDK))
    return target


def find_python(version: str) -> str | None:
    """The Lambda runtime's Python if this machine has it, else None."""
    candidates = [
        str(p / "bin" / "python")
        for p in sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}.*"), reverse=True)
    ]
    candidates += [exe for exe in (shutil.which(f"python{version}"),) if exe]
    for exe in candidates:
        # a pyenv shim exists even when it can't run that version: ask it
        probe = subprocess.run([exe, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == str(tuple(int(x) for x in version.split("."))):
            return exe
    return None


def _unzip(data: bytes | Path, dest: Path) -> None:
    import io

    source = io.BytesIO(data) if isinstance(data, bytes) else data
    with zipfile.ZipFile(source) as zf:
        zf.extractall(dest)
    for path in dest.rglob("*"):  # zip entries keep their modes only as metadata
        if path.is_file():
            path.chmod(0o755)


@dataclass
class LocalFunction:
    """One function: its code, layers, settings; a warm worker once invoked."""

    name: str
    code: bytes | Path  # the function zip
    layers: list[bytes | Path] = field(default_factory=list)
    handler: str = "handler.lambda_handler"
    runtime: str = "python3.12"
    environment: dict[str, str] = field(default_factory=dict)
    timeout_seconds: int = 900
    memory_mb: int = 1024
    workdir: Path = Path(".local/lambda")
    log_group: str = ""
    region: str = "ap-southeast-2"
    account_id: str = "123456789012"
    _proc: subprocess.Popen[str] | None = None
    _results: Any = None
    _log_path: Path = Path()
    _root: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.name}"

    def _prepare(self) -> tuple[Path, Path]:
        digest = hashlib.sha256(self.code if isinstance(self.code, bytes) else self.code.read_bytes()).hexdigest()[:12]
        # one directory per execution environment: concurrent workers never share files
        root = self.workdir / f"{self.name}-{digest}-{uuid.uuid4().hex[:8]}"
        self._root = root
        task, opt = root / "task", root / "opt"
        _unzip(self.code, task)
        for layer in self.layers:  # later layers win, as in Lambda
            _unzip(layer, opt)
        self._log_path = root / "function.log"
        return task, opt

    def _start(self) -> None:
        task, opt = self._prepare()
        version = self.runtime.removeprefix("python")
        python = find_python(version)
        if python:
            # Lambda's order: /var/task, then layers (/opt/python), then the runtime's SDK
            path = [task, opt / "python", runtime_sdk(version, SDK_CACHE)]
        else:
            # the layer's compiled wheels are for the runtime's Python: without it, run
            # the function's own code on this interpreter and its installed packages
            print(f"note: python{version} not found; running {self.name} on {sys.version.split()[0]}", file=sys.stderr)
            python, path = sys.executable, [task]
        read_fd, write_fd = os.pipe()
        env = {
            **{k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "TZ"}},
            **self.environment,
            "_HANDLER": self.handler,
            "_RESULT_FD": str(write_fd),
            "_FUNCTION_ARN": self.arn,
            "AWS_REGION": self.region,
            "AWS_DEFAULT_REGION": self.region,
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": self.log_group or f"/aws/lambda/{self.name}",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            "LAMBDA_TASK_ROOT": str(task.resolve()),
            "PYTHONPATH": os.pathsep.join(str(p.resolve()) for p in path),
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
        }
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            if key in os.environ and key not in self.environment:
                env[key] = os.environ[key]
        log = open(self._log_path, "ab")  # noqa: SIM115 - owned by the worker process
        self._proc = subprocess.Popen(
            [python, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            pass_fds=(write_fd,),
        )
        log.close()
        os.close(write_fd)
        self._results = os.fdopen(read_fd, "r")
        ready = self._read(timeout=120)
        if not ready.get("ready"):
            self._stop()
            raise RuntimeError(f"{self.name}: init failed: {ready.get('errorMessage')} (see {self._log_path})")

    def _rss_mb(self) -> float:
        try:
            with open(f"/proc/{self._proc.pid if self._proc else 0}/status") as fh:
                return next(int(x.split()[1]) for x in fh if x.startswith("VmRSS:")) / 1024
        except (OSError, StopIteration):
            return 0.0

    def _read(self, timeout: float, watch_memory: bool = False) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            ready, _, _ = select.select([self._results], [], [], min(0.1, max(deadline - time.monotonic(), 0)))
            if ready:
                break
            if time.monotonic() >= deadline:
                return {
                    "ok": False,
                    "errorType": "Sandbox.Timedout",
                    "errorMessage": f"Task timed out after {timeout:.2f} seconds",
                }
            if watch_memory and self._rss_mb() > self.memory_mb:
                return {
                    "ok": False,
                    "errorType": "Runtime.OutOfMemory",
                    "errorMessage": f"Runtime exited: memory {self.memory_mb} MB exceeded",
                }
        line = self._results.readline()
        if not line:
            code = self._proc.wait() if self._proc else None
            return {
                "ok": False,
                "errorType": "Runtime.ExitError",
                "errorMessage": f"Runtime exited with error: exit status {code}",
            }
        result: dict[str, Any] = json.loads(line)
        return result

    def invoke(self, event: Any) -> tuple[dict[str, Any], str]:
        """Invoke synchronously: (result, this invocation's log lines)."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._start()
            assert self._proc is not None and self._proc.stdin is not None
            offset = self._log_path.stat().st_size
            request = {
                "event": event,
                "request_id": str(uuid.uuid4()),
                "deadline_ms": (time.time() + self.timeout_seconds) * 1000,
            }
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
            result = self._read(timeout=self.timeout_seconds, watch_memory=True)
            if result.get("errorType") in {"Sandbox.Timedout", "Runtime.ExitError", "Runtime.OutOfMemory"}:
                self._stop()
            with open(self._log_path, "rb") as fh:
                fh.seek(offset)
                logs = fh.read().decode("utf-8", "replace")
            return result, logs

    def _stop(self) -> None:
        if self._proc and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if self._results:
            self._results.close()
        self._proc, self._results = None, None

    def close(self) -> None:
        with self._lock:
            if self._proc and self._proc.poll() is None and self._proc.stdin:
                self._proc.stdin.close()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(timeout=10)
            self._stop()
            if self._root is not None:
                shutil.rmtree(self._root, ignore_errors=True)
