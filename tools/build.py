"""Build deployable artifacts into dist/, byte-for-byte reproducibly.

- dist/layers/runtime.zip  the shared Lambda layer: pyarrow, Powertools and
                           their pinned dependencies, vendored for the Lambda
                           platform (manylinux x86_64, CPython 3.12), pruned
                           of headers, tests and Arrow Flight.
- dist/lambdas/<fn>.zip    one per directory in src/lambdas: the handler
                           modules plus the taxlake package.
- dist/glue/taxlake.zip    the taxlake package for Glue ``--extra-py-files``,
  dist/glue/jobs/*.py      and the job entry points from src/glue.
- dist/manifest.json       sha256 (hex) and base64 sha256 (Terraform's
                           ``filebase64sha256``) per artifact.

Reproducible: entries sorted, timestamps fixed at 1980-01-01, permissions
normalised, no bytecode; the same source gives the same bytes, so a rebuild
with no change gives Terraform no diff.

Usage: python tools/build.py [--out dist] [--pip PIP] [--only lambdas,glue,layer]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXED_DATE = (1980, 1, 1, 0, 0, 0)
LAMBDA_PYTHON = "3.12"
LAMBDA_PLATFORMS = ("manylinux_2_28_x86_64", "manylinux2014_x86_64")
# Lambda bundles boto3/botocore; vendoring them again only adds 80 MB
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer", "urllib3", "python-dateutil", "six")
# never needed at run time, or never used by the platform (Arrow Flight RPC)
PRUNE_DIRS = ("include", "tests", "src", "__pycache__", "benchmarks")
PRUNE_SUFFIXES = (".pyx", ".pxd", ".pxi", ".h", ".hpp", ".cc", ".cpp", ".pyc", ".pyi")
PRUNE_NAME_PARTS = ("flight",)


def deterministic_zip(out: Path, files: Iterable[tuple[str, Path]]) -> Path:
    """Zip (archive name, path) pairs in name order with fixed metadata."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, path in sorted(files, key=lambda item: item[0]):
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
            executable = os.stat(path).st_mode & stat.S_IXUSR
            info.external_attr = ((0o755 if executable else 0o644) | stat.S_IFREG) << 16
            info.create_system = 3  # unix, whatever the build host
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(path, "rb") as fh:
                zf.writestr(info, fh.read(), compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    tmp.replace(out)
    return out


def tree_files(base: Path, prefix: str = "") -> Iterator[tuple[str, Path]]:
    """Every file under ``base`` except bytecode, as (prefix + relative path, path)."""
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield prefix + path.relative_to(base).as_posix(), path


def pyproject() -> dict:  # type: ignore[type-arg]
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)


def layer_requirements() -> list[str]:
    """The library's runtime pins plus the ``lambda`` group, minus the runtime's own."""
    data = pyproject()
    groups = data["dependency-groups"]
    reqs = [r for name in ("runtime", "lambda") for r in groups[name] if isinstance(r, str)]
    return sorted(r for r in reqs if not r.split("==")[0].lower().startswith(PROVIDED_BY_RUNTIME))


def _prune(site: Path) -> None:
    for path in sorted(site.rglob("*"), reverse=True):
        rel = path.relative_to(site)
        top_is_pkg = len(rel.parts) > 1
        if path.is_dir():
            if top_is_pkg and path.name in PRUNE_DIRS:
                shutil.rmtree(path)
            continue
        name = path.name
        if name.endswith(PRUNE_SUFFIXES) or (rel.parts[0] == "pyarrow" and any(p in name for p in PRUNE_NAME_PARTS)):
            path.unlink()
            continue
        # wheels can't hold symlinks, so libfoo.so, libfoo.so.N and libfoo.so.N.M.P are
        # three copies; the loader only asks for the SONAME (libfoo.so.N)
        if ".so" in name and name.startswith("lib"):
            stem, _, version = name.partition(".so")
            soname = path.with_name(f"{stem}.so.{version.lstrip('.').split('.')[0]}") if version else None
            full_copy = version.count(".") > 1 and soname is not None and soname.exists()
            dev_link = not version and any(path.parent.glob(f"{stem}.so.*"))
            if full_copy or dev_link:
                path.unlink()


def vendor_layer(pip: list[str], cache: Path) -> Path:
    """pip-install the layer's pins for the Lambda platform (cached by their hash)."""
    reqs = layer_requirements()
    key = hashlib.sha256(json.dumps([reqs, LAMBDA_PYTHON, LAMBDA_PLATFORMS, 3]).encode()).hexdigest()[:16]
    target = cache / f"layer-{key}"
    site = target / "python"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    cmd = [
        *pip, "install", "--quiet", "--no-deps", "--no-compile", "--only-binary=:all:",
        "--implementation", "cp", "--python-version", LAMBDA_PYTHON, "--target", str(site),
        *[arg for p in LAMBDA_PLATFORMS for arg in ("--platform", p)],
        *reqs,
    ]  # fmt: skip
    subprocess.run(cmd, check=True, env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    shutil.rmtree(site / "bin", ignore_errors=True)
    # RECORD lists console scripts (../../bin/...) with shebangs naming the
    # installing interpreter; they are not shipped, and keeping their hashes
    # would make the layer depend on where it was built
    for record in site.glob("*.dist-info/RECORD"):
        lines = record.read_text().splitlines(keepends=True)
        record.write_text("".join(line for line in lines if not line.startswith("../")))
    _prune(site)
    (target / ".complete").write_text("\n".join(reqs) + "\n")
    return target


def library_files(prefix: str = "") -> list[tuple[str, Path]]:
    return [(f"{prefix}taxlake/{name}", path) for name, path in tree_files(ROOT / "src" / "taxlake")]


def build_lambdas(out: Path) -> list[Path]:
    built = []
    for fn_dir in sorted(p for p in (ROOT / "src" / "lambdas").iterdir() if p.is_dir()):
        if not (fn_dir / "handler.py").exists():
            continue
        files = [(n, p) for n, p in tree_files(fn_dir) if not n.startswith("tests/")]
        built.append(deterministic_zip(out / "lambdas" / f"{fn_dir.name}.zip", files + library_files()))
    return built


def build_layer(out: Path, pip: list[str], cache: Path) -> Path:
    vendored = vendor_layer(pip, cache)
    cached_zip = vendored / "runtime.zip"  # zipping 130 MB takes ~20 s: do it once per pin set
    if not cached_zip.exists():
        deterministic_zip(cached_zip, tree_files(vendored / "python", "python/"))
    dest = out / "layers" / "runtime.zip"
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached_zip, dest)
    return dest


def build_glue(out: Path) -> list[Path]:
    built = [deterministic_zip(out / "glue" / "taxlake.zip", library_files())]
    jobs = sorted((ROOT / "src" / "glue").glob("*.py"))
    for job in jobs:
        dest = out / "glue" / "jobs" / job.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(job, dest)
        built.append(dest)
    return built


def sha256_file(path: Path) -> tuple[str, str]:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest(), base64.b64encode(digest.digest()).decode()


def write_manifest(out: Path) -> Path:
    artifacts = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "manifest.json"):
        hexdigest, b64 = sha256_file(path)
        artifacts[path.relative_to(out).as_posix()] = {
            "sha256": hexdigest,
            "base64sha256": b64,
            "bytes": path.stat().st_size,
        }
    manifest = out / "manifest.json"
    manifest.write_text(json.dumps({"artifacts": artifacts}, indent=2, sort_keys=True) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "build")
    parser.add_argument("--pip", default=f"{sys.executable} -m pip", help="pip command used to vendor the layer")
    parser.add_argument("--only", default="layer,lambdas,glue", help="comma-separated subset")
    parser.add_argument(
        "--check-reproducible", action="store_true", help="rebuild lambdas and glue elsewhere; fail on any byte change"
    )
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    if not parts <= {"layer", "lambdas", "glue"}:
        parser.error(f"--only takes layer, lambdas, glue; got {args.only}")
    out: Path = args.out
    for part in parts:  # stale artifacts must not linger in the manifest
        shutil.rmtree(out / {"layer": "layers", "lambdas": "lambdas", "glue": "glue"}[part], ignore_errors=True)
    if "layer" in parts:
        build_layer(out, args.pip.split(), args.cache)
    if "lambdas" in parts:
        build_lambdas(out)
    if "glue" in parts:
        build_glue(out)
    manifest = write_manifest(out)
    artifacts = json.loads(manifest.read_text())["artifacts"]
    for name, meta in artifacts.items():
        print(f"{meta['sha256'][:16]}  {meta['bytes']:>11,}  {name}")
    if args.check_reproducible:
        with tempfile.TemporaryDirectory() as tmp:
            again = Path(tmp)
            build_lambdas(again)
            build_glue(again)
            rebuilt = json.loads(write_manifest(again).read_text())["artifacts"]
        differ = sorted(n for n, meta in rebuilt.items() if artifacts.get(n, {}).get("sha256") != meta["sha256"])
        if differ:
            print(f"NOT reproducible: {', '.join(differ)}", file=sys.stderr)
            return 1
        print(f"reproducible: {len(rebuilt)} artifacts rebuilt byte-for-byte")
    return 0


if __name__ == "__main__":
    sys.exit(main())
