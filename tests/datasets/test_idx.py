"""The IDX reader on small generated files: valid (raw and gzip), truncated, wrong."""

from __future__ import annotations

import gzip
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mytorch.datasets import (
    IDXFormatError,
    read_idx,
    read_mnist_images,
    read_mnist_labels,
)


def _images(count: int = 3) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, size=(count, 28, 28), dtype=np.uint8)


@pytest.mark.parametrize("name", ["images-idx3-ubyte", "images-idx3-ubyte.gz"])
def test_mnist_images_round_trip_raw_and_gzip(write_idx, name):
    images = _images()
    result = read_mnist_images(write_idx(name, images))
    assert result.dtype == np.uint8
    np.testing.assert_array_equal(result, images)
    result[0, 0, 0] = 1  # an ordinary writable array, not a view of the file's bytes


@pytest.mark.parametrize("name", ["labels-idx1-ubyte", "labels-idx1-ubyte.gz"])
def test_mnist_labels_round_trip_as_int64(write_idx, name):
    labels = np.array([7, 2, 1, 0, 9], dtype=np.uint8)
    result = read_mnist_labels(write_idx(name, labels))
    assert result.dtype == np.int64
    np.testing.assert_array_equal(result, labels)


def test_gzip_is_recognised_by_content_not_name(tmp_path, write_idx):
    plain = write_idx("labels", np.array([3, 4], dtype=np.uint8))
    disguised = tmp_path / "labels-no-suffix"
    disguised.write_bytes(gzip.compress(plain.read_bytes()))
    np.testing.assert_array_equal(read_idx(disguised), [3, 4])


@given(
    array=hnp.arrays(
        dtype=st.sampled_from([">i2", ">i4", ">f4", ">f8"]),
        shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4),
        elements={"allow_nan": False},
    )
)
def test_every_idx_type_reads_back_in_native_byte_order(tmp_path_factory, array):
    type_code = {">i2": 0x0B, ">i4": 0x0C, ">f4": 0x0D, ">f8": 0x0E}[array.dtype.str]
    header = bytes([0, 0, type_code, array.ndim]) + np.asarray(array.shape, ">u4").tobytes()
    path = tmp_path_factory.mktemp("idx") / "values-idx"
    path.write_bytes(header + array.tobytes())
    result = read_idx(path)
    assert result.dtype.isnative
    assert result.dtype == array.dtype.newbyteorder("=")
    np.testing.assert_array_equal(result, array)


@pytest.mark.parametrize("cut", [1, 100, 28 * 28])
def test_truncated_data_names_the_file_and_the_sizes(tmp_path, write_idx, cut):
    full = write_idx("images", _images()).read_bytes()
    path = tmp_path / "short-images-idx3-ubyte"
    path.write_bytes(full[:-cut])
    expected, found = 3 * 28 * 28, 3 * 28 * 28 - cut
    message = f"{path}: truncated: shape (3, 28, 28) of uint8 needs {expected} bytes of data, "
    with pytest.raises(IDXFormatError, match=re.escape(message + f"the file has {found}")):
        read_mnist_images(path)


def test_truncated_header_is_rejected(tmp_path):
    path = tmp_path / "header-only"
    path.write_bytes(bytes([0, 0, 8, 3, 0, 0, 0, 3]))  # 3 dimensions announced, 1 given
    with pytest.raises(IDXFormatError, match="truncated header: 3 dimensions need 16 bytes"):
        read_idx(path)


def test_trailing_bytes_are_rejected(tmp_path, write_idx):
    path = write_idx("labels", np.array([1, 2], dtype=np.uint8))
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(IDXFormatError, match="has trailing bytes"):
        read_mnist_labels(path)


def test_truncated_gzip_stream_is_rejected(tmp_path, write_idx):
    compressed = write_idx("images.gz", _images()).read_bytes()
    path = tmp_path / "cut-images.gz"
    path.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(IDXFormatError, match=re.escape(f"{path}: truncated or corrupt gzip")):
        read_mnist_images(path)


def test_labels_file_given_as_images_is_a_wrong_magic_error(write_idx):
    path = write_idx("labels", np.array([1, 2], dtype=np.uint8))
    with pytest.raises(IDXFormatError, match="wrong magic number 0x00000801, expected 0x00000803"):
        read_mnist_images(path)


def test_images_file_given_as_labels_is_a_wrong_magic_error(write_idx):
    path = write_idx("images", _images(1))
    with pytest.raises(IDXFormatError, match="wrong magic number 0x00000803, expected 0x00000801"):
        read_mnist_labels(path)


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x00", b"PK\x03\x04 not idx at all", bytes([0, 0, 0x07, 1, 0, 0, 0, 0])],
    ids=["empty", "too-short", "zip-file", "unknown-type-code"],
)
def test_a_file_that_is_not_idx_is_rejected(tmp_path, content):
    path = tmp_path / "not-idx"
    path.write_bytes(content)
    with pytest.raises(IDXFormatError, match=re.escape(str(path))):
        read_idx(path)


def test_images_that_are_not_28_by_28_are_rejected(write_idx):
    path = write_idx("images", np.zeros((2, 27, 28), dtype=np.uint8))
    with pytest.raises(IDXFormatError, match=r"28 x 28, this file holds shape \(2, 27, 28\)"):
        read_mnist_images(path)


def test_images_with_the_wrong_number_of_dimensions_are_rejected(write_idx):
    path = write_idx("images", np.zeros((2, 784), dtype=np.uint8))
    # The magic number carries the dimension count, so this one is caught there.
    with pytest.raises(IDXFormatError, match="wrong magic number 0x00000802"):
        read_mnist_images(path)


def test_labels_outside_0_to_9_are_rejected(write_idx):
    path = write_idx("labels", np.array([3, 10], dtype=np.uint8))
    with pytest.raises(IDXFormatError, match=r"MNIST labels are 0\.\.9, found 10"):
        read_mnist_labels(path)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="IDX file not found"):
        read_idx(tmp_path / "absent-idx1-ubyte")
