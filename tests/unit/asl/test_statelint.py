"""Our lint against statelint 3.1.0 over the same corpus: agree on valid files, beat it on named faults.

statelint runs in-process through its Python API (no network). Its FLOAT check
(BackoffRate 2 must be written 2.0) is ignored: Step Functions accepts integers there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from statelint.config import Config
from statelint.linter import Linter
from statelint.problem import ProblemType

from taxlake.asl import lint_text

from .corpus import HOUSE_RULES, INVALID, STATELINT_FALSE_POSITIVES, STATELINT_MISSES, VALID, name


def statelint(path: Path) -> list[str]:
    return Linter.validate(path.read_text(), Config(ignored_problem_types={ProblemType.FLOAT}))


@pytest.mark.parametrize("path", VALID, ids=name)
def test_both_accept_valid_files_except_documented_statelint_false_positives(path: Path) -> None:
    assert lint_text(path.read_text()) == []
    theirs = statelint(path)
    expected = STATELINT_FALSE_POSITIVES.get(name(path), [])
    # each complaint is a known false positive, and each known one still happens
    assert len(theirs) == len(expected), theirs
    for fragment in expected:
        assert any(fragment in line for line in theirs), (fragment, theirs)


@pytest.mark.parametrize("path", [p for p in INVALID if name(p) in STATELINT_MISSES | HOUSE_RULES], ids=name)
def test_we_reject_what_statelint_accepts(path: Path) -> None:
    assert statelint(path) == []
    assert lint_text(path.read_text()) != []


@pytest.mark.parametrize("path", [p for p in INVALID if name(p) not in STATELINT_MISSES | HOUSE_RULES], ids=name)
def test_statelint_rejects_the_rest_too(path: Path) -> None:
    # keeps STATELINT_MISSES exact: a newer statelint that catches one of them fails here
    assert statelint(path) != []
    assert lint_text(path.read_text()) != []


def test_named_lists_refer_to_real_files() -> None:
    names = {name(p) for p in INVALID}
    assert names >= STATELINT_MISSES | HOUSE_RULES
    assert set(STATELINT_FALSE_POSITIVES) <= {name(p) for p in VALID}
