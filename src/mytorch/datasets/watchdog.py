"""A total deadline for a download, which a per-read timeout cannot give.

A server that sends one byte every half second never lets a read time out, so a
download with only ``urlopen``'s ``timeout`` can last for days. ``Watchdog`` starts a
timer when the download starts; when it fires, it shuts down every socket the download
opened (``open_url`` makes urllib open them through it), and the blocked read returns
at once, wherever it was: headers, TLS handshake or body.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import threading
import time
from typing import Any
from urllib import request  # the standard library: downloads add no dependency


class Watchdog:
    """Shuts a download's connections down once its deadline passes.

    A per-read timeout cannot bound a whole download: a server that sends one byte
    every half second never lets a read time out. A timer thread that shuts the
    socket down makes the blocked read return at once, wherever it is (headers, TLS
    handshake, body); ``check`` then turns that into a clear error.
    """

    def __init__(self, seconds: float | None, error_type: type[OSError] = TimeoutError) -> None:
        self.seconds = seconds
        self.error_type = error_type
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._end = None if seconds is None else time.monotonic() + seconds
        self._timer = None
        if seconds is not None:
            self._timer = threading.Timer(max(seconds, 0.0), self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def connect(self, address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        """``socket.create_connection``, with the socket watched."""
        sock = socket.create_connection(address, *args, **kwargs)
        with self._lock:
            self._sockets.append(sock)
            if self.expired:
                sock.shutdown(socket.SHUT_RDWR)
        return sock

    def check(self, name: str) -> None:
        # A local file:// read has no socket to shut down: compare the clock too.
        if self.expired or (self._end is not None and time.monotonic() > self._end):
            self.expired = True
            raise self.error(name)

    def error(self, name: str) -> OSError:
        return self.error_type(
            f"{name}: the download took longer than its deadline of {self.seconds:g} "
            "seconds and was abandoned"
        )

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _WatchedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args: Any, watchdog: Watchdog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = watchdog.connect


class _WatchedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args: Any, watchdog: Watchdog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._create_connection = watchdog.connect


class _WatchedHTTPHandler(request.HTTPHandler):
    def __init__(self, watchdog: Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def http_open(self, req: request.Request) -> Any:
        return self.do_open(_WatchedHTTPConnection, req, watchdog=self.watchdog)


class _WatchedHTTPSHandler(request.HTTPSHandler):
    def __init__(self, watchdog: Watchdog) -> None:
        super().__init__()
        self.watchdog = watchdog

    def https_open(self, req: request.Request) -> Any:
        return self.do_open(
            _WatchedHTTPSConnection, req, context=self._context, watchdog=self.watchdog
        )


def open_url(url: str, timeout: float, watchdog: Watchdog) -> Any:
    """``urlopen`` whose HTTP(S) connections the watchdog can cut."""
    opener = request.build_opener(_WatchedHTTPHandler(watchdog), _WatchedHTTPSHandler(watchdog))
    return opener.open(url, timeout=timeout)
