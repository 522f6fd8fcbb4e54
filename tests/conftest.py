"""Shared fixtures: the tiny hand-made instance and a way to copy it for tests that break it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def tiny_path() -> Path:
    """The read-only tiny instance folder."""
    return FIXTURES / "tiny"


@pytest.fixture
def tiny_copy(tmp_path) -> Path:
    """A writable copy of the tiny instance, for tests that corrupt its files."""
    target = tmp_path / "tiny"
    shutil.copytree(FIXTURES / "tiny", target)
    return target
