"""gunicorn settings, read from the environment: `gunicorn -c config/gunicorn.py config.wsgi`.

GUNICORN_WORKERS (or WEB_CONCURRENCY) processes × GUNICORN_THREADS threads each serve requests;
with more than one thread gunicorn runs its gthread worker, which also keeps client connections
alive. Each thread holds one database connection while CONN_MAX_AGE keeps it (README,
"Production-like stack": the counts for 2 and 16 cores, and the connections they take).
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS") or os.environ.get("WEB_CONCURRENCY") or 3)
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
# A request that takes longer than this is killed and logged (an export or import runs in Celery).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 30)
keepalive = 5
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
