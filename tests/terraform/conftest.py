"""Real plans of each environment, offline: `terraform plan -out` + `terraform show -json`.

The one root (terraform/platform) is copied into a temp dir with a `backend_override.tf`
(a local backend) and planned with each environment's tfvars, its provider pointed at an
in-process moto server through the root's own `endpoint` variable (the data sources, such
as aws_caller_identity, need an API to answer).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from terraform_cli import terraform_env  # noqa: E402

COMPOSITION = ROOT / "terraform" / "platform"
ENVIRONMENTS = ("dev", "staging", "prod", "local")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(["terraform", *args], cwd=cwd, env=env, capture_output=True, text=True)
    if done.returncode:
        raise AssertionError(f"terraform {args[0]} failed in {cwd}:\n{done.stdout[-3000:]}{done.stderr[-6000:]}")
    return done.stdout


def real_plan(environment: str, endpoint: str, workdir: Path) -> dict[str, Any]:
    """`terraform show -json` of the saved plan of terraform/platform with <environment>.tfvars."""
    # terraform/platform/../../modules must resolve: mirror the layout with a link to modules/
    (workdir / "modules").symlink_to(ROOT / "modules")
    copy = workdir / "terraform" / COMPOSITION.name
    copy.mkdir(parents=True)
    for tf in COMPOSITION.glob("*.tf"):
        shutil.copy2(tf, copy / tf.name)
    (copy / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    env = {
        **os.environ,
        **terraform_env(),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    tfvars = ROOT / "terraform" / environment / f"{environment}.tfvars"
    _run(["init", "-input=false", "-no-color"], copy, env)
    _run(
        [
            "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin",
            f"-var-file={tfvars}", f"-var=endpoint={endpoint}",
            f"-var=artifacts_dir={COMPOSITION / 'tests' / 'fixtures'}",
        ],
        copy, env,
    )  # fmt: skip
    plan: dict[str, Any] = json.loads(_run(["show", "-json", "plan.bin"], copy, env))
    return plan


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def plan(
    request: pytest.FixtureRequest, moto_endpoint: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    environment: str = request.param
    return {"environment": environment, **real_plan(environment, moto_endpoint, tmp_path_factory.mktemp(environment))}
