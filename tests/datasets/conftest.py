"""Fixtures for the dataset tests: an isolated data home and an IDX file writer."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _isolated_data_home(tmp_path_factory, monkeypatch):
    """Point MYTORCH_DATA at an empty directory, so no test reads or writes ~/.cache."""
    monkeypatch.setenv("MYTORCH_DATA", str(tmp_path_factory.mktemp("data_home")))


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """An IDX file's bytes: magic number, big-endian sizes, big-endian values."""
    dtype = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
    header = bytes([0, 0, type_code, array.ndim])
    sizes = np.asarray(array.shape, dtype=">u4").tobytes()
    return header + sizes + array.astype(dtype[type_code]).tobytes()


@pytest.fixture
def write_idx(tmp_path):
    """Write an array as an IDX file (gzipped if the name ends in .gz); return its path."""

    def write(name: str, array: np.ndarray, type_code: int = 0x08, directory: Path = tmp_path):
        content = idx_bytes(np.asarray(array), type_code)
        if name.endswith(".gz"):
            content = gzip.compress(content)
        path = directory / name
        path.write_bytes(content)
        return path

    return write


@pytest.fixture
def shared_mnist() -> Path:
    """The real MNIST t10k files beside the project (``../shared/data/mnist``), or skip."""
    default = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "mnist"
    directory = Path(os.environ.get("MYTORCH_SHARED_MNIST", default))
    names = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
    if not all((directory / name).is_file() for name in names):
        pytest.skip(f"the shared MNIST t10k files are not in {directory}")
    return directory
