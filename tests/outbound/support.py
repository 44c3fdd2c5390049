"""Real processes for the outbox tests: a platform that checks signatures and records what
arrives, and a private redis-server on a spare port (Celery workers: tests/workers.py).

Nothing here mocks our own database or broker. Only the platform (the outside world) is a
stand-in, and it is a real HTTP server.
"""

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import kombu.pools
from pytest_httpserver import HTTPServer
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from tests.workers import wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- The platform ---------------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: threading.Event | None = None  # answer only once this is set (or after delay)


@dataclass
class Received:
    webhook_id: str
    body: bytes
    headers: dict[str, str]
    signature_ok: bool
    at: float

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class RecordingPlatform:
    """The platform's callback endpoint: verifies Standard Webhooks signatures with the
    platform's callback secret, records every request, answers from a script of replies
    (then 200)."""

    path = "/kpu/callbacks"

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.secret = ""
        self.received: list[Received] = []
        self.script: list[Reply] = []
        self.lock = threading.Lock()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return self.server.url_for(self.path)

    def answer(self, *replies: Reply) -> None:
        with self.lock:
            self.script.extend(replies)

    def webhook_ids(self) -> list[str]:
        with self.lock:
            return [r.webhook_id for r in self.received]

    def handle(self, request: Request) -> Response:
        body = request.get_data()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            Webhook(self.secret).verify(body, headers, json_parse=False)
            ok = True
        except WebhookVerificationError:
            ok = False
        with self.lock:
            self.received.append(
                Received(headers.get("webhook-id", ""), body, headers, ok, time.time())
            )
            reply = self.script.pop(0) if self.script else Reply()
        if reply.hold is not None:
            reply.hold.wait(reply.delay or 60)
        elif reply.delay:
            self.release.wait(reply.delay)
        if not ok:
            return Response("bad signature", status=401)
        return Response("ok", status=reply.status, headers=reply.headers)


@contextlib.contextmanager
def platform_server() -> Iterator[RecordingPlatform]:
    server = HTTPServer(host="127.0.0.1", port=free_port(), threaded=True)
    server.start()
    platform = RecordingPlatform(server)
    server.expect_request(RecordingPlatform.path, method="POST").respond_with_handler(
        platform.handle
    )
    try:
        yield platform
    finally:
        platform.release.set()
        server.clear()
        if server.is_running():
            server.stop()


# --- A private Redis ------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of our own on a spare port: stop and start it at will."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="saring-redis-")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_until(self.answers, timeout=10), "redis-server did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def queue_length(self, queue: str) -> int:
        import redis

        return int(redis.Redis.from_url(self.url).llen(queue))

    def flush(self) -> None:
        """Empty this private server (never the shared one)."""
        import redis

        redis.Redis.from_url(self.url).flushall()


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point this process's Celery app (the publisher) at ``url``."""
    from pemilu.celery import app

    def reset() -> None:
        # Close every pooled broker connection and forget the pools (kombu keeps them in a
        # global registry keyed by URL), so the next publish connects to the new URL.
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url
    reset()
    app.conf.broker_url = url
    try:
        yield
    finally:
        reset()
        app.conf.broker_url = old
