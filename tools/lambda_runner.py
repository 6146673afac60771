"""Run a packaged Lambda zip locally, the way the Lambda service would.

The function zip and its layers are unpacked into a work directory
(``/var/task`` and ``/opt/python`` in AWS), and a worker process is started
with the function's Python, its environment and ``sys.path``; it stays warm
and handles invocations one at a time, reading one JSON event per line on
stdin and writing one JSON result per line on stdout, like a warm execution
environment. Timeouts are enforced per invocation by the parent.

Used by ``nox -s up`` (through tools/local_up.py) while the emulator lacks
Lambda execution without Docker.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# the worker: import the handler once (cold start), then serve invocations
WORKER = r"""
import importlib, io, json, os, sys, time, traceback, contextlib
module_name, func_name = os.environ["_HANDLER"].rsplit(".", 1)

class Context:
    def __init__(self, request_id, deadline_ms):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = int(os.environ["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
        self.invoked_function_arn = os.environ["_FUNCTION_ARN"]
        self.aws_request_id = request_id
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms
    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

out = sys.stdout
sys.stdout = sys.stderr  # the function's prints and logs go to the log stream
handler = getattr(importlib.import_module(module_name), func_name)
out.write(json.dumps({"ready": True}) + "\n"); out.flush()
for line in sys.stdin:
    request = json.loads(line)
    ctx = Context(request["request_id"], request["deadline_ms"])
    try:
        result = {"ok": True, "payload": handler(request["event"], ctx)}
    except Exception as exc:
        result = {"ok": False, "errorType": type(exc).__name__, "errorMessage": str(exc),
                  "stackTrace": traceback.format_exc().splitlines()}
    out.write(json.dumps(result, default=str) + "\n"); out.flush()
"""


# what the python3.12 Lambda runtime ships besides the standard library
RUNTIME_SDK = ("boto3==1.44.8",)


def runtime_sdk(version: str, cache: Path) -> Path:
    """boto3 for the runtime's Python, as /var/runtime provides it in AWS (cached)."""
    target = cache / f"runtime-sdk-py{version}-{'-'.join(RUNTIME_SDK).replace('==', '')}"
    if not (target / ".complete").exists():
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--target", str(target), "--only-binary=:all:",
             "--python-version", version, "--implementation", "cp", *RUNTIME_SDK],
            check=True,
        )  # fmt: skip
        (target / ".complete").write_text("\n".join(RUNTIME_SDK))
    return target


def _unzip(zip_path: Path, dest: Path) -> None:
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(dest)


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


@dataclass
class LocalFunction:
    """One function: its code, layers, settings; a warm worker once invoked."""

    name: str
    zip_path: Path
    layer_paths: list[Path]
    handler: str = "handler.lambda_handler"
    runtime: str = "python3.12"
    environment: dict[str, str] = field(default_factory=dict)
    timeout_seconds: int = 900
    memory_mb: int = 1024
    workdir: Path = Path(".local/lambda")
    log_path: Path | None = None
    _proc: subprocess.Popen[str] | None = None

    def _prepare(self) -> tuple[Path, Path]:
        root = self.workdir / self.name
        shutil.rmtree(root, ignore_errors=True)
        task, opt = root / "task", root / "opt"
        _unzip(self.zip_path, task)
        for layer in self.layer_paths:  # later layers win, as in Lambda
            _unzip(layer, opt)
        return task, opt

    def _start(self) -> subprocess.Popen[str]:
        task, opt = self._prepare()
        version = self.runtime.removeprefix("python")
        python = find_python(version)
        if python:
            # Lambda's order: /var/task, then layers (/opt/python), then the runtime's SDK
            path = [task, opt / "python", runtime_sdk(version, self.workdir)]
        else:
            # the layer's compiled wheels are for the runtime's Python: without it, run
            # the function's own code on this interpreter and its installed packages
            print(f"note: python{version} not found; running {self.name} on {sys.version.split()[0]}", file=sys.stderr)
            python, path = sys.executable, [task]
        region = os.environ.get("AWS_REGION", "ap-southeast-2")
        env = {
            **{k: v for k, v in os.environ.items() if k.startswith(("AWS_", "PATH", "HOME", "LANG"))},
            **self.environment,
            "_HANDLER": self.handler,
            "_FUNCTION_ARN": f"arn:aws:lambda:{region}:123456789012:function:{self.name}",
            "AWS_LAMBDA_FUNCTION_NAME": self.name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.memory_mb),
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{self.runtime}",
            "LAMBDA_TASK_ROOT": str(task.resolve()),
            "PYTHONPATH": os.pathsep.join(str(p.resolve()) for p in path),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        log = open(self.log_path, "a") if self.log_path else subprocess.DEVNULL  # noqa: SIM115 - lives with the worker
        proc = subprocess.Popen(
            [python, "-c", WORKER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
            env=env,
        )
        ready = self._read(proc, timeout=60)
        if not ready.get("ready"):
            raise RuntimeError(f"{self.name}: worker failed to start (see {self.log_path})")
        return proc

    @staticmethod
    def _read(proc: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], timeout)
        if not ready:
            proc.kill()
            return {"ok": False, "errorType": "Timeout", "errorMessage": f"timed out after {timeout:.0f} s"}
        line = proc.stdout.readline()
        if not line:
            return {"ok": False, "errorType": "Runtime.ExitError", "errorMessage": f"exit {proc.wait()}"}
        result: dict[str, Any] = json.loads(line)
        return result

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """Invoke synchronously; a timeout kills the worker (the next call cold-starts)."""
        if self._proc is None or self._proc.poll() is not None:
            self._proc = self._start()
        assert self._proc.stdin is not None
        deadline_ms = time.time() * 1000 + self.timeout_seconds * 1000
        request = {"event": event, "request_id": str(uuid.uuid4()), "deadline_ms": deadline_ms}
        self._proc.stdin.write(json.dumps(request) + "\n")
        self._proc.stdin.flush()
        result = self._read(self._proc, timeout=self.timeout_seconds)
        if result.get("errorType") in {"Timeout", "Runtime.ExitError"}:
            self._proc = None
        return result

    def close(self) -> None:
        if self._proc and self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
        self._proc = None
