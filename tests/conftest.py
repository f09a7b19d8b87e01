"""Shared fixtures: one sample build per test session."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the shipped sample corpus once; return the output folder."""
    from kg.pipeline import build

    folder = tmp_path_factory.mktemp("sample-build")
    build(out_dir=folder)
    return folder
