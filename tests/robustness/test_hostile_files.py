"""Hostile files: damaged or malicious state files, bad MNIST files, tampered downloads.

One table, as in ``test_hostile_input.py``: each case must raise the exception type
given, with a message naming the file and the problem, and change nothing (see
``refused`` in conftest.py): every directory keeps exactly its files and their bytes.
A state file holding a pickled object must be refused without being unpickled: the
object here would create a marker file if it ever were.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from hostile_tables import Case, params

import mytorch
from mytorch.datasets import (
    MNIST,
    ChecksumError,
    DownloadError,
    IDXFormatError,
    download_file,
    download_url,
    read_idx,
    read_mnist_images,
    read_mnist_labels,
)
from mytorch.datasets import mnist as mnist_module


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=array.dtype.kind == "O")
    return buffer.getvalue()


MANIFEST_TEXT = json.dumps(
    {"format": "mytorch", "version": 1, "root": {"kind": "ndarray", "array": "array_0"}}
)
MANIFEST = npy(np.frombuffer(MANIFEST_TEXT.encode(), dtype=np.uint8))


def archive(tmp: Path, members: dict[str, bytes], name: str = "state.npz") -> Path:
    path = tmp / name
    with zipfile.ZipFile(path, "w") as file:
        for member, content in members.items():
            file.writestr(member, content)
    return path


class Unpickled:
    """Unpickling this creates the file ``marker``: proof that it was unpickled."""

    marker: Path

    def __reduce__(self) -> tuple[Any, ...]:
        return Path.touch, (self.marker,)


def written(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def pickle_archive(tmp: Path) -> Path:
    Unpickled.marker = tmp / "unpickled"
    evil = np.array([Unpickled()], dtype=object)
    return archive(tmp, {"manifest.npy": MANIFEST, "array_0.npy": npy(evil)})


def saved(tmp: Path) -> Path:
    mytorch.save({"weight": mytorch.ones(100)}, tmp / "state.npz")
    return tmp / "state.npz"


def damaged(tmp: Path) -> Path:
    content = bytearray(saved(tmp).read_bytes())
    content[content.find(b"array_0.npy") + 40] ^= 0xFF  # inside the compressed array
    return written(tmp / "state.npz", bytes(content))


def truncated(tmp: Path) -> Path:
    return written(tmp / "state.npz", saved(tmp).read_bytes()[:200])


def idx(tmp: Path, magic: int, sizes: list[int], data: bytes, name: str = "idx") -> Path:
    header = magic.to_bytes(4, "big") + b"".join(n.to_bytes(4, "big") for n in sizes)
    return written(tmp / name, header + data)


def mnist_mismatch(tmp: Path) -> Path:
    idx(tmp, 0x803, [2, 28, 28], bytes(2 * 28 * 28), "train-images-idx3-ubyte")
    idx(tmp, 0x801, [3], bytes(3), "train-labels-idx1-ubyte")
    return tmp


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return header.getvalue()


def zeros_bomb(tmp: Path) -> Path:
    """128 kB of deflated zeros that would inflate to 128 MiB (2 GB from 2 MB, smaller)."""
    path = tmp / "bomb.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as file:
        file.writestr("manifest.npy", MANIFEST)
        with file.open("array_0.npy", "w", force_zip64=True) as member:
            member.write(npy_header((2**24,)))
            chunk = bytes(2**24)
            for _ in range(2**27 // len(chunk)):
                member.write(chunk)
    return path


def big_manifest(tmp: Path) -> Path:
    """A manifest of 5 MiB (spaces are valid JSON), over MAX_MANIFEST_BYTES."""
    text = MANIFEST_TEXT.replace("{", "{" + " " * (5 * 2**20), 1).encode()
    manifest = npy(np.frombuffer(text, dtype=np.uint8))
    path = tmp / "state.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as file:
        file.writestr("manifest.npy", manifest)
        file.writestr("array_0.npy", npy(np.ones(2)))
    return path


def bzip2_archive(tmp: Path) -> Path:
    path = tmp / "state.npz"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_BZIP2) as file:
        file.writestr("manifest.npy", MANIFEST)
        file.writestr("array_0.npy", npy(np.ones(2)))
    return path


def loop(tmp: Path, name: str) -> Path:
    """A symbolic link loop under ``name`` (and ``name + '.loop'``)."""
    (tmp / name).symlink_to(tmp / f"{name}.loop")
    (tmp / f"{name}.loop").symlink_to(tmp / name)
    return tmp / name


def mnist_loop(tmp: Path) -> Path:
    loop(tmp, "train-images-idx3-ubyte")
    idx(tmp, 0x801, [0], b"", "train-labels-idx1-ubyte")
    return tmp


def gzipped(tmp: Path, content: bytes) -> Path:
    return written(tmp / "labels.gz", gzip.compress(content))


def mirror(tmp: Path) -> Path:
    """A directory to serve as a file:// mirror, with tampered files."""
    (tmp / "mirror").mkdir()
    written(tmp / "mirror" / "f.bin", b"tampered")
    written(tmp / "mirror" / "train-images-idx3-ubyte.gz", b"tampered")
    return tmp / "mirror"


def download_mnist_from(source: Path, root: Path) -> Any:
    with mock.patch.object(mnist_module, "MNIST_MIRRORS", (source.as_uri() + "/",)):
        return MNIST(root, download=True, fallback=False)


MD5 = hashlib.md5(b"original").hexdigest()
LABELS_12 = bytes([0, 0, 8, 1, 0, 0, 0, 12]) + bytes(12)  # an IDX file of 12 labels
TRAVERSAL = {"manifest.npy": MANIFEST, "array_0.npy": npy(np.ones(2)), "../x.npy": npy(np.ones(2))}

# Each case's call gets what build returns; the test also watches the whole directory.
CASES = [
    # Saving and loading state files.
    Case(
        "save: a set",
        lambda tmp: [tmp / "s.npz"],
        lambda path: mytorch.save({"x": {1}}, path),
        TypeError,
        r"save: cannot store obj\['x'\], a set",
    ),
    Case(
        "save: an object array, over a file",
        lambda tmp: [saved(tmp)],
        lambda path: mytorch.save({"x": np.array([None])}, path),
        TypeError,
        r"save: obj\['x'\] has dtype object",
    ),
    Case(
        "load: a missing file",
        lambda tmp: [tmp / "none.npz"],
        mytorch.load,
        FileNotFoundError,
        r"none\.npz",
    ),
    Case(
        "load: a truncated file",
        lambda tmp: [truncated(tmp)],
        mytorch.load,
        ValueError,
        r"load: '.*state\.npz' is not a valid MyTorch file",
    ),
    Case(
        "load: not a zip",
        lambda tmp: [written(tmp / "x.npz", b"PK hi")],
        mytorch.load,
        ValueError,
        r"load: '.*x\.npz' is not a valid MyTorch file",
    ),
    Case(
        "load: a pickled object, never unpickled",
        lambda tmp: [pickle_archive(tmp)],
        mytorch.load,
        ValueError,
        r"member array_0\.npy cannot be read",
    ),
    Case(
        "load: a path traversal member",
        lambda tmp: [archive(tmp, TRAVERSAL)],
        mytorch.load,
        ValueError,
        r"unexpected members \['\.\./x\.npy'\]",
    ),
    Case(
        "load: an absolute member",
        lambda tmp: [archive(tmp, {"manifest.npy": MANIFEST, "/tmp/x.npy": npy(np.ones(2))})],
        mytorch.load,
        ValueError,
        r"unexpected members \['/tmp/x\.npy'\]",
    ),
    Case(
        "load: no manifest",
        lambda tmp: [archive(tmp, {"array_0.npy": npy(np.ones(2))})],
        mytorch.load,
        ValueError,
        r"has no manifest\.npy member",
    ),
    Case(
        "load: a damaged member",
        lambda tmp: [damaged(tmp)],
        mytorch.load,
        ValueError,
        r"not a valid MyTorch file: .*damaged",
    ),
    Case(
        "load: deflated zeros that inflate 1000-fold",
        lambda tmp: [zeros_bomb(tmp)],
        mytorch.load,
        ValueError,
        r"bomb\.npz' exceeds a limit .*134,218,\d+ bytes in all, 1,0\d\d times"
        r".*MAX_COMPRESSION_RATIO = 100",
    ),
    Case(
        "load: a 5 MiB manifest",
        lambda tmp: [big_manifest(tmp)],
        mytorch.load,
        ValueError,
        r"state\.npz' exceeds a limit .*manifest declares .*MAX_MANIFEST_BYTES = 4,194,304",
    ),
    Case(
        "load: trailing bytes after an array member",
        lambda tmp: [
            archive(tmp, {"manifest.npy": MANIFEST, "array_0.npy": npy(np.ones(2)) + b"x"})
        ],
        mytorch.load,
        ValueError,
        r"member array_0\.npy has trailing bytes: its header describes 16 bytes .* holds 17",
    ),
    Case(
        "load: a header far larger than its member",
        lambda tmp: [
            archive(tmp, {"manifest.npy": MANIFEST, "array_0.npy": npy_header((10**12,))})
        ],
        mytorch.load,
        ValueError,
        r"member array_0\.npy has too few bytes: its header describes 8,000,000,000,000 bytes",
    ),
    Case(
        "load: a bzip2 member",
        lambda tmp: [bzip2_archive(tmp)],
        mytorch.load,
        ValueError,
        r"use a compression other than deflate",
    ),
    Case(
        "load: a symlink loop",
        lambda tmp: [loop(tmp, "state.npz")],
        mytorch.load,
        OSError,
        r"Too many levels of symbolic links: '.*state\.npz'",
    ),
    Case(
        "save: through a symlink loop",
        lambda tmp: [loop(tmp, "state.npz")],
        lambda path: mytorch.save({"a": 1}, path),
        OSError,
        r"save: too many levels of symbolic links",
    ),
    Case(
        "load: weights_only=False",
        lambda tmp: [saved(tmp)],
        lambda path: mytorch.load(path, weights_only=False),
        ValueError,
        r"weights_only=False is not supported: .* never unpickles",
    ),
    Case(
        "load: map_location='cuda:0'",
        lambda tmp: [saved(tmp)],
        lambda path: mytorch.load(path, map_location="cuda:0"),
        RuntimeError,
        r"map_location='cuda:0': MyTorch runs on the CPU only",
    ),
    Case(
        "save: a whole Module, over a file",
        lambda tmp: [saved(tmp)],
        lambda path: mytorch.save(mytorch.nn.Linear(2, 3), path),
        TypeError,
        r"save: cannot store obj, a Linear object; save its state_dict\(\) instead",
    ),
    Case(
        "save: safetensors of a nested dict",
        lambda tmp: [saved(tmp)],
        lambda path: mytorch.save({"a": {"b": mytorch.ones(1)}}, path, format="safetensors"),
        TypeError,
        r"format='safetensors' stores only numeric tensors; obj\['a'\] is a dict",
    ),
    # MNIST files and downloads.
    Case(
        "read_mnist_images: magic",
        lambda tmp: [idx(tmp, 0x801, [2], bytes(2))],
        read_mnist_images,
        IDXFormatError,
        r"wrong magic number 0x00000801, expected 0x00000803",
    ),
    Case(
        "read_mnist_images: truncated",
        lambda tmp: [idx(tmp, 0x803, [2, 28, 28], bytes(100))],
        read_mnist_images,
        IDXFormatError,
        r"truncated: shape \(2, 28, 28\) .*1568 .*has 100",
    ),
    Case(
        "read_mnist_images: 27 x 28",
        lambda tmp: [idx(tmp, 0x803, [1, 27, 28], bytes(756))],
        read_mnist_images,
        IDXFormatError,
        r"MNIST images are 28 x 28, .*\(1, 27, 28\)",
    ),
    Case(
        "read_mnist_labels: trailing bytes",
        lambda tmp: [idx(tmp, 0x801, [2], bytes(3))],
        read_mnist_labels,
        IDXFormatError,
        r"has trailing bytes",
    ),
    Case(
        "read_mnist_labels: label 12",
        lambda tmp: [idx(tmp, 0x801, [2], bytes([3, 12]))],
        read_mnist_labels,
        IDXFormatError,
        r"labels are 0\.\.9, found 12",
    ),
    Case(
        "read_mnist_labels: broken gzip",
        lambda tmp: [written(tmp / "l.gz", gzip.compress(LABELS_12)[:-6])],
        read_mnist_labels,
        IDXFormatError,
        r"l\.gz: truncated or corrupt gzip",
    ),
    Case(
        "read_idx: 100 dimensions, numpy holds at most 64",
        lambda tmp: [idx(tmp, 0x864, [0] + [1] * 99, b"")],
        read_idx,
        IDXFormatError,
        r"header's shape \(0, 1, 1, .* cannot be held in a numpy array",
    ),
    Case(
        "read_mnist_labels: gzip inflating past its header",
        lambda tmp: [gzipped(tmp, bytes([0, 0, 8, 1, 0, 0, 0, 2]) + bytes(10**7))],
        read_mnist_labels,
        IDXFormatError,
        r"labels\.gz: has trailing bytes: it inflates past the 2 bytes",
    ),
    Case(
        "read_mnist_images: a raw file far larger than its header says",
        lambda tmp: [idx(tmp, 0x803, [1, 28, 28], bytes(10**6))],
        read_mnist_images,
        IDXFormatError,
        r"has trailing bytes: shape \(1, 28, 28\) of uint8 needs 784 bytes .* has 1000000",
    ),
    Case(
        "MNIST: a symlink loop is an error, not the sample",
        lambda tmp: [mnist_loop(tmp)],
        lambda root: MNIST(root, fallback=True),
        OSError,
        r"Too many levels of symbolic links: '.*train-images-idx3-ubyte'",
    ),
    Case(
        "download_file: a name that leaves the directory",
        lambda tmp: [mirror(tmp), tmp / "data"],
        lambda source, target: download_file("../f.bin", target, MD5, [source.as_uri() + "/"]),
        ValueError,
        r"'\.\./f\.bin' is not a plain file name; it would be written outside",
    ),
    Case(
        "MNIST: 2 images, 3 labels",
        lambda tmp: [mnist_mismatch(tmp)],
        MNIST,
        ValueError,
        r"MNIST: .*holds 2 images but .* holds 3 labels",
    ),
    Case(
        "download_file: checksum",
        lambda tmp: [mirror(tmp), tmp / "data"],
        lambda source, target: download_file("f.bin", target, MD5, [source.as_uri() + "/"]),
        DownloadError,
        r"f\.bin: MD5 checksum [0-9a-f]{32} does not match the expected " + MD5,
    ),
    Case(
        "download_url: checksum, over a file",
        lambda tmp: [mirror(tmp) / "f.bin", written(tmp / "old.bin", b"old")],
        lambda source, target: download_url(source.as_uri(), target, MD5),
        ChecksumError,
        r"old\.bin: MD5 checksum [0-9a-f]{32} does not match",
    ),
    Case(
        "MNIST(download=True): checksum",
        lambda tmp: [mirror(tmp), tmp / "mnist"],
        download_mnist_from,
        FileNotFoundError,
        r"train-images-idx3-ubyte\.gz: MD5 checksum [0-9a-f]{32} does not match",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_hostile_files_are_refused_clearly_and_change_nothing(
    case: Case, tmp_path: Path, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(tmp_path), case.error, case.match, also=tmp_path)
