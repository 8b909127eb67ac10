"""`manage.py runportal`: the development server and a django-q2 cluster from one command.

Runs the real thing in subprocesses, against a temporary SQLite file (the ORM broker), with the
base settings (the test settings run tasks synchronously, which would bypass the cluster). Every
wait is bounded polling; nothing here asserts how fast anything is.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from tests.servers import answers, free_port

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and process groups")

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
PATIENCE_SECONDS = 90  # an upper bound for slow machines, not a speed requirement


def _wait_for(what: str, check: Callable[[], Any], process: subprocess.Popen | None = None) -> Any:
    deadline = time.monotonic() + PATIENCE_SECONDS
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        if process is not None and process.poll() is not None:
            pytest.fail(f"runportal exited ({process.returncode}) while waiting for {what}")
        time.sleep(0.2)
    pytest.fail(f"Gave up waiting for {what}")


def _refuses(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def _alive(pid: int) -> bool:
    """Is the process running (a zombie waiting to be reaped does not count)?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _group_alive(pgid: int) -> bool:
    """Is any process of the group running (zombies aside)?"""
    proc = Path("/proc")
    if not proc.is_dir():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        return True
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


def test_runportal_serves_runs_background_work_and_stops_on_one_ctrl_c(tmp_path):
    database = tmp_path / "portal.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{database}",
        "Q_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    for name in ("REDIS_URL", "RUN_MAIN"):
        env.pop(name, None)
    run = {"env": env, "cwd": settings.BASE_DIR, "timeout": 600, "check": True}
    subprocess.run([sys.executable, MANAGE, "migrate", "--noinput", "-v", "0"], **run)

    port = free_port()
    log_path = tmp_path / "runportal.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, MANAGE, "runportal", f"127.0.0.1:{port}"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=settings.BASE_DIR,
        )
    cluster_pid = None
    try:
        _wait_for(
            "the server to answer",
            lambda: answers(f"http://127.0.0.1:{port}/accounts/sign-in/"),
            process,
        )
        found = _wait_for(
            "the cluster's pid",
            lambda: re.search(r"django-q2 cluster .*\(pid (\d+)\)", log_path.read_text()),
            process,
        )
        cluster_pid = int(found.group(1))

        # Queue work through the ORM broker, from another process, as a page would.
        queued = subprocess.run(
            [
                sys.executable,
                MANAGE,
                "shell",
                "-c",
                "from core.services import enqueue; "
                "print('task', enqueue(func='operator.add', args=[2, 3], label='Add').pk)",
            ],
            capture_output=True,
            text=True,
            **run,
        )
        task_id = int(re.search(r"task (\d+)", queued.stdout).group(1))

        def finished() -> tuple | None:
            with sqlite3.connect(database, timeout=20) as db:
                row = db.execute(
                    "SELECT status, result FROM core_backgroundtask WHERE id = ?", (task_id,)
                ).fetchone()
            return row if row and row[0] in ("succeeded", "failed") else None

        status, result = _wait_for("the cluster to run the task", finished, process)
        assert (status, result) == ("succeeded", "5"), log_path.read_text()

        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        process.wait(timeout=PATIENCE_SECONDS)
        _wait_for("the cluster to stop", lambda: not _group_alive(cluster_pid))
        assert not _alive(process.pid) and not _alive(cluster_pid)
        assert _refuses(port)
        assert "Stopped the django-q2 cluster" in log_path.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        if cluster_pid is not None and _group_alive(cluster_pid):
            os.killpg(cluster_pid, signal.SIGKILL)
