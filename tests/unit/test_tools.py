"""Build and Terraform harness helpers in tools/."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

import build  # noqa: E402
import terraform_cli  # noqa: E402


def test_deterministic_zip_ignores_mtime_and_order(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "pkg").mkdir(parents=True)
    (src / "pkg" / "b.py").write_text("b = 1\n")
    (src / "a.py").write_text("a = 1\n")
    (src / "run.sh").write_text("#!/bin/sh\n")
    (src / "run.sh").chmod(0o775)
    first = build.deterministic_zip(tmp_path / "one.zip", build.tree_files(src)).read_bytes()
    import os

    os.utime(src / "a.py", (1_700_000_000, 1_700_000_000))
    second = build.deterministic_zip(tmp_path / "two.zip", reversed(list(build.tree_files(src)))).read_bytes()
    assert first == second
    with zipfile.ZipFile(tmp_path / "one.zip") as zf:
        infos = zf.infolist()
    assert [i.filename for i in infos] == ["a.py", "pkg/b.py", "run.sh"]
    assert {i.date_time for i in infos} == {build.FIXED_DATE}
    assert [(i.external_attr >> 16) & 0o777 for i in infos] == [0o644, 0o644, 0o755]


def test_lambda_and_glue_bundles_are_reproducible(tmp_path: Path) -> None:
    build.build_lambdas(tmp_path / "a")
    build.build_glue(tmp_path / "a")
    build.build_lambdas(tmp_path / "b")
    build.build_glue(tmp_path / "b")
    ma = json.loads(build.write_manifest(tmp_path / "a").read_text())
    mb = json.loads(build.write_manifest(tmp_path / "b").read_text())
    assert ma == mb
    assert "lambdas/validator.zip" in ma["artifacts"]
    with zipfile.ZipFile(tmp_path / "a" / "lambdas" / "validator.zip") as zf:
        names = zf.namelist()
    assert "handler.py" in names and "taxlake/records/validation.py" in names
    assert not any(n.endswith(".pyc") for n in names)


def test_runtime_group_is_pinned_as_the_project_dependencies() -> None:
    data = build.pyproject()
    assert set(data["dependency-groups"]["runtime"]) <= set(data["project"]["dependencies"])


def test_layer_requirements_are_pinned_and_exclude_the_runtime_sdk() -> None:
    reqs = build.layer_requirements()
    assert all("==" in r for r in reqs)
    assert any(r.startswith("pyarrow==") for r in reqs)
    assert not any(r.startswith(("boto3", "botocore")) for r in reqs)


def test_prune_keeps_sonames_and_drops_copies_and_flight(tmp_path: Path) -> None:
    pa_dir = tmp_path / "pyarrow"
    (pa_dir / "include").mkdir(parents=True)
    for name in [
        "libarrow.so",
        "libarrow.so.2600",
        "libarrow.so.2600.1.0",
        "_flight.so",
        "lib.so",
        "x.pyx",
        "include/a.h",
        "__init__.py",
    ]:
        (pa_dir / name).write_text("x")
    build._prune(tmp_path)
    assert sorted(p.name for p in pa_dir.iterdir()) == ["__init__.py", "lib.so", "libarrow.so.2600"]


def test_cli_config_uses_the_mirror_when_present(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "registry.terraform.io" / "hashicorp" / "aws").mkdir(parents=True)
    monkeypatch.setenv("TAXLAKE_TF_MIRROR", str(mirror))
    text = terraform_cli.write_cli_config(tmp_path / "rc").read_text()
    assert f'path    = "{mirror}"' in text
    assert 'exclude = ["registry.terraform.io/hashicorp/*"]' in text


def test_cli_config_falls_back_to_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TAXLAKE_TF_MIRROR", raising=False)
    monkeypatch.setattr(terraform_cli, "CANDIDATES", (str(tmp_path / "nothing"),))
    text = terraform_cli.write_cli_config(tmp_path / "rc").read_text()
    assert "provider_installation" not in text


def test_bad_mirror_override_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TAXLAKE_TF_MIRROR", str(tmp_path))
    with pytest.raises(SystemExit, match="holds no"):
        terraform_cli.find_mirror()
