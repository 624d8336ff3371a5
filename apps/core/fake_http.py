"""The running part of the local fake servers (Shopify, WooCommerce, eBay, 17TRACK): an
http.server on 127.0.0.1 in a daemon thread, for tests over real HTTP and for the demo. A fake
names its BaseHTTPRequestHandler in ``request_handler()`` (the handler finds the fake as
``self.fake``) and its ``thread_name``, keeps its own state, and may extend ``started``/``stopping``."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalFakeServer:
    thread_name = "fake-server"
    port: int = 0
    server: ThreadingHTTPServer | None = None
    thread: threading.Thread | None = None

    def request_handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self):
        handler = type("Handler", (self.request_handler(),), {"fake": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.thread_name, daemon=True
        )
        self.thread.start()
        self.started()
        return self

    def started(self) -> None:
        """After the server listens (e.g. a fake's own sender thread)."""

    def stopping(self) -> None:
        """Before the server shuts down."""

    def stop(self) -> None:
        if self.server is not None:
            self.stopping()
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def serve_forever(self) -> None:
        """For a long-running process: start, then block until interrupted."""
        self.start()
        try:
            self.thread.join()
        finally:
            self.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
