"""The local harness (tools/local_platform.py, tools/local_up.py): failures say why, earlier runs are cleaned up."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import local_platform  # noqa: E402
import local_up  # noqa: E402


@pytest.fixture
def fake_terraform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `terraform` on PATH that fails the way the provider does: its error on stderr, exit 1."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "terraform"
    script.write_text(
        "#!/bin/sh\necho 'aws_lambda_function.this: Still creating... [10s elapsed]'\n"
        "printf 'noise\\nError: creating Lambda Function (taxlake-local-pipeline-process): "
        "ResourceConflictException: Function already exist\\n' >&2\nexit 1\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return script


def test_a_failed_apply_raises_terraforms_own_error_with_its_log_and_the_emulators_tail(
    tmp_path: Path, fake_terraform: Path
) -> None:
    emulator_log = tmp_path / "localaws.log"
    emulator_log.write_text("".join(f"line {i}\n" for i in range(40)) + "POST /2015-03-31/functions 409\n")
    tf = local_platform.Terraform("http://127.0.0.1:1", tmp_path / "tf", emulator_log=emulator_log)
    with pytest.raises(local_platform.StepFailed) as failed:
        tf.apply()
    text = str(failed.value)
    assert "terraform apply" in text and "exit 1" in text
    assert "Error: creating Lambda Function" in text  # the tool's own words, not a CalledProcessError
    assert "POST /2015-03-31/functions 409" in text and "line 39" in text and "line 1\n" not in text
    log = tmp_path / "tf" / "logs" / "terraform-apply.log"
    assert f"full log: {log}" in text and "Still creating" in log.read_text()
    assert "next: run `nox -s up` again" in text


def test_a_failed_plan_and_destroy_say_which_command_failed(tmp_path: Path, fake_terraform: Path) -> None:
    tf = local_platform.Terraform("http://127.0.0.1:1", tmp_path / "tf")
    with pytest.raises(local_platform.StepFailed, match="terraform plan"):
        tf.plan_changes()
    with pytest.raises(local_platform.StepFailed, match="terraform destroy"):
        tf.run("destroy", capture=True)


def test_tail_keeps_the_last_non_empty_lines() -> None:
    assert local_platform.tail("a\n\nb\nc\n\n", 2) == "b\nc"


def test_leftovers_of_an_earlier_run_are_found_and_stopped(tmp_path: Path) -> None:
    state = tmp_path / "state"
    (state / "glue" / "run-1").mkdir(parents=True)
    # a Spark driver of a killed run: its own session, working under the state dir
    orphan = subprocess.Popen(["sleep", "60"], cwd=state / "glue" / "run-1", start_new_session=True)
    # and a process of another checkout that must be left alone
    other = subprocess.Popen(["sleep", "60"], cwd=tmp_path, start_new_session=True)
    try:
        assert orphan.pid in local_platform.leftovers(state)
        assert other.pid not in local_platform.leftovers(state)
        emulator = local_platform.Emulator(port=_unused_port(), state=state)
        assert orphan.pid in emulator.recover()
        assert orphan.wait(timeout=10) is not None
        assert other.poll() is None
    finally:
        for proc in (orphan, other):
            proc.kill()
            proc.wait()


def _unused_port() -> int:
    # no socket (unit tests run without network): a port from the top of the range that nothing here binds
    return 65_000 + os.getpid() % 500


def test_a_run_that_fails_prints_the_step_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_up, "STATE", tmp_path)

    def failing() -> bool:
        raise local_platform.StepFailed("terraform apply (terraform/local, exit 1)", "Error: boom")

    assert local_up.guarded(failing, deadline=0) is False
    err = capsys.readouterr().err
    assert "terraform apply (terraform/local, exit 1) failed" in err and "Error: boom" in err
    assert "Traceback" not in err


def test_a_harness_bug_is_reported_with_where_its_traceback_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_up, "STATE", tmp_path)

    def buggy() -> bool:
        raise KeyError("landing_bucket_name")

    assert local_up.guarded(buggy, deadline=0) is False
    err = capsys.readouterr().err
    assert "KeyError: 'landing_bucket_name'" in err and "Traceback" not in err
    assert "KeyError" in (tmp_path / "logs" / "up-traceback.log").read_text()


def test_a_run_over_its_deadline_fails_with_the_deadline_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(local_up, "STATE", tmp_path)

    def slow() -> bool:
        time.sleep(5)
        return True

    started = time.monotonic()
    assert local_up.guarded(slow, deadline=0.3) is False
    assert time.monotonic() - started < 3
    assert "longer than its deadline of 0s" in capsys.readouterr().err


def test_busy_runs_the_cpu_bound_processes_only_while_inside() -> None:
    before = set(_burners())
    with local_up.busy(2):
        during = set(_burners()) - before
        assert len(during) == 2
    assert not (set(_burners()) & during)


def _burners() -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                stat = (entry / "stat").read_text().split()
            except OSError:
                continue
            # a zombie is no longer running
            if b"while True: pass" in cmdline and stat[2] != "Z" and int(stat[3]) == os.getpid():
                out.append(int(entry.name))
    return out


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, None),
        ({"TAXLAKE_ENDPOINT": "http://127.0.0.1:4570"}, "http://127.0.0.1:4570"),
        ({"LOCALSTACK_HOST": "127.0.0.1:4599"}, "http://127.0.0.1:4599"),
        ({"AWS_ENDPOINT_URL": "http://127.0.0.1:4598"}, "http://127.0.0.1:4598"),
    ],
)
def test_an_endpoint_the_user_started_is_found_as_localstack_client_reads_it(
    env: dict[str, str], expected: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("TAXLAKE_ENDPOINT", "LOCALSTACK_HOST", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert local_platform.external_endpoint() == expected


def test_clients_point_every_service_at_the_given_endpoint_and_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    made = local_platform.clients("http://127.0.0.1:4597", names=("s3", "stepfunctions", "emr-serverless"))
    assert {c.meta.endpoint_url for c in made.values()} == {"http://127.0.0.1:4597"}
    assert {c.meta.region_name for c in made.values()} == {local_platform.REGION}


def test_the_state_bucket_is_the_one_the_backend_file_names(tmp_path: Path) -> None:
    assert local_platform.state_bucket() == "taxlake-local-tfstate"
    empty = tmp_path / "x.s3.tfbackend"
    empty.write_text('key = "k"\n')
    with pytest.raises(local_platform.StepFailed, match="reading the state bucket"):
        local_platform.state_bucket(empty)
