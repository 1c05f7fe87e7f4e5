"""Downloading data files safely: mirrors tried in order, checksums, atomic writes.

A file is streamed into a hidden temporary file beside its destination while its MD5
is computed; only if the checksum matches is it renamed into place with
``os.replace``, which is atomic on one file system. Whatever goes wrong (a dead
mirror, a cut connection, a wrong checksum, Ctrl-C), the temporary file is removed,
so a destination path either holds a verified file or nothing.

We use the standard library's ``urllib``: fetching a few files needs no extra
dependency, and it also reads ``file://`` URLs, which the tests use as fake mirrors.

Limits, so that a hostile or broken server cannot exhaust the disk or hang the call:

- ``size``: a download that grows past the size its checksummed file has is cut off
  and discarded (MNIST's four files have known sizes, ``MNIST_SIZES``), and refused at
  once if the server announces more;
- ``deadline`` (default 600 s): the whole download, over all mirrors, ends with a
  ``DownloadError`` once it passes, however the server trickles its bytes (a
  per-read ``timeout`` alone would wait forever for a byte every half second): a
  watchdog shuts the connection down;
- ``download_file`` refuses a file name that is not a plain name (``../x``, ``a/b``),
  which would write outside its directory.
"""

from __future__ import annotations

import hashlib
import http.client
import logging
import os
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

from mytorch.datasets.watchdog import Watchdog
from mytorch.datasets.watchdog import open_url as _open_url

__all__ = ["ChecksumError", "DownloadError", "data_home", "download_file", "download_url"]

logger = logging.getLogger(__name__)

_CHUNK_BYTES = 1 << 20
DEFAULT_DEADLINE = 600.0  # seconds for one file, over all its mirrors


class DownloadError(OSError):
    """Raised when a file cannot be downloaded from any of its mirrors.

    Examples
    --------
    >>> import tempfile
    >>> import mytorch
    >>> from mytorch.datasets import DownloadError, download_file
    >>> try:
    ...     download_file("x.bin", tempfile.mkdtemp(), "0" * 32, mirrors=[])
    ... except DownloadError as error:
    ...     print(error)
    could not download x.bin from any mirror:
      (none)
    """


class ChecksumError(DownloadError):
    """Raised when downloaded content does not match its expected checksum.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.datasets import ChecksumError, DownloadError
    >>> issubclass(ChecksumError, DownloadError)
    True
    """


def data_home(root: str | os.PathLike[str] | None = None) -> Path:
    """The directory where MyTorch keeps downloaded data.

    ``root`` if given, else the ``MYTORCH_DATA`` environment variable, else
    ``~/.cache/mytorch``.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.datasets import data_home
    >>> str(data_home("/tmp/my-data"))
    '/tmp/my-data'
    """
    if root is not None:
        return Path(root).expanduser()
    from_env = os.environ.get("MYTORCH_DATA")
    if from_env:
        return Path(from_env).expanduser()
    return Path.home() / ".cache" / "mytorch"


def download_url(
    url: str,
    destination: str | os.PathLike[str],
    md5: str,
    timeout: float = 30.0,
    *,
    size: int | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> Path:
    """Download ``url`` to ``destination`` if and only if its content has MD5 ``md5``.

    Parameters
    ----------
    url : str
        Any URL ``urllib`` reads: ``https://``, ``http://``, ``file://``.
    destination : path-like
        The file to write; its directory is created if needed.
    md5 : str
        The expected MD5 hex digest of the content.
    timeout : float, default 30
        Seconds to wait for the connection, and for each read.
    size : int, optional
        The content's expected size in bytes: more is refused without reading it.
    deadline : float or None, default 600
        Seconds the whole download may take; None for no limit.

    Returns
    -------
    pathlib.Path
        ``destination``.

    Raises
    ------
    ChecksumError
        If the content's MD5 differs.
    DownloadError
        If the content is larger than ``size``, or the deadline passes.
    OSError
        (``urllib.error.URLError`` and others) if the URL cannot be read.
        Whatever fails, nothing is written: a file already at ``destination`` is
        left as it was.

    Examples
    --------
    >>> import hashlib, pathlib, tempfile
    >>> import mytorch
    >>> from mytorch.datasets import download_url
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "source.txt").write_bytes(b"digits")
    >>> md5 = hashlib.md5(b"digits").hexdigest()
    >>> download_url((folder / "source.txt").as_uri(), folder / "copy.txt", md5).read_bytes()
    b'digits'
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    # Hidden, unique, and beside the destination so that os.replace renames within one
    # file system (atomic) rather than copying.
    temporary = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        found = _fetch(url, temporary, destination.name, timeout, size, deadline)
        if found != md5.lower():
            # The message names the file, not the URL: download_file adds the URL.
            raise ChecksumError(
                f"{destination.name}: MD5 checksum {found} does not match the expected "
                f"{md5}; the download was discarded"
            )
        os.replace(temporary, destination)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return destination


def _fetch(
    url: str, path: Path, name: str, timeout: float, size: int | None, deadline: float | None
) -> str:
    """Stream ``url`` into the new file ``path``, within the limits; return its MD5."""
    # MD5 checks integrity here, not authenticity: it is the checksum the MNIST files
    # are listed with (by torchvision, for one).
    digest = hashlib.md5(usedforsecurity=False)
    received = 0
    watchdog = Watchdog(deadline, DownloadError)
    try:
        with open(path, "xb") as handle, _open_url(url, timeout, watchdog) as response:
            announced = getattr(response, "headers", {}).get("Content-Length", "")
            if size is not None and announced.isdigit() and int(announced) > size:
                raise DownloadError(
                    f"{name}: the server announces {int(announced):,} bytes, more than the "
                    f"{size:,} bytes of the expected file; nothing was downloaded"
                )
            read = getattr(response, "read1", response.read)  # one recv, not a full buffer
            while True:
                wanted = _CHUNK_BYTES if size is None else min(_CHUNK_BYTES, size - received + 1)
                chunk = read(wanted)
                watchdog.check(name)
                if not chunk:
                    break
                received += len(chunk)
                if size is not None and received > size:
                    raise DownloadError(
                        f"{name}: the download is larger than the {size:,} bytes of the "
                        "expected file; it was cut off and discarded"
                    )
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes reach the disk before the rename
    except (OSError, http.client.HTTPException) as error:
        if watchdog.expired and not isinstance(error, DownloadError):
            raise watchdog.error(name) from error
        raise
    finally:
        watchdog.cancel()
    return digest.hexdigest()


def download_file(
    filename: str,
    directory: str | os.PathLike[str],
    md5: str,
    mirrors: Sequence[str],
    timeout: float = 30.0,
    *,
    size: int | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
) -> Path:
    """Download ``filename`` into ``directory`` from the first mirror that serves it intact.

    Parameters
    ----------
    filename : str
        The file's name, appended to each mirror's base URL.
    directory : path-like
        Where to write it (created if needed).
    md5 : str
        Its expected MD5 hex digest.
    mirrors : sequence of str
        Base URLs ending in ``/``, tried in order.
    timeout : float, default 30
        Seconds to wait for each connection, and for each read.
    size : int, optional
        The file's size in bytes: a mirror serving more is cut off.
    deadline : float or None, default 600
        Seconds for the whole download, over all mirrors; None for no limit.

    Returns
    -------
    pathlib.Path
        The downloaded file.

    Raises
    ------
    ValueError
        If ``filename`` is not a plain file name (it would leave ``directory``).
    DownloadError
        If no mirror served the file with the right checksum; the message lists each
        mirror's failure. Nothing is written.

    Examples
    --------
    >>> import hashlib, pathlib, tempfile
    >>> import mytorch
    >>> from mytorch.datasets import download_file
    >>> source, target = pathlib.Path(tempfile.mkdtemp()), pathlib.Path(tempfile.mkdtemp())
    >>> _ = (source / "a.bin").write_bytes(b"ok")
    >>> mirrors = [(source / "missing").as_uri() + "/", source.as_uri() + "/"]
    >>> download_file("a.bin", target, hashlib.md5(b"ok").hexdigest(), mirrors).name
    'a.bin'
    """
    if (
        not filename
        or filename in (".", "..")
        or any(sep in filename for sep in ("/", "\\", "\0"))
        or Path(filename).name != filename
    ):
        raise ValueError(
            f"download_file: {filename!r} is not a plain file name; it would be written "
            f"outside {directory}"
        )
    failures = []
    end = None if deadline is None else time.monotonic() + deadline
    for mirror in mirrors:
        url = mirror + filename
        left = None if end is None else end - time.monotonic()
        if left is not None and left <= 0:
            failures.append(f"  {url}: not tried, the deadline of {deadline:g} seconds passed")
            continue
        try:
            logger.info("downloading %s", url)
            return download_url(
                url, Path(directory) / filename, md5, timeout=timeout, size=size, deadline=left
            )
        # http.client's errors (a connection cut mid-body) are not OSErrors.
        except (OSError, http.client.HTTPException) as error:
            logger.info("failed to download %s: %s", url, error)
            failures.append(f"  {url}: {error}")
    raise DownloadError(
        f"could not download {filename} from any mirror:\n" + ("\n".join(failures) or "  (none)")
    )
