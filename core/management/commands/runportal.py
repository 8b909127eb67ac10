"""`manage.py runportal [addrport]`: the development server and a django-q2 cluster, together.

Background work (recomputing allocations, publishing) is queued to django-q2, so in development it
only runs if a cluster runs beside the web server. This command starts `manage.py qcluster` as a
child process, then runs `runserver` as usual; one Ctrl-C stops both, and if the cluster dies the
command says so (the server keeps serving; queued work waits until the next start).

runserver's autoreloader runs the server in a child process (started again with RUN_MAIN=true at
every code change). The cluster belongs to the outer process only: it is started once, before the
reloader, and stopped when the outer process ends, however it ends (Ctrl-C, SIGTERM, SIGHUP, the
server failing to start). The cluster runs in its own process group, so that stopping it also
stops its workers.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

# How long the cluster may take to finish its current tasks and stop before it is killed.
STOP_GRACE_SECONDS = 20


class Command(BaseCommand):
    help = (
        "Run the development server and a django-q2 cluster beside it (for background work). "
        "Ctrl-C stops both."
    )
    # runserver runs the checks itself (once, in the process that serves).
    requires_system_checks: list = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "addrport", nargs="?", help="Optional port number, or ipaddr:port (as runserver)"
        )
        parser.add_argument(
            "--noreload",
            action="store_false",
            dest="use_reloader",
            help="Do not restart the server when code changes",
        )
        parser.add_argument(
            "--nothreading",
            action="store_false",
            dest="use_threading",
            help="Serve one request at a time",
        )
        parser.add_argument(
            "--no-cluster",
            action="store_false",
            dest="use_cluster",
            help="Run the server only (background work then waits in the queue)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        runserver_options = {
            "use_reloader": options["use_reloader"],
            "use_threading": options["use_threading"],
        }
        if options["addrport"]:
            runserver_options["addrport"] = options["addrport"]
        if os.environ.get("RUN_MAIN") != "true":
            base = settings.PORTAL_BASE_URL.rstrip("/")
            self.stdout.write(f"The portal: {base}/  (Django admin: {base}/admin/)")
        if os.environ.get("RUN_MAIN") == "true" or not options["use_cluster"]:
            # The autoreloader's child (the outer process runs the cluster), or no cluster wanted.
            call_command("runserver", **runserver_options)
            return
        cluster = Cluster(self)
        previous = {
            signum: signal.signal(signum, _interrupt) for signum in (signal.SIGTERM, signal.SIGHUP)
        }
        # Ctrl-C stops everything even if this process was started with SIGINT ignored (as a
        # shell does for a background job): the one way to stop both is this process.
        previous[signal.SIGINT] = signal.signal(signal.SIGINT, signal.default_int_handler)
        try:
            cluster.start()
            call_command("runserver", **runserver_options)
        except KeyboardInterrupt:
            pass
        finally:
            cluster.stop()
            for signum, handler in previous.items():
                signal.signal(signum, handler)


def _interrupt(signum: int, frame: Any) -> None:
    """SIGTERM and SIGHUP end the command as Ctrl-C does, so that the cluster is stopped."""
    raise KeyboardInterrupt


class Cluster:
    """`manage.py qcluster` as a child process, watched by a thread that reports if it dies."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.process: subprocess.Popen | None = None
        self.stopping = threading.Event()

    def start(self) -> None:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        env.pop("RUN_MAIN", None)
        self.process = subprocess.Popen(
            [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"],
            env=env,
            cwd=settings.BASE_DIR,
            # Its own process group: Ctrl-C reaches this command, which stops the cluster in
            # order, and the group is what gets killed if it does not stop in time.
            start_new_session=True,
        )
        self.command.stdout.write(
            f"Started the django-q2 cluster for background work (pid {self.process.pid})."
        )
        threading.Thread(target=self._watch, name="qcluster-watch", daemon=True).start()

    def _watch(self) -> None:
        assert self.process is not None
        code = self.process.wait()
        if not self.stopping.is_set():
            # What is left of it (its sentinel and workers) would carry on unwatched: stop it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGTERM)
            self.command.stderr.write(
                f"The django-q2 cluster has stopped (exit code {code}): background work will "
                "wait in the queue until you start runportal again."
            )

    def stop(self) -> None:
        process = self.process
        if process is None:
            return
        self.stopping.set()
        stopped_in_order = False
        if process.poll() is None:
            self.command.stdout.write("Stopping the django-q2 cluster…")
            try:
                # The cluster finishes its current tasks, stops its workers and exits.
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=STOP_GRACE_SECONDS)
                stopped_in_order = True
            except subprocess.TimeoutExpired:
                self.command.stderr.write("The django-q2 cluster did not stop in time: killed.")
            except KeyboardInterrupt:
                pass  # a second Ctrl-C: stop waiting
        if not stopped_in_order:
            # Whatever is left of its group: the workers of a cluster that died or was too slow.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.command.stdout.write(f"Stopped the django-q2 cluster (pid {process.pid}).")
