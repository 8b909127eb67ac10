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
