"""A real PostgreSQL + PostGIS server for the tests: started once per session, stopped after.

The Debian packages ``postgresql`` and ``postgresql-postgis`` (``make postgis``) provide
``/usr/lib/postgresql/N/bin/{initdb,pg_ctl}`` and the extension. The server gets its own data
folder in a temporary directory, listens on 127.0.0.1 on a free port only, and asks every client
for a password (scram-sha-256), so the wrong-password and redaction tests are real. ``initdb``
refuses to run as root: as root, the server runs as the ``postgres`` user (``runuser``).

Without the binaries the tests are skipped on a developer machine, but they FAIL when ``CI`` is
set, as the browser tests do (tests/conftest.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

USER = "ntmgis_test"
PASSWORD = "Pg-s3cret-ZQ7"  # distinctive: the tests look for it in every output
DATABASE = "ntmgis"


@dataclass(frozen=True)
class PostgisServer:
    """The running test server: ``url`` carries the password, ``url_without_password`` does not."""

    host: str
    port: int
    startup_s: float

    @property
    def url(self) -> str:
        return f"postgresql://{USER}:{PASSWORD}@{self.host}:{self.port}/{DATABASE}"

    @property
    def url_without_password(self) -> str:
        return f"postgresql://{USER}@{self.host}:{self.port}/{DATABASE}"


def _binaries() -> tuple[Path, Path] | str:
    """``(initdb, pg_ctl)`` of the newest PostgreSQL with PostGIS, or why there is none."""
    for bin_dir in sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name, reverse=True
    ):
        version = bin_dir.parent.name
        control = Path(f"/usr/share/postgresql/{version}/extension/postgis.control")
        if (bin_dir / "initdb").exists() and control.exists():
            return bin_dir / "initdb", bin_dir / "pg_ctl"
    return (
        "PostgreSQL with PostGIS not found (/usr/lib/postgresql/*/bin/initdb); install it with `make postgis`"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {done.stdout}\n{done.stderr}")


@pytest.fixture(scope="session")
def postgis_server() -> Iterator[PostgisServer]:
    """A PostGIS server on a free local port with database ``ntmgis`` and the extension created."""
    found = _binaries()
    if isinstance(found, str):
        if os.environ.get("CI"):
            pytest.fail(f"{found} (CI is set: the PostGIS tests must run, not skip)")
        pytest.skip(found)
    initdb, pg_ctl = found
    start = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="ntmgis-pg-"))
    data, password_file, log = folder / "data", folder / "password", folder / "server.log"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        server_user = pwd.getpwnam("postgres")
        for path in (folder, password_file):
            os.chown(path, server_user.pw_uid, server_user.pw_gid)
    port = _free_port()
    _run([str(initdb), "-D", str(data), "-U", USER, "--pwfile", str(password_file),
          "--auth", "scram-sha-256", "-E", "UTF8", "--locale", "C.UTF-8"])  # fmt: skip
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c fsync=off"
    _run([str(pg_ctl), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"])
    try:
        import psycopg

        admin = f"postgresql://{USER}:{PASSWORD}@127.0.0.1:{port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {DATABASE}")
        server = PostgisServer("127.0.0.1", port, 0.0)
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION postgis")
        yield PostgisServer("127.0.0.1", port, time.perf_counter() - start)
    finally:
        _run([str(pg_ctl), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)
