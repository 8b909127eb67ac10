"""Two web instances and two q2 clusters on one PostgreSQL and one Redis, then a bounded load.

The production configuration twice over, as two machines would run it: two gunicorn instances
(config/gunicorn.conf.py, DEBUG off, collected static files) on 127.0.0.1:8101 and :8102 and two
`manage.py qcluster` processes, all on the 100k data set in `portal_bench` (bench/_setup.py) and
one Redis (`BENCH_REDIS_URL`, default database 3 of 127.0.0.1:6379, emptied first) as the q2
broker and the shared cache. First it shows that no process holds state another needs:

- sessions: one signed-in session works on both instances;
- caches: a list page's count and page starts, cached by one instance, are in Redis for both;
- schedules: a schedule due now runs once, not once per cluster;
- tasks: queued work runs once each, whichever cluster takes it;
- uploaded files: a file uploaded for import through one instance is imported by a cluster and
  its report read through the other.

Then `BENCH_CLIENTS` (50) clients, each a thread with a keep-alive connection to each instance in
turn, request for `BENCH_SECONDS` (60) s a mix of ORUK API list pages, service details, API text
search, API proximity, finder searches and staff pages (signed in), and it prints requests/s,
errors and p50/p95/p99 overall and by kind. Only 127.0.0.1 is ever asked. Not a test: it prints
figures; exit status 1 if a check fails or any request errs.

    .venv/bin/python bench/load.py
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _setup
import staff_pages

PORTS = (8101, 8102)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
ADMIN = f"admin{staff_pages.ACCOUNTS}"
WORDS = ("advice", "lunch club", "counselling", "food", "youth club", "carers", "debt", "walking")
POSTCODES = ("HU1 1AA", "LS1 1UR", "M1 1AE", "B1 1AA", "CF10 1EP")
STAFF_PAGES = ("/staff/services/", "/staff/organisations/", "/staff/assurance/", "/accounts/")

failures: list[str] = []


def check(ok: bool, what: str) -> None:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    if not ok:
        failures.append(what)


def get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_for(condition, seconds: float, every: float = 1.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


def start_cluster() -> subprocess.Popen:
    """`manage.py qcluster` in a session of its own (so stopping it reaches its workers)."""
    env = {**os.environ, "DEBUG": "false"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = _setup.ROOT / ".cache" / f"bench-qcluster-{time.monotonic_ns()}.log"
    return subprocess.Popen(
        [str(_setup.ROOT / ".venv" / "bin" / "python"), "manage.py", "qcluster"],
        cwd=_setup.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )


def stop(servers: list[subprocess.Popen], clusters: list[subprocess.Popen]) -> None:
    for server in servers:
        server.terminate()
    for cluster in clusters:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(cluster.pid, signal.SIGTERM)
    for process in servers + clusters:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def prove_shared_state(cookie: str, service_ids: list[str]) -> None:
    from django.core.cache import cache
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from django_q.models import Schedule, Task

    from accounts.models import User
    from accounts.services import import_upload_create
    from core.models import BackgroundTask, BackgroundTaskStatus
    from core.services import enqueue
    from directory.models import ImportUpload

    print("\nNothing one process holds is needed by another:")
    answers = [get(port, "/accounts/", cookie) for port in PORTS]
    check(
        all(status == 200 and ADMIN.encode() in body for status, body in answers),
        "sessions: one signed-in session opens the account page on both instances",
    )

    status, _ = get(PORTS[0], "/api/v3/services?page=2&per_page=50")
    keys = list(cache._cache.get_client().scan_iter(match="*publish:*"))
    again, _ = get(PORTS[1], "/api/v3/services?page=2&per_page=50")
    check(
        status == 200 and again == 200 and len(keys) > 0,
        f"caches: after a list page on :{PORTS[0]}, {len(keys)} count and page-start entries "
        f"are in Redis, where :{PORTS[1]} reads them",
    )

    name = f"bench: once {time.time_ns()}"
    Schedule.objects.create(
        name=name,
        func="math.floor",
        args="1.5",
        schedule_type=Schedule.ONCE,
        next_run=timezone.now(),
    )
    ran = wait_for(lambda: Task.objects.filter(group=name).exists(), 120)
    time.sleep(35 if ran else 0)  # both schedulers have looked again since
    runs = Task.objects.filter(group=name).count()
    check(ran and runs == 1, f"schedules: a schedule due now ran {runs} time(s) with two clusters")

    admin = User.objects.get(email=ADMIN)
    tasks = [
        enqueue(func="operator.add", args=[n, 1], label=f"bench {n}", requested_by=admin)
        for n in range(20)
    ]
    ids = [task.pk for task in tasks]
    done = wait_for(
        lambda: (
            BackgroundTask.objects.filter(pk__in=ids, status=BackgroundTaskStatus.SUCCEEDED).count()
            == len(ids)
        ),
        120,
    )
    attempts = sorted(
        set(BackgroundTask.objects.filter(pk__in=ids).values_list("attempts", flat=True))
    )
    check(done and attempts == [1], f"tasks: 20 queued tasks each ran once (attempts {attempts})")

    status, body = get(PORTS[0], f"/api/v3/services/{service_ids[0]}")
    upload = import_upload_create(actor=admin, file=SimpleUploadedFile("one-service.json", body))
    imported = wait_for(lambda: bool(ImportUpload.objects.get(pk=upload.pk).report), 180)
    report = ImportUpload.objects.get(pk=upload.pk).report or {}
    page_status, page = get(PORTS[1], f"/accounts/imports/{upload.pk}/", cookie)
    check(
        status == 200 and imported and report.get("ok") and page_status == 200
        and b"Records in the file" in page,
        f"uploaded files: a file uploaded for import was imported by a cluster "
        f"({report.get('imported', 0)} of {report.get('documents', 0)} records) and its report "
        f"read on :{PORTS[1]}",
    )  # fmt: skip


def requests_for(client: int, service_ids: list[str], cookie: str):
    """An endless, seeded mix of (kind, path, cookie) for one client."""
    rng = random.Random(client)
    while True:
        roll = rng.random()
        if roll < 0.25:
            page = rng.randint(1, 200)
            yield "API list page", f"/api/v3/services?page={page}&per_page=50", ""
        elif roll < 0.45:
            yield "API service", f"/api/v3/services/{rng.choice(service_ids)}", ""
        elif roll < 0.55:
            query = urllib.parse.urlencode({"search": rng.choice(WORDS)})
            yield "API search", f"/api/v3/services?{query}", ""
        elif roll < 0.65:
            query = urllib.parse.urlencode({"postcode": rng.choice(POSTCODES), "proximity": 5000})
            yield "API proximity", f"/api/v3/service_at_locations?{query}", ""
        elif roll < 0.85:
            query = urllib.parse.urlencode(
                {"q": rng.choice(WORDS), "postcode": rng.choice(POSTCODES), "within": 5}
            )
            yield "finder search", f"/search/?{query}", ""
        else:
            yield "staff page", rng.choice(STAFF_PAGES), cookie


def run_load(service_ids: list[str], cookie: str) -> None:
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    first_errors: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS

    retried = [0]

    def send(connections: dict, port: int, path: str, cookie: str) -> int:
        """GET `path`, on the kept-alive connection to `port` if there is one. gunicorn closes a
        connection idle for its keepalive (5 s); a request that meets one just as it closes is
        sent again on a new connection, once, as HTTP clients do with idempotent requests."""
        for attempt in (1, 2):
            reused = connections[port] is not None
            if not reused:
                connections[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                headers = {"Cookie": cookie} if cookie else {}
                connections[port].request("GET", path, headers=headers)
                response = connections[port].getresponse()
                response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                connections[port].close()
                connections[port] = None
                if reused and attempt == 1:
                    with lock:
                        retried[0] += 1
                    continue
                raise
            if response.will_close:
                connections[port].close()
                connections[port] = None
            return response.status
        raise AssertionError("unreachable")

    def client(number: int) -> None:
        connections: dict[int, http.client.HTTPConnection | None] = dict.fromkeys(PORTS)
        mix = requests_for(number, service_ids, cookie)
        turn = number
        while time.monotonic() < deadline:
            kind, path, with_cookie = next(mix)
            port = PORTS[turn % len(PORTS)]
            turn += 1
            started = time.perf_counter()
            try:
                status = send(connections, port, path, with_cookie)
                ok, why = status == 200, f"HTTP {status}"
            except (OSError, http.client.HTTPException) as error:
                ok, why = False, repr(error)
                if connections[port] is not None:
                    connections[port].close()
                    connections[port] = None
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                samples[kind].append(elapsed)
                if not ok:
                    errors[kind] += 1
                    if len(first_errors) < 5:
                        first_errors.append(f"{why} for {path} on :{port}")
        for connection in connections.values():
            if connection is not None:
                connection.close()

    print(f"\n{CLIENTS} clients for {SECONDS:.0f} s against :{PORTS[0]} and :{PORTS[1]} ...")
    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - started
    every = [ms for kind in samples for ms in samples[kind]]
    p = _setup.percentile
    print(f"\n{'kind':16s} {'requests':>8s} {'errors':>6s} {'p50':>8s} {'p95':>8s} {'p99':>8s}")
    for kind in sorted(samples):
        values = samples[kind]
        print(
            f"{kind:16s} {len(values):8d} {errors[kind]:6d} {statistics.median(values):6.0f} ms"
            f" {p(values, 0.95):5.0f} ms {p(values, 0.99):5.0f} ms"
        )
    total_errors = sum(errors.values())
    print(
        f"{'all':16s} {len(every):8d} {total_errors:6d} {statistics.median(every):6.0f} ms"
        f" {p(every, 0.95):5.0f} ms {p(every, 0.99):5.0f} ms"
    )
    print(
        f"\n{len(every) / took:.1f} requests/s over {took:.1f} s; {total_errors} errors; "
        f"{retried[0]} requests sent again after a kept-alive connection closed"
    )
    for line in first_errors:
        print(f"  {line}")
    if total_errors:
        failures.append(f"{total_errors} requests failed")


def main() -> None:
    os.environ["REDIS_URL"] = REDIS_URL  # this process, both instances and both clusters
    _setup.ensure_database()
    _setup.setup_django()
    _setup.wait_for_seeding()
    _setup.ensure_national_data(publish=True)
    staff_pages.ensure_workflow_data()

    from django.core.cache import cache

    from publish.models import Feed, PublishedService

    cache.clear()  # this bench's Redis database only
    feed = Feed.objects.get(is_default=True)
    ids = PublishedService.objects.for_feed(feed).order_by("?").values_list("pk", flat=True)
    service_ids = [str(pk) for pk in ids[:2000]]
    cookie = staff_pages.session_cookie(ADMIN)
    print(f"\n{len(PORTS)} web instances, 2 q2 clusters; machine: {_setup.machine()}")
    servers: list[subprocess.Popen] = []
    clusters: list[subprocess.Popen] = []
    try:
        for port in PORTS:
            servers.append(_setup.serve(port))
        clusters += [start_cluster(), start_cluster()]
        prove_shared_state(cookie, service_ids)
        run_load(service_ids, cookie)
    finally:
        stop(servers, clusters)
    print(f"\nmachine after the run: {_setup.machine()}")
    if failures:
        print("\nFailed: " + "; ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
