"""Reading IDX files, the simple binary format the MNIST digits are distributed in.

An IDX file is a 4-byte magic number, one 4-byte size per dimension, then the values
in C order, all big-endian. The magic number is two zero bytes, a type code (0x08 for
unsigned bytes) and the number of dimensions: 0x00000803 for MNIST's images
(N x 28 x 28) and 0x00000801 for its labels (N). Files may be gzip-compressed, as
they are published; we recognise gzip by its first two bytes, not by the file name.
Every check runs before the data is used, and every error names the file.
"""

from __future__ import annotations

import contextlib
import gzip
import math
import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np

__all__ = [
    "IDX_IMAGES_MAGIC",
    "IDX_LABELS_MAGIC",
    "IDXFormatError",
    "read_idx",
    "read_mnist_images",
    "read_mnist_labels",
]

IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801

# The IDX type codes and the big-endian numpy dtypes they stand for.
_IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


class IDXFormatError(ValueError):
    """Raised for a file that is not a well-formed IDX file of the expected kind.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import mytorch
    >>> from mytorch.datasets import IDXFormatError, read_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "short-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 5, 1, 2]))
    >>> try:
    ...     read_idx(path)
    ... except IDXFormatError as error:
    ...     print(str(error).split(": ", 1)[1])
    truncated: shape (5,) of uint8 needs 5 bytes of data, the file has 2
    """


def read_idx(path: str | os.PathLike[str], magic: int | None = None) -> np.ndarray:
    """Read an IDX file (gzip-compressed or not) into a numpy array.

    Parameters
    ----------
    path : str or path-like
        The file.
    magic : int, optional
        The magic number the file must have, such as ``IDX_IMAGES_MAGIC``.

    Returns
    -------
    numpy.ndarray
        The values, with the file's shape, in native byte order.

    Raises
    ------
    FileNotFoundError
        If there is no such file.
    IDXFormatError
        If the file is a broken gzip file, has a bad or unexpected magic number, or
        holds fewer or more bytes of data than its dimensions say.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import mytorch
    >>> from mytorch.datasets import read_idx
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "tiny-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]))
    >>> read_idx(path)
    array([7, 2, 1], dtype=uint8)
    """
    path = Path(path)
    with _open(path) as (stream, size):
        try:
            return _read(stream, size, path, magic)
        except (EOFError, OSError, zlib.error) as error:  # gzip.BadGzipFile is an OSError
            raise IDXFormatError(f"{path}: truncated or corrupt gzip file ({error})") from error


def _read(stream: BinaryIO, size: int | None, path: Path, magic: int | None) -> np.ndarray:
    """Parse the header, check the size it implies, then read exactly that much data.

    ``size`` is the file's size for a raw file, None for a gzip stream (whose size is
    known only once inflated: it is read no further than the header says, plus one byte).
    """
    content = stream.read(4)
    if len(content) < 4:
        raise IDXFormatError(f"{path}: too short to be an IDX file ({len(content)} bytes)")
    found = int.from_bytes(content[:4], "big")
    type_code, ndim = content[2], content[3]
    if content[:2] != b"\x00\x00" or type_code not in _IDX_DTYPES or ndim == 0:
        raise IDXFormatError(f"{path}: not an IDX file (magic number 0x{found:08x})")
    if magic is not None and found != magic:
        raise IDXFormatError(
            f"{path}: wrong magic number 0x{found:08x}, expected 0x{magic:08x}; "
            "is it the right file?"
        )
    header_size = 4 + 4 * ndim
    sizes = stream.read(4 * ndim)
    if len(sizes) < 4 * ndim:
        raise IDXFormatError(
            f"{path}: truncated header: {ndim} dimensions need {header_size} bytes, "
            f"the file has {4 + len(sizes)}"
        )
    shape = tuple(int.from_bytes(sizes[i : i + 4], "big") for i in range(0, 4 * ndim, 4))
    dtype = _IDX_DTYPES[type_code]
    expected = math.prod(shape) * dtype.itemsize
    if size is not None and size - header_size != expected:
        _size_error(path, shape, dtype, expected, size - header_size)
    try:
        data = np.empty(shape, dtype=dtype.newbyteorder("="))
    except (ValueError, MemoryError) as error:
        raise IDXFormatError(
            f"{path}: its header's shape {shape} of {dtype.name} cannot be held in a numpy "
            f"array ({type(error).__name__}: {error})"
        ) from None
    raw = data.reshape(-1).view(np.uint8) if data.size else np.empty(0, np.uint8)
    view, filled = memoryview(raw), 0
    while filled < expected:
        count = stream.readinto(view[filled:])
        if not count:
            _size_error(path, shape, dtype, expected, filled)
        filled += count
    if stream.read(1):
        # Only a gzip stream gets here: a raw file's size was checked above.
        raise IDXFormatError(
            f"{path}: has trailing bytes: it inflates past the {expected} bytes of data "
            f"that its header's shape {shape} of {dtype.name} needs"
        )
    if dtype.byteorder == ">" and dtype.itemsize > 1:
        data.byteswap(inplace=True)  # the file is big-endian; the array is native
    return data


def _size_error(path: Path, shape: tuple[int, ...], dtype: np.dtype, expected: int, found: int):
    problem = "truncated" if found < expected else "has trailing bytes"
    raise IDXFormatError(
        f"{path}: {problem}: shape {shape} of {dtype.name} needs {expected} bytes of "
        f"data, the file has {found}"
    )


def read_mnist_images(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an MNIST images file: uint8 of shape (N, 28, 28).

    Raises
    ------
    IDXFormatError
        As ``read_idx`` does, and if the images are not 28 x 28.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import mytorch
    >>> from mytorch.datasets import read_mnist_images
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "images-idx3-ubyte"
    >>> header = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28])
    >>> _ = path.write_bytes(header + bytes(2 * 28 * 28))
    >>> read_mnist_images(path).shape
    (2, 28, 28)
    """
    images = read_idx(path, magic=IDX_IMAGES_MAGIC)
    if images.shape[1:] != (28, 28):
        raise IDXFormatError(
            f"{path}: MNIST images are 28 x 28, this file holds shape {images.shape}"
        )
    return images


def read_mnist_labels(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an MNIST labels file: int64 digits 0..9 of shape (N,).

    Raises
    ------
    IDXFormatError
        As ``read_idx`` does, and for a label outside 0..9.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import mytorch
    >>> from mytorch.datasets import read_mnist_labels
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels-idx1-ubyte"
    >>> _ = path.write_bytes(bytes([0, 0, 8, 1, 0, 0, 0, 2, 4, 9]))
    >>> read_mnist_labels(path)
    array([4, 9])
    """
    labels = read_idx(path, magic=IDX_LABELS_MAGIC)
    if labels.size and labels.max() > 9:
        raise IDXFormatError(f"{path}: MNIST labels are 0..9, found {int(labels.max())}")
    return labels.astype(np.int64)


@contextlib.contextmanager
def _open(path: Path) -> Iterator[tuple[BinaryIO, int | None]]:
    """The file's data stream (inflated if it is gzip) and its size (None for gzip)."""
    try:
        file = open(path, "rb")  # noqa: SIM115 (closed below)
    except FileNotFoundError:
        raise FileNotFoundError(f"IDX file not found: {path}") from None
    with file:
        if file.read(2) != _GZIP_MAGIC:
            file.seek(0)
            yield file, os.fstat(file.fileno()).st_size
            return
        file.seek(0)
        with gzip.GzipFile(fileobj=file) as stream:
            yield stream, None
