"""Downloads against local fakes (file:// URLs and an HTTP server on 127.0.0.1).

The network is never used: a checksum mismatch must be rejected leaving no file, a
failed or interrupted download must leave no partial file, and mirrors must be tried
in order.
"""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import time
from pathlib import Path

import pytest

from mytorch.datasets import ChecksumError, DownloadError, data_home, download_file, download_url
from mytorch.datasets import download as download_module

CONTENT = b"pretend these are MNIST bytes" * 100
MD5 = hashlib.md5(CONTENT).hexdigest()


@pytest.fixture
def source(tmp_path) -> Path:
    """A directory holding ``file.bin`` (CONTENT), to serve as a file:// mirror."""
    folder = tmp_path / "mirror"
    folder.mkdir()
    (folder / "file.bin").write_bytes(CONTENT)
    return folder


@pytest.fixture
def target(tmp_path) -> Path:
    return tmp_path / "cache"  # not created yet: download_url must create it


def test_download_url_writes_the_verified_file_and_nothing_else(source, target):
    path = download_url((source / "file.bin").as_uri(), target / "file.bin", MD5)
    assert path == target / "file.bin"
    assert path.read_bytes() == CONTENT
    assert sorted(p.name for p in target.iterdir()) == ["file.bin"]


def test_checksum_mismatch_is_rejected_and_leaves_no_file(source, target):
    wrong = "0" * 32
    with pytest.raises(ChecksumError, match=f"MD5 checksum {MD5} does not match the expected"):
        download_url((source / "file.bin").as_uri(), target / "file.bin", wrong)
    assert list(target.iterdir()) == []


def test_failed_download_keeps_an_existing_file_untouched(source, target):
    target.mkdir()
    (target / "file.bin").write_bytes(b"old, good content")
    with pytest.raises(ChecksumError):
        download_url((source / "file.bin").as_uri(), target / "file.bin", "0" * 32)
    assert (target / "file.bin").read_bytes() == b"old, good content"
    assert [p.name for p in target.iterdir()] == ["file.bin"]


class _CutResponse(io.BytesIO):
    """A response whose connection drops after the first chunk."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(CONTENT)
        self.error = error
        self.reads = 0

    def read1(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.reads > 1:
            raise self.error
        return super().read(16)


@pytest.mark.parametrize("error", [ConnectionResetError("reset by peer"), KeyboardInterrupt()])
def test_an_interrupted_download_leaves_no_partial_file(monkeypatch, target, error):
    monkeypatch.setattr(
        download_module, "_open_url", lambda url, timeout, watchdog: _CutResponse(error)
    )
    with pytest.raises(type(error)):
        download_url("https://example.invalid/file.bin", target / "file.bin", MD5)
    assert list(target.iterdir()) == []


def test_download_file_falls_back_to_the_next_mirror(source, target):
    mirrors = [(source / "absent").as_uri() + "/", source.as_uri() + "/"]
    assert download_file("file.bin", target, MD5, mirrors).read_bytes() == CONTENT


def test_download_file_reports_every_mirror_when_all_fail(source, target):
    mirrors = [(source / "absent").as_uri() + "/", source.as_uri() + "/"]
    with pytest.raises(
        DownloadError, match=r"could not download file\.bin from any mirror"
    ) as info:
        download_file("file.bin", target, "0" * 32, mirrors)
    message = str(info.value)
    assert message.index("/absent/file.bin") < message.index("/mirror/file.bin: file.bin: MD5")
    assert list(target.iterdir()) == []


# --------------------------------------------------------------- a real HTTP server
class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``files`` by path (404 for others), recording each path requested."""

    files: dict[str, bytes]
    requested: list[str]

    def do_GET(self) -> None:
        self.requested.append(self.path)
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def server(monkeypatch):
    """An HTTP server on 127.0.0.1 with a dead, a corrupt and a good mirror."""
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    files = {"/corrupt/file.bin": CONTENT[:-1] + b"!", "/good/file.bin": CONTENT}
    handler = type("Handler", (_Handler,), {"files": files, "requested": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_mirrors_are_tried_in_order_over_http(server, target):
    base, handler = server
    mirrors = [f"{base}/dead/", f"{base}/corrupt/", f"{base}/good/", f"{base}/unused/"]
    path = download_file("file.bin", target, MD5, mirrors, timeout=10)
    assert path.read_bytes() == CONTENT
    assert handler.requested == ["/dead/file.bin", "/corrupt/file.bin", "/good/file.bin"]
    assert [p.name for p in target.iterdir()] == ["file.bin"]


def test_http_404_and_corrupt_mirrors_leave_no_file(server, target):
    base, _ = server
    with pytest.raises(DownloadError, match="HTTP Error 404"):
        download_file("file.bin", target, MD5, [f"{base}/dead/", f"{base}/corrupt/"], timeout=10)
    assert list(target.iterdir()) == []


# ----------------------------------------------------------------- data directory
def test_data_home_prefers_argument_then_environment_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("MYTORCH_DATA", str(tmp_path / "from-env"))
    assert data_home(tmp_path / "given") == tmp_path / "given"
    assert data_home() == tmp_path / "from-env"
    monkeypatch.delenv("MYTORCH_DATA")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_home() == tmp_path / "home" / ".cache" / "mytorch"


# ------------------------------------------------------ limits: size, deadline, names
class _Hostile(http.server.BaseHTTPRequestHandler):
    """/trickle sends one byte every 0.2 s; /slow-headers trickles its status line too;
    /liar sends more than it announces (nothing announced); /big announces too much."""

    stop: threading.Event

    def do_GET(self) -> None:
        if self.path == "/slow-headers":
            return self._trickle(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + bytes(100))
        self.send_response(200)
        if self.path == "/big":
            self.send_header("Content-Length", str(10 * len(CONTENT)))
        if self.path == "/trickle":
            self.send_header("Content-Length", "1000")
        self.end_headers()
        if self.path == "/trickle":
            return self._trickle(bytes(1000))
        self.wfile.write(CONTENT * 10)

    def _trickle(self, data: bytes) -> None:
        for byte in data:
            if self.stop.wait(0.2):
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:  # the client hung up: what the deadline is for
                return

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def hostile(monkeypatch):
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    stop = threading.Event()
    handler = type("Handler", (_Hostile,), {"stop": stop})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    stop.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


@pytest.mark.parametrize("path", ["/trickle", "/slow-headers"])
def test_a_trickling_server_cannot_outlast_the_deadline(hostile, target, path):
    start = time.monotonic()
    with pytest.raises(DownloadError, match=r"f\.bin: the download took longer than its deadline"):
        download_url(hostile + path, target / "f.bin", MD5, timeout=5, deadline=1.0)
    assert time.monotonic() - start < 3  # the 5 s read timeout never had to fire
    assert list(target.iterdir()) == []


def test_the_deadline_covers_all_mirrors(hostile, target):
    start = time.monotonic()
    with pytest.raises(DownloadError, match="not tried, the deadline of 1 seconds passed"):
        download_file("trickle", target, MD5, [hostile + "/", hostile + "/"], 5, deadline=1.0)
    assert time.monotonic() - start < 3


@pytest.mark.parametrize(
    ("path", "match"),
    [("/big", "the server announces 29,000 bytes, more than the 2,900"), ("/liar", "larger than")],
)
def test_a_download_larger_than_its_file_is_cut_off(hostile, target, path, match):
    with pytest.raises(DownloadError, match=match):
        download_url(hostile + path, target / "f.bin", MD5, size=len(CONTENT))
    assert list(target.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape.bin", "sub/f.bin", "..", "", "a\\b", "/etc/passwd"])
def test_file_names_that_leave_the_directory_are_refused(source, target, name):
    with pytest.raises(ValueError, match="is not a plain file name"):
        download_file(name, target, MD5, [source.as_uri() + "/"])
    assert not target.exists()
