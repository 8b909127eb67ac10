"""gunicorn settings for production (README, Deploying): `gunicorn -c config/gunicorn.conf.py`.

Sized for a 2-core machine by default. A request spends most of its time waiting on PostgreSQL,
so each worker runs threads (gthread) to overlap those waits; workers (cores + 1) give the CPU
work (rendering, JSON) real parallelism past the GIL, with one spare for a worker that is busy.
3 workers x 4 threads = 12 requests in flight, within PostgreSQL's default 100 connections even
with two web machines (each thread keeps one connection for DATABASE_CONN_MAX_AGE).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
# A request that takes a minute is stuck: let the worker be replaced rather than hang the site.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so that a slow leak can never grow without bound.
max_requests = 2000
max_requests_jitter = 200
wsgi_app = "config.wsgi:application"
# Access log lines on stdout, with the request id the portal answered with.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
errorlog = "-"


def post_worker_init(worker):
    """Prepare the worker before it takes a request, rather than during its first ones (at
    start and after every max_requests restart): import every view through the URLconf (0.5 s)
    and read the postcode directory, whose letters' files (0.03 to 0.25 s each) were otherwise
    read by the first search near one of their postcodes, the finder's slowest searches. About
    2 s of CPU a worker as it starts, and 100 MB (what a worker that has seen postcodes of
    every letter holds anyway).

    Then freeze what starting made (Django, the views, the URLconf: some 135,000 objects) out
    of the garbage collector's sight: they live as long as the worker, and every full collection
    scanned them again, a 90 ms pause at some random request (13 ms frozen)."""
    import gc

    from django.urls import reverse

    from directory.geo import load_postcode_directory

    reverse("finder:home")
    load_postcode_directory()
    gc.collect()
    gc.freeze()
