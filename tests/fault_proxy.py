"""A TCP proxy the fault suite puts between the app and a real service, to take the service
"down" and bring it back without touching the shared server: `down()` drops every open connection
and refuses new ones (what clients see while a server restarts), `up()` accepts again;
`slow(seconds)` holds every answer back that long (a server that is up but slow), `fast()` ends it."""
from __future__ import annotations

import socket
import threading
import time


class FaultProxy:
    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._serving = threading.Event()
        self._serving.set()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self.delay = 0.0
        threading.Thread(target=self._accept, daemon=True, name="fault-proxy").start()

    def down(self) -> None:
        self._serving.clear()
        with self._lock:
            conns, self._open = self._open, set()
        for s in conns:
            _kill(s)

    def up(self) -> None:
        self._serving.set()

    def slow(self, seconds: float) -> None:
        self.delay = seconds

    def fast(self) -> None:
        self.delay = 0.0

    def close(self) -> None:
        self._closed.set()
        self.down()
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return
            if not self._serving.is_set():
                _kill(client)
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                _kill(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open |= {client, upstream}
            for a, b, answers in ((client, upstream, False), (upstream, client, True)):
                threading.Thread(target=self._pump, args=(a, b, answers), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, answers: bool) -> None:
        try:
            while chunk := src.recv(65536):
                if answers and self.delay:
                    time.sleep(self.delay)
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            _kill(src)
            _kill(dst)
            with self._lock:
                self._open -= {src, dst}


def _kill(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
