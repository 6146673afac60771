"""README.md stays true to the tree: its layout names every folder, its links resolve."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def tracked_folders() -> set[str]:
    """Folders holding tracked files, two levels deep, plus the library's subpackages."""
    try:
        files = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    folders = set()
    for name in files:
        parts = name.split("/")[:-1]
        if parts:
            folders.add("/".join(parts[:2]))
        if parts[:2] == ["src", "taxlake"] and len(parts) >= 3:
            folders.add("/".join(parts[:3]))
    return folders


def layout() -> str:
    match = re.search(r"## Layout\n\n```\n(.*?)```", README, re.S)
    assert match, "README.md has no ## Layout code block"
    return match.group(1)


def named(folder: str, tree: str) -> bool:
    if f"{folder}/" in tree:
        return True
    if folder.startswith("modules/"):
        return "modules/<name>/" in tree
    if folder.startswith("src/taxlake/"):
        return re.search(rf"^\s+{re.escape(folder.split('/')[-1])}/", tree, re.M) is not None
    return False


def test_the_layout_names_every_folder() -> None:
    tree = layout()
    missing = sorted(f for f in tracked_folders() if not named(f, tree))
    assert missing == [], f"README.md's layout does not name: {missing}"


def test_every_relative_link_in_the_readme_and_docs_resolves() -> None:
    broken = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text()):
            if not re.match(r"^[a-z]+:", target) and not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []
