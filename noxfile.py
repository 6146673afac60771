"""taxlake developer tasks. `nox -l` lists them; plain `nox` runs what CI runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nox

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "tools"))

from terraform_cli import terraform_env  # noqa: E402

nox.options.sessions = ["lint", "docs", "tests", "spark", "package", "terraform", "security", "integration"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True

PYTHON = "3.11"
# terraform test is mostly waiting on provider plugins: a few at once use 2 cores well
TERRAFORM_JOBS = int(os.environ.get("TAXLAKE_TERRAFORM_JOBS", "3"))
PYPROJECT = nox.project.load_toml("pyproject.toml")
MODULES = (
    sorted(p for p in (ROOT / "modules").iterdir() if (p / "main.tf").exists()) if (ROOT / "modules").exists() else []
)
# One root composes the platform; each environment is a tfvars (+ backend) file beside it.
COMPOSITION = ROOT / "terraform" / "platform"
ENVIRONMENTS = (
    sorted(p.name for p in (ROOT / "terraform").iterdir() if (p / f"{p.name}.tfvars").exists())
    if (ROOT / "terraform").exists()
    else []
)


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


def _terraform(session: nox.Session, *args: str, cwd: Path) -> None:
    with session.chdir(cwd):
        session.run("terraform", *args, external=True, env=terraform_env())


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff (lint + format), mypy, vulture (dead code), and terraform fmt."""
    # the test group too: mypy must see moto and boto3 as the code under check does
    session.install("-e", ".", *_group("lint"), *_group("test"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("vulture")  # paths and the whitelist: [tool.vulture] in pyproject.toml
    session.run(
        "terraform", "fmt", "-check", "-recursive", "-diff", "modules", "terraform", external=True, env=terraform_env()
    )


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """Each module README's Inputs/Outputs tables match its *.tf files (`python tools/tfdocs.py` rewrites them)."""
    session.install(*_group("docs"))
    session.run("python", "tools/tfdocs.py", "--check", *session.posargs)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Unit tests (no network; moto for AWS). Extra args go to pytest."""
    session.install("-e", ".", *_group("test"))
    # pytest exits 5 when it collects nothing: nox counts that as a failure
    session.run("pytest", *session.posargs)


@nox.session(python=PYTHON)
def spark(session: nox.Session) -> None:
    """PySpark tests (local[2], one session): Spark against the pyarrow paths; Delta commits (delta-rs)."""
    session.install("-e", ".", *_group("test"), *_group("glue"), *_group("delta"))
    # Py4J talks to the JVM over a local TCP socket
    session.run("pytest", "tests/spark", "--force-enable-socket", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=PYTHON)
def package(session: nox.Session) -> None:
    """Build dist/: Lambda zips, the shared layer, Glue bundle, manifest.json."""
    session.run("python", "tools/build.py", "--check-reproducible", *session.posargs)


@nox.session(python=PYTHON)
def terraform(session: nox.Session) -> None:
    """init + validate + terraform test every module and the root offline; then each environment's real plan.

    The root's plan test runs once per environment (its tfvars); the real plans are tests/terraform."""
    if not MODULES or not ENVIRONMENTS:
        session.error("no Terraform modules or environments found")
    targets = [p for p in [*MODULES, COMPOSITION] if not session.posargs or p.name in session.posargs]
    for path in targets:
        if not list((path / "tests").glob("*.tftest.hcl")):
            session.error(f"{path.relative_to(ROOT)} has no tests/*.tftest.hcl")
        # one at a time: the shared plugin cache is not safe for concurrent inits
        _terraform(session, "init", "-backend=false", "-input=false", "-no-color", cwd=path)
    env = {**os.environ, **terraform_env()}

    def commands(path: Path) -> list[list[str]]:
        if path != COMPOSITION:
            return [["validate", "-no-color"], ["test", "-no-color"]]
        tests = [p.name for p in (path / "tests").glob("*.tftest.hcl") if p.name != "plan.tftest.hcl"]
        return [
            ["validate", "-no-color"],
            *(["test", "-no-color", f"-filter=tests/{name}"] for name in sorted(tests)),
            *(
                ["test", "-no-color", "-filter=tests/plan.tftest.hcl", f"-var-file=../{e}/{e}.tfvars"]
                for e in ENVIRONMENTS
            ),
        ]

    # the commands are independent: run them side by side, report in order
    def check(job: tuple[Path, list[str]]) -> tuple[Path, int, str]:
        path, args = job
        done = subprocess.run(["terraform", *args], cwd=path, env=env, capture_output=True, text=True)
        return path, done.returncode, f"$ terraform {' '.join(args)}\n{done.stdout}{done.stderr}"

    jobs = [(path, args) for path in targets for args in commands(path)]
    with ThreadPoolExecutor(max_workers=TERRAFORM_JOBS) as pool:
        results = list(pool.map(check, jobs))
    failed = []
    for path, code, output in results:
        session.log(f"--- {path.relative_to(ROOT)}: {'ok' if code == 0 else f'FAILED ({code})'}")
        print(output, flush=True)
        if code:
            failed.append(str(path.relative_to(ROOT)))
    if failed:
        session.error(f"terraform validate/test failed in {', '.join(sorted(set(failed)))}")
    if session.posargs and COMPOSITION.name not in session.posargs:
        return
    # the real plan of each environment against an in-process moto server (no AWS calls)
    session.install(*_group("test"))
    session.run("pytest", "tests/terraform", "-p", "no:cacheprovider", "--allow-hosts=127.0.0.1", "-q")


@nox.session(python=PYTHON)
def integration(session: nox.Session) -> None:
    """Local AWS end to end: each emulator extension, then terraform/local applied, planned, exercised, destroyed."""
    # pyspark: Glue and EMR Serverless job runs execute for real (Java 17 on PATH)
    session.install("-e", ".", *_group("test"), *_group("glue"))
    session.run("python", "tools/build.py")
    # sockets are the point here: the tests talk to the emulator on 127.0.0.1
    session.run(
        "pytest", "tests/integration", "--force-enable-socket", "-p", "no:cacheprovider", "--durations=10",
        *session.posargs,
        env=terraform_env(),
    )  # fmt: skip


@nox.session(python=PYTHON)
def security(session: nox.Session) -> None:
    """checkov on modules/ and terraform/ (every skip is inline, with a reason)."""
    session.install(*_group("security"))
    for directory in ("modules", "terraform"):
        session.run(
            "checkov", "-d", directory, "--framework", "terraform", "--quiet", "--compact", "--skip-download",
            "--skip-path", r"\.terraform", *session.posargs,
        )  # fmt: skip


@nox.session(python=PYTHON, default=False)
def bench(session: nox.Session) -> None:
    """Validator vs pyarrow; Lambda vs Spark (routing); lake: compression, pruning, engines vs DuckDB."""
    # one resolve: pandera runs on the glue group's pandas pin, as Spark does
    session.install("-e", ".", *_group("bench"), *_group("glue"))
    session.run("python", "benchmarks/bench_validator.py", *session.posargs)
    session.run("python", "benchmarks/bench_routing.py", *session.posargs)
    # --size (e.g. `nox -s bench -- --size 200MB`) applies here too; the 4x Spark run needs 4x that on disk
    session.run("python", "benchmarks/bench_lake.py", *session.posargs)


@nox.session(python=PYTHON, default=False)
def mutation(session: nox.Session) -> None:
    """mutmut over taxlake.pipeline and taxlake.records.ingest against their unit tests; prints the survival rate."""
    session.install("-e", ".", *_group("test"), *_group("mutation"))
    # a fresh copy each run: mutmut's cached results would hide a change to the tests
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    # two children on a 2-core machine; extra args (e.g. mutant names) go to `mutmut run`
    jobs = os.environ.get("TAXLAKE_MUTATION_JOBS", "2")
    session.run("mutmut", "run", "--max-children", jobs, *session.posargs)
    session.run("mutmut", "export-cicd-stats")
    stats = json.loads((ROOT / "mutants" / "mutmut-cicd-stats.json").read_text())
    tested = stats["killed"] + stats["survived"] + stats["timeout"]
    rate = stats["survived"] / tested if tested else 0.0
    session.log(
        f"survival rate {rate:.1%} ({stats['survived']} survived of {tested} tested): killed {stats['killed']}, "
        f"survived {stats['survived']}, timeout {stats['timeout']}, no tests {stats['no_tests']}, "
        f"suspicious {stats['suspicious']}, skipped {stats['skipped']}, total {stats['total']}"
    )
    session.run("mutmut", "results")  # the survivors, by name: `mutmut show NAME` prints the diff


@nox.session(python=PYTHON, default=False)
def up(session: nox.Session) -> None:
    """Start the local AWS endpoint, deploy the platform, run sample data through every path."""
    # pyspark: the Glue and EMR Serverless paths run the real job (Java 17 on PATH)
    session.install("-e", ".", *_group("test"), *_group("glue"))
    session.run("python", "tools/build.py")
    session.run("python", "tools/local_up.py", "up", *session.posargs)


@nox.session(python=PYTHON, default=False, name="up-under-load")
def up_under_load(session: nox.Session) -> None:
    """`up` 3 times in a row beside 2 CPU-bound processes, each run bounded (25 min); prints time per run."""
    session.install("-e", ".", *_group("test"), *_group("glue"))
    session.run("python", "tools/build.py")
    args = session.posargs or ["--load", "2", "--repeat", "3", "--deadline", "1500"]
    session.run("python", "tools/local_up.py", "up", "--no-keep-running", *args)


@nox.session(python=PYTHON, default=False)
def down(session: nox.Session) -> None:
    """Stop the local AWS endpoint started by `nox -s up`."""
    session.install("-e", ".", *_group("test"))
    session.run("python", "tools/local_up.py", "down", *session.posargs)


@nox.session(python=False, default=False)
def clean(session: nox.Session) -> None:
    """Remove dist/, caches and Terraform working directories."""
    for path in [ROOT / "dist", ROOT / ".cache", *ROOT.glob("**/.terraform")]:
        session.log(f"rm -r {path.relative_to(ROOT)}")
        shutil.rmtree(path, ignore_errors=True)
