"""Real plans of each environment root, offline: `terraform plan -out` + `terraform show -json`.

Each root is copied into a temp dir with two `*_override.tf` files: a local backend and
the aws provider pointed at an in-process moto server (the data sources, such as
aws_caller_identity, need an API to answer), with fake credentials. The endpoint list
is read from terraform/local/providers.tf, the one place it is kept.
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

ENVIRONMENTS = ("dev", "staging", "prod", "local")
LOCAL_PROVIDERS = ROOT / "terraform" / "local" / "providers.tf"


def provider_override(endpoint: str) -> str:
    """terraform/local's provider settings (credentials, skips, endpoints), pointed at ``endpoint``.

    The root keeps its own region and default tags: the block stops before them."""
    text = LOCAL_PROVIDERS.read_text()
    block = text[text.index('provider "aws" {') : text.index("  default_tags")]
    block = "\n".join(line for line in block.splitlines() if not line.strip().startswith("region "))
    return block.replace("var.endpoint", f'"{endpoint}"') + "\n}\n"


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
    """`terraform show -json` of the saved plan of terraform/<environment> with its tfvars."""
    source = ROOT / "terraform" / environment
    # terraform/<env>/../../modules must resolve: mirror the layout with a link to modules/
    (workdir / "modules").symlink_to(ROOT / "modules")
    copy = workdir / "terraform" / environment
    copy.mkdir(parents=True)
    for tf in source.glob("*.tf"):
        shutil.copy2(tf, copy / tf.name)
    (copy / "backend_override.tf").write_text('terraform {\n  backend "local" {}\n}\n')
    (copy / "providers_override.tf").write_text(provider_override(endpoint))
    env = {
        **os.environ,
        **terraform_env(),
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_EC2_METADATA_DISABLED": "true",
        "TF_VAR_endpoint": endpoint,  # terraform/local's own endpoint variable
    }
    tfvars = source / "tests" / f"{environment}.auto.tfvars"
    _run(["init", "-input=false", "-no-color"], copy, env)
    _run(
        [
            "plan", "-input=false", "-no-color", "-lock=false", "-out=plan.bin",
            f"-var-file={tfvars.resolve()}", f"-var=artifacts_dir={source / 'tests' / 'fixtures'}",
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
