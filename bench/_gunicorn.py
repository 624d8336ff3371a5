"""Shared by the HTTP benchmarks: gunicorn started as the Dockerfile starts it (`gunicorn -c
config/gunicorn.py config.wsgi:application`, production settings: DEBUG off, manifest static files),
on a free local port against the benchmark's database, and a keep-alive HTTP client for it.

The bench process and the server share SECRET_KEY, so a session made with Django's test client
(`force_login`) signs a cookie the server accepts.
"""

import contextlib
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECRET_KEY = "bench-only-secret-key-not-for-any-real-use-0123456789abcdef"
STATIC_ROOT = ROOT / "var" / "bench-static"
os.environ.setdefault("SECRET_KEY", SECRET_KEY)  # before django.setup() in the importing script


def production_env(**extra) -> dict:
    """The environment of the compose file's web service, pointed at this machine's services."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(STATIC_ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # The throttle still counts every request (in the cache), but a load test is not refused.
        "API_THROTTLE_USER": "10000000/min",
    }
    env.pop("TESTING", None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def collect_static() -> None:
    """The image's collectstatic step (manifest + compressed files), into var/bench-static."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=production_env(),
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(**env):
    """Run gunicorn with the Dockerfile's command line; yields its port. ``env`` adds variables
    (CONN_MAX_AGE, GUNICORN_WORKERS, GUNICORN_THREADS …)."""
    port = free_port()
    binary = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn and arguments
        [str(binary), "-c", "config/gunicorn.py", "config.wsgi:application"],
        cwd=ROOT,
        env=production_env(GUNICORN_BIND=f"127.0.0.1:{port}", **env),
        stdout=subprocess.DEVNULL,  # the access log, written as in production, read by nobody
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _ = get(port, "/healthz")
                if status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{server.stderr.read()[-3000:]}")
            time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Client:
    """One keep-alive connection; opened again when the server closes it (gunicorn's sync worker
    closes after every response, its gthread worker keeps the connection)."""

    def __init__(self, port: int, headers: dict | None = None):
        self.port, self.headers, self.conn = port, headers or {}, None

    def get(self, path: str, headers: dict | None = None) -> tuple[int, bytes]:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, body: bytes, headers: dict | None = None) -> tuple[int, bytes]:
        return self.request("POST", path, body=body, headers=headers)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            self.conn.request(method, path, body=body, headers={**self.headers, **(headers or {})})
            response = self.conn.getresponse()
            data = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()  # a kept connection the server dropped meanwhile: once more on a new one
            return self.request(method, path, body, headers)
        if response.will_close:
            self.close()
        return response.status, data

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    client = Client(port, headers)
    try:
        return client.get(path)
    finally:
        client.close()


def session_cookie(client) -> dict:
    """The Cookie header of a Django test client that has signed in (``force_login``)."""
    from django.conf import settings

    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"}
