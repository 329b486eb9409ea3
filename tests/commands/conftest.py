"""Fixtures for running ``kollega`` as a separate process in a data folder of its own."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.processes import Running, kollega_env, run_kollega


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database with every migration applied, made once and copied for each test."""
    path = tmp_path_factory.mktemp("migrated")
    result = run_kollega("migrate", "--verbosity", "0", env=kollega_env(path), timeout=300)
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def migrated_dir(data_dir: Path, migrated_template: Path) -> Path:
    for file in migrated_template.glob("kollega.sqlite3*"):
        shutil.copy(file, data_dir / file.name)
    return data_dir


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    """Start ``kollega`` in the background; whatever is still running at the end of the test is killed."""
    started: list[Running] = []

    def _start(*args: str, env: dict[str, str]) -> Running:
        running = Running(*args, env=env)
        started.append(running)
        return running

    yield _start
    for running in started:
        running.kill()
