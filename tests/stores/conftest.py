"""Real databases for the store tests: SQLite files, and a real PostgreSQL 16 server started
once per session from the ``pgserver`` package's binaries (the ``test`` extra installs it).
Each test gets a fresh database on it. Store tests run on both; PostgreSQL ones skip, saying
why, only where the server cannot start."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import pyllm

if TYPE_CHECKING:
    from pyllm.testing import FakeOpenRouter

BACKENDS = ["sqlite", "postgresql"]
_numbers = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A PostgreSQL server for the session, its data in a temporary folder of its own (not
    pytest's numbered ones, which a concurrent pytest run may prune under a live server)."""
    folder = Path(tempfile.mkdtemp(prefix="pyllm-pg-"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs: no XDG_RUNTIME_DIR in CI
            import pgserver

            server = pgserver.get_server(folder, cleanup_mode="stop")
    except Exception as exc:  # no binaries for this platform, no shared memory...
        shutil.rmtree(folder, ignore_errors=True)
        pytest.skip(f"a PostgreSQL server could not be started with pgserver: {exc}")
    yield server
    server.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


def fresh_postgres_url(server: Any) -> str:
    """A new, empty database on ``server``: its SQLAlchemy URL (the psycopg 3 driver)."""
    import psycopg

    name = f"pyllm_test_{next(_numbers)}"
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.get_uri(name).replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a SQLite file, or a fresh database on the PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'chats.db'}"
    return fresh_postgres_url(request.getfixturevalue("postgres"))


@pytest.fixture
def client(server: FakeOpenRouter) -> Iterator[pyllm.Client]:
    client = server.client()
    yield client
    client.close()


@pytest.fixture
def store(database_url: str, client: pyllm.Client) -> Iterator[pyllm.SQLStore]:
    store = pyllm.SQLStore(database_url, client=client)
    yield store
    store.close()
