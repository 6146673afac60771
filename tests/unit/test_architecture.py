"""The package's boundaries, read from the source with ``ast`` (nothing is imported).

- A private name (``_x``) is private to its package: ``from taxlake.a.b import _x`` is
  refused unless the importer lives in package ``taxlake.a`` too.
- boto3/botocore are imported by ``taxlake.adapters`` only, so the domain code runs
  (and is tested) without AWS; the Lambda handlers reach AWS through the adapters too.
  The Glue/EMR job entry points (src/glue) are not scanned: they are scripts outside the
  library that build their own clients (one per Spark executor).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
LIBRARY = SRC / "taxlake"
AWS_SDK = ("boto3", "botocore")
ADAPTERS = "taxlake.adapters"


def module_name(path: Path, src: Path = SRC) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def package_of(module: str, src: Path = SRC) -> str:
    """A package is its own package; a module's is its parent."""
    path = src.joinpath(*module.split("."))
    return module if path.is_dir() else module.rpartition(".")[0]


def absolute(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    base = base[: len(base) - node.level + (1 if is_package else 0)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports(path: Path, src: Path = SRC) -> Iterator[tuple[int, str, list[str]]]:
    """(line, imported module, names) for every import in the file, nested ones included."""
    importer, is_package = module_name(path, src), path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            yield node.lineno, absolute(node, importer, is_package), [a.name for a in node.names]


def library_files() -> list[Path]:
    return sorted(LIBRARY.rglob("*.py"))


def private_imports_across_packages(files: list[Path], src: Path = SRC) -> list[str]:
    found = []
    for path in files:
        importer_package = package_of(module_name(path, src), src)
        for line, module, names in imports(path, src):
            if module != "taxlake" and not module.startswith("taxlake."):
                continue
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            if private and package_of(module, src) != importer_package:
                found.append(f"{path.relative_to(src)}:{line}: from {module} import {', '.join(private)}")
    return found


def aws_sdk_imports(files: list[Path], src: Path = SRC) -> list[str]:
    found = []
    for path in files:
        name = module_name(path, src)
        if name == ADAPTERS or name.startswith(ADAPTERS + "."):
            continue
        for line, module, _names in imports(path, src):
            if module.split(".")[0] in AWS_SDK:
                found.append(f"{path.relative_to(src)}:{line}: import {module}")
    return found


def test_the_checks_find_what_they_look_for(tmp_path: Path) -> None:
    for name in ("taxlake/__init__.py", "taxlake/one/__init__.py", "taxlake/one/a.py", "taxlake/one/b.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("")
    (tmp_path / "taxlake/two.py").write_text(
        "from taxlake.one.a import _near, public\nfrom .one import _pkg\n"
        "def lazy():\n    import boto3\n    from botocore.config import Config\n"
    )
    (tmp_path / "taxlake/one/b.py").write_text("from taxlake.one.a import _sibling\nfrom . import _own\n")
    files = sorted((tmp_path / "taxlake").rglob("*.py"))
    assert private_imports_across_packages(files, tmp_path) == [
        "taxlake/two.py:1: from taxlake.one.a import _near",
        "taxlake/two.py:2: from taxlake.one import _pkg",
    ]
    assert aws_sdk_imports(files, tmp_path) == [
        "taxlake/two.py:4: import boto3",
        "taxlake/two.py:5: import botocore.config",
    ]


def test_no_private_name_is_imported_from_another_package() -> None:
    assert private_imports_across_packages(library_files()) == []


def test_only_the_adapters_import_the_aws_sdk() -> None:
    handlers = sorted((SRC / "lambdas").rglob("*.py"))
    assert handlers
    assert aws_sdk_imports([*library_files(), *handlers]) == []
