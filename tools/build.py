"""Build deployable artifacts into dist/, byte-for-byte reproducibly.

- dist/layers/runtime.zip  the shared Lambda layer: pyarrow, Powertools and
                           their pinned dependencies, vendored for the Lambda
                           platform (manylinux x86_64, CPython 3.12), pruned
                           of headers, tests and Arrow Flight.
- dist/lambdas/<fn>.zip    one per directory in src/lambdas: the handler
                           modules plus the taxlake modules they import
                           (transitively), with their bytecode.
- dist/glue/taxlake.zip    the taxlake modules the Glue/EMR jobs import, for
  dist/glue/jobs/*.py      ``--extra-py-files``, and the job entry points
                           from src/glue.
- dist/manifest.json       sha256 (hex) and base64 sha256 (Terraform's
                           ``filebase64sha256``) per artifact.

What ships is the import closure of the entry points, read with ``ast`` (lazy
imports inside functions count): the developer tools (``taxlake.asl``, the
sample generator, the CLI) are never reached, and the build fails if they are.

Bytecode: the Lambda zips carry PEP 552 unchecked-hash ``.pyc`` files in
``__pycache__/`` (what the importer looks for in an unpacked /var/task, which
is read-only, so the runtime could never cache them itself), compiled by a
CPython 3.12 like the Lambda runtime (``--python``, else python3.12 on PATH
or under pyenv), hash seed fixed. The Glue zip stays source only: zipimport
never reads ``__pycache__/``, and Glue 5 runs Python 3.11.

Reproducible: entries sorted, timestamps fixed at 1980-01-01, permissions
normalised, bytecode compiled with the archive's own paths; the same source
gives the same bytes, so a rebuild with no change gives Terraform no diff.

Usage: python tools/build.py [--out dist] [--pip PIP] [--only lambdas,glue,layer]
       [--python PYTHON3.12 | --no-bytecode]
"""

from __future__ import annotations

import argparse
import ast
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
SRC = ROOT / "src"
# developer tools: never shipped (the build fails if an entry point reaches one)
DEV_ONLY = ("taxlake.asl", "taxlake.generate", "taxlake.cli")


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


def _module_path(module: str) -> Path | None:
    """The file of a taxlake module or package under src, if there is one."""
    base = SRC.joinpath(*module.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def _imports(path: Path) -> Iterator[tuple[str, bool]]:
    """(module, required) for every import in the file, nested ones included; for
    ``from m import n`` also ``m.n``, not required (``n`` may be a name, not a submodule)."""
    parts = path.relative_to(SRC).with_suffix("").parts if path.is_relative_to(SRC) else ()
    package = list(parts if path.name == "__init__.py" else parts[:-1])
    if package[-1:] == ["__init__"]:
        package.pop()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from ((alias.name, True) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            yield module, True
            yield from ((f"{module}.{alias.name}", False) for alias in node.names)


def import_closure(entry_points: Iterable[Path]) -> list[Path]:
    """Every taxlake file the entry points import, transitively, with the ``__init__.py``
    of each package on the way (sorted). SystemExit if a developer tool is reached."""
    todo, seen, found = list(entry_points), set(), set()
    reached: dict[str, Path] = {}
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for module, required in _imports(path):
            if module != "taxlake" and not module.startswith("taxlake."):
                continue
            parts = module.split(".")
            target = _module_path(module)
            if target is None:
                if required:
                    raise SystemExit(f"{path}: imports {module}, which is not in src/")
                continue
            for i in range(1, len(parts) + 1):
                name = ".".join(parts[:i])
                file = _module_path(name)
                if file is not None and file not in found:
                    found.add(file)
                    todo.append(file)
                    reached.setdefault(name, path)
    for name, by in sorted(reached.items()):
        if any(name == tool or name.startswith(tool + ".") for tool in DEV_ONLY):
            raise SystemExit(f"{name} is a developer tool, yet {by} imports it: it would ship")
    return sorted(found)


def library_files(entry_points: Iterable[Path]) -> list[tuple[str, Path]]:
    """The taxlake files the entry points need, as (archive name, path)."""
    return [(path.relative_to(SRC).as_posix(), path) for path in import_closure(entry_points)]


def find_python(version: str = LAMBDA_PYTHON) -> str | None:
    """A CPython ``version`` interpreter: python<version> on PATH, else the newest under pyenv."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    candidates = [shutil.which(f"python{version}")]
    candidates += [str(p) for p in sorted(pyenv.glob(f"versions/{version}.*/bin/python{version}"), reverse=True)]
    for candidate in (c for c in candidates if c):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.implementation.name)"],
            capture_output=True,
            text=True,
            check=False,
        )
        if probe.returncode == 0 and probe.stdout.split() == [version, "cpython"]:
            return candidate
    return None


COMPILE = """
import importlib.util, json, py_compile, sys
for source, name, out in json.load(sys.stdin):
    cache = importlib.util.cache_from_source(name)
    dest = out + "/" + cache
    py_compile.compile(source, cfile=dest, dfile=name, doraise=True,
                       invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
    print(cache)
"""


def compile_bytecode(files: list[tuple[str, Path]], python: str, dest: Path) -> list[tuple[str, Path]]:
    """Unchecked-hash .pyc of each .py (archive name -> ``__pycache__/<name>.<tag>.pyc``), by
    ``python`` in one fresh process with a fixed hash seed, so sets in constants marshal the same;
    the code objects name the archive path, never the build host's."""
    sources = sorted((name, path) for name, path in files if name.endswith(".py"))
    jobs = [(str(path), name, str(dest)) for name, path in sources]
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [python, "-s", "-c", COMPILE], input=json.dumps(jobs), capture_output=True, text=True, check=True, env=env
    )
    return [(cache, dest / cache) for cache in done.stdout.split()]


def build_lambdas(out: Path, python: str | None = None) -> list[Path]:
    """One zip per handler directory; with ``python`` (a CPython 3.12), bytecode too."""
    built = []
    for fn_dir in sorted(p for p in (SRC / "lambdas").iterdir() if p.is_dir()):
        if not (fn_dir / "handler.py").exists():
            continue
        files = [(n, p) for n, p in tree_files(fn_dir) if not n.startswith("tests/")]
        files += library_files(p for n, p in files if n.endswith(".py"))
        with tempfile.TemporaryDirectory() as tmp:
            if python:
                files += compile_bytecode(files, python, Path(tmp))
            built.append(deterministic_zip(out / "lambdas" / f"{fn_dir.name}.zip", files))
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
    jobs = sorted((SRC / "glue").glob("*.py"))
    built = [deterministic_zip(out / "glue" / "taxlake.zip", library_files(jobs))]
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
    parser.add_argument("--python", help=f"CPython {LAMBDA_PYTHON} that compiles the Lambda bytecode (default: found)")
    parser.add_argument("--no-bytecode", action="store_true", help="Lambda zips without .pyc (source only)")
    parser.add_argument(
        "--check-reproducible", action="store_true", help="rebuild lambdas and glue elsewhere; fail on any byte change"
    )
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    if not parts <= {"layer", "lambdas", "glue"}:
        parser.error(f"--only takes layer, lambdas, glue; got {args.only}")
    out: Path = args.out
    python: str | None = None
    if "lambdas" in parts and not args.no_bytecode:
        python = args.python or find_python()
        if python is None:
            parser.error(f"no CPython {LAMBDA_PYTHON} for the Lambda bytecode: pass --python, or --no-bytecode")
    for part in parts:  # stale artifacts must not linger in the manifest
        shutil.rmtree(out / {"layer": "layers", "lambdas": "lambdas", "glue": "glue"}[part], ignore_errors=True)
    if "layer" in parts:
        build_layer(out, args.pip.split(), args.cache)
    if "lambdas" in parts:
        build_lambdas(out, python)
    if "glue" in parts:
        build_glue(out)
    manifest = write_manifest(out)
    artifacts = json.loads(manifest.read_text())["artifacts"]
    for name, meta in artifacts.items():
        print(f"{meta['sha256'][:16]}  {meta['bytes']:>11,}  {name}")
    if args.check_reproducible:
        with tempfile.TemporaryDirectory() as tmp:
            again = Path(tmp)
            build_lambdas(again, python)
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
