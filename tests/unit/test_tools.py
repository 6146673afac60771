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


LAMBDA_PYTHON = build.find_python()


def zip_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def test_lambda_and_glue_bundles_are_reproducible(tmp_path: Path) -> None:
    # two builds, the bytecode compiled afresh each time (when a CPython 3.12 is here)
    for out in ("a", "b"):
        build.build_lambdas(tmp_path / out, LAMBDA_PYTHON)
        build.build_glue(tmp_path / out)
    ma = json.loads(build.write_manifest(tmp_path / "a").read_text())
    mb = json.loads(build.write_manifest(tmp_path / "b").read_text())
    assert ma == mb
    assert {"lambdas/validator.zip", "lambdas/pipeline.zip", "glue/taxlake.zip"} <= set(ma["artifacts"])
    for name in ma["artifacts"]:
        if name.endswith(".zip"):
            assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    names = zip_names(tmp_path / "a" / "lambdas" / "validator.zip")
    assert "handler.py" in names and "taxlake/records/validation.py" in names


def test_bundles_carry_what_their_entry_points_import_and_no_developer_tool(tmp_path: Path) -> None:
    build.build_lambdas(tmp_path, None)
    build.build_glue(tmp_path)
    zips = {
        name: zip_names(tmp_path / name)
        for name in ("lambdas/validator.zip", "lambdas/pipeline.zip", "glue/taxlake.zip")
    }
    for name, names in zips.items():
        sources = [n for n in names if n.startswith("taxlake/")]
        assert not [n for n in sources if n.startswith(("taxlake/asl/", "taxlake/generate.py", "taxlake/cli.py"))], name
        # every package on the way is a package in the zip
        for n in sources:
            parts = n.split("/")
            for i in range(1, len(parts)):
                assert "/".join([*parts[:i], "__init__.py"]) in names, (name, n)
        for n in (n for n in sources if n.endswith(".py")):
            assert "jsonschema" not in (ROOT / "src" / n).read_text(), (name, n)
    assert "taxlake/pipeline/fraud.py" not in zips["lambdas/validator.zip"]
    assert "taxlake/spark/curate.py" in zips["glue/taxlake.zip"]
    assert not any(n.startswith(("taxlake/pipeline/", "taxlake/spark/")) for n in zips["lambdas/validator.zip"])
    assert not any(n.endswith(".pyc") for names in zips.values() for n in names)


@pytest.mark.skipif(LAMBDA_PYTHON is None, reason="no CPython 3.12 (the Lambda runtime) to compile with")
def test_lambda_bytecode_is_unchecked_hash_pyc_for_every_module(tmp_path: Path) -> None:
    build.build_lambdas(tmp_path, LAMBDA_PYTHON)
    with zipfile.ZipFile(tmp_path / "lambdas" / "pipeline.zip") as zf:
        names = zf.namelist()
        sources = [n for n in names if n.endswith(".py")]
        assert sorted(n for n in names if n.endswith(".pyc")) == sorted(
            f"{n.rpartition('/')[0] + '/' if '/' in n else ''}__pycache__/{n.rpartition('/')[2][:-3]}.cpython-312.pyc"
            for n in sources
        )
        header = zf.read("taxlake/pipeline/__pycache__/settings.cpython-312.pyc")[:16]
        blobs = [zf.read(n) for n in names if n.endswith(".pyc")]
    assert int.from_bytes(header[4:8], "little") == 0b01  # PEP 552: hash-based, source not checked
    # the code objects name the archive's paths, not the build host's
    assert not any(str(ROOT).encode() in blob or str(tmp_path).encode() in blob for blob in blobs)


def test_a_developer_tool_reached_from_an_entry_point_fails_the_build(tmp_path: Path) -> None:
    entry = tmp_path / "job.py"
    entry.write_text("def main():\n    from taxlake.generate import write_sample\n")
    with pytest.raises(SystemExit, match=r"taxlake\.generate is a developer tool"):
        build.import_closure([entry])
    entry.write_text("from taxlake.records import checks, schemas\nfrom taxlake import __version__\n")
    assert [p.relative_to(ROOT / "src").as_posix() for p in build.import_closure([entry])] == [
        "taxlake/__init__.py",
        "taxlake/records/__init__.py",
        "taxlake/records/checks.py",
        "taxlake/records/schemas.py",
    ]


def test_runtime_group_is_pinned_as_the_project_dependencies() -> None:
    data = build.pyproject()
    assert set(data["dependency-groups"]["runtime"]) <= set(data["project"]["dependencies"])
    # the ASL tools' schema validator is a developer dependency, never a runtime one
    assert not any(r.startswith("jsonschema") for r in data["project"]["dependencies"])


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
