"""MNIST: the bundled sample, loading IDX files, the fallback, downloads from a fake mirror."""

from __future__ import annotations

import hashlib
import re
import warnings

import numpy as np
import pytest

import mytorch
from mytorch.data import DataLoader
from mytorch.datasets import (
    MNIST,
    IDXFormatError,
    MNISTSampleWarning,
    download_mnist,
    load_mnist,
    load_mnist_sample,
)
from mytorch.datasets import mnist as mnist_module

NAMES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "t10k": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}


def _fake_mnist(write_idx, directory, prefix="t10k", count=6, suffix=".gz"):
    """Write a small MNIST-shaped images/labels pair; return the arrays."""
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=count).astype(np.uint8)
    write_idx(NAMES[prefix][0] + suffix, images, directory=directory)
    write_idx(NAMES[prefix][1] + suffix, labels, directory=directory)
    return images, labels


# ---------------------------------------------------------------- bundled sample
def test_bundled_sample_shapes_dtypes_and_labels():
    images, labels = load_mnist_sample()
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 255  # original pixels, not rescaled
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [500] * 10)


@pytest.mark.parametrize(("split", "size"), [("train", 4000), ("val", 1000)])
def test_sample_splits_are_balanced_and_match_their_documented_rows(split, size):
    images, labels = load_mnist_sample(split)
    all_images, all_labels = load_mnist_sample("all")
    rows = slice(0, 4000) if split == "train" else slice(4000, 5000)
    np.testing.assert_array_equal(images, all_images[rows])
    np.testing.assert_array_equal(labels, all_labels[rows])
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [size // 10] * 10)


def test_sample_train_and_val_share_no_digit():
    train, _ = load_mnist_sample("train")
    val, _ = load_mnist_sample("val")
    assert not {row.tobytes() for row in train} & {row.tobytes() for row in val}


def test_unknown_sample_split_is_rejected():
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist_sample("test")


def test_from_sample_is_float_in_0_1_and_batches_through_dataloader():
    train = MNIST.from_sample(train=True)
    assert train.source == "sample" and len(train) == 4000
    assert train.data.shape == (4000, 784) and train.data.dtype == np.float32
    assert not train.data.requires_grad
    raw, labels = load_mnist_sample("train")
    np.testing.assert_allclose(train.data.numpy(), raw.reshape(4000, 784) / 255, rtol=1e-6)
    np.testing.assert_array_equal(train.targets.numpy(), labels)
    images, targets = next(iter(DataLoader(train, batch_size=100, shuffle=True)))
    assert images.shape == (100, 784) and targets.dtype == np.int64


@pytest.mark.parametrize(
    ("flatten", "dtype", "shape", "expected_dtype"),
    [
        (False, mytorch.uint8, (1000, 28, 28), np.uint8),
        (True, mytorch.uint8, (1000, 784), np.uint8),
        (False, mytorch.float64, (1000, 28, 28), np.float64),
    ],
)
def test_from_sample_flatten_and_dtype(flatten, dtype, shape, expected_dtype):
    data = MNIST.from_sample(train=False, flatten=flatten, dtype=dtype).data
    assert data.shape == shape and data.dtype == expected_dtype


def test_default_dtype_follows_the_framework_default():
    mytorch.set_default_dtype(mytorch.float64)
    try:
        assert MNIST.from_sample(train=False).data.dtype == np.float64
    finally:
        mytorch.set_default_dtype(mytorch.float32)


def test_integer_dtype_other_than_uint8_is_rejected():
    with pytest.raises(ValueError, match="dtype must be uint8 or a float dtype, got int64"):
        MNIST.from_sample(dtype=mytorch.int64)


# -------------------------------------------------------------- IDX files on disk
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_mnist_reads_idx_files_from_root(tmp_path, write_idx, suffix):
    images, labels = _fake_mnist(write_idx, tmp_path, suffix=suffix)
    dataset = MNIST(root=tmp_path, train=False, flatten=False, dtype=mytorch.uint8)
    assert dataset.source == "idx" and dataset.root == tmp_path
    np.testing.assert_array_equal(dataset.data.numpy(), images)
    np.testing.assert_array_equal(dataset.targets.numpy(), labels)
    image, label = dataset[2]
    np.testing.assert_array_equal(image.numpy(), images[2])
    assert label.item() == labels[2]


def test_load_mnist_returns_scaled_flat_arrays(tmp_path, write_idx):
    images, labels = _fake_mnist(write_idx, tmp_path)
    data, targets = load_mnist(root=tmp_path, train=False)
    assert data.shape == (6, 784) and data.dtype == np.float32
    np.testing.assert_allclose(data, images.reshape(6, 784) / 255, rtol=1e-6)
    np.testing.assert_array_equal(targets, labels)


def test_a_broken_file_is_an_error_not_a_fallback(tmp_path, write_idx):
    _fake_mnist(write_idx, tmp_path, suffix="")
    path = tmp_path / NAMES["t10k"][0]
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(IDXFormatError, match="truncated"):
        MNIST(root=tmp_path, train=False)


def test_images_and_labels_of_different_lengths_are_rejected(tmp_path, write_idx):
    _fake_mnist(write_idx, tmp_path)
    write_idx(NAMES["t10k"][1] + ".gz", np.array([1, 2], dtype=np.uint8), directory=tmp_path)
    with pytest.raises(ValueError, match=r"holds 6 images but .* holds 2 labels"):
        MNIST(root=tmp_path, train=False)


# -------------------------------------------------------------------- the fallback
@pytest.mark.parametrize(("train", "size"), [(True, 4000), (False, 1000)])
def test_missing_files_fall_back_to_the_sample_with_a_warning(tmp_path, train, size):
    with pytest.warns(
        MNISTSampleWarning, match="Using the .* digits of the 5,000-digit MNIST sample"
    ):
        dataset = MNIST(root=tmp_path, train=train)
    assert dataset.source == "sample" and len(dataset) == size
    expected = MNIST.from_sample(train=train)
    np.testing.assert_array_equal(dataset.data.numpy(), expected.data.numpy())


def test_default_root_is_the_data_home(monkeypatch, tmp_path, write_idx):
    monkeypatch.setenv("MYTORCH_DATA", str(tmp_path))
    (tmp_path / "mnist").mkdir()
    images, _ = _fake_mnist(write_idx, tmp_path / "mnist")
    assert MNIST(train=False).root == tmp_path / "mnist"
    assert len(MNIST(train=False)) == len(images)


def test_without_fallback_missing_files_raise(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no train IDX files .*; pass download=True"):
        MNIST(root=tmp_path, fallback=False)


# ------------------------------------------------- downloads from a fake mirror
@pytest.fixture
def fake_mirror(tmp_path, write_idx, monkeypatch):
    """A file:// mirror with small MNIST-shaped files, and their MD5s patched in."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    arrays = {prefix: _fake_mnist(write_idx, mirror, prefix) for prefix in NAMES}
    md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in mirror.iterdir()}
    monkeypatch.setattr(mnist_module, "MNIST_MD5", md5)
    dead = (tmp_path / "dead").as_uri() + "/"
    monkeypatch.setattr(mnist_module, "MNIST_MIRRORS", (dead, mirror.as_uri() + "/"))
    return mirror, arrays


def test_download_mnist_fetches_the_four_files_once(tmp_path, fake_mirror):
    mirror, _ = fake_mirror
    directory = download_mnist(tmp_path / "cache")
    assert sorted(p.name for p in directory.iterdir()) == sorted(p.name for p in mirror.iterdir())
    for name in (tmp_path / "cache").iterdir():
        assert name.read_bytes() == (mirror / name.name).read_bytes()
    for path in mirror.iterdir():
        path.unlink()  # a second call must not need the mirror
    download_mnist(tmp_path / "cache")


def test_mnist_download_true_loads_the_downloaded_files(tmp_path, fake_mirror):
    _, arrays = fake_mirror
    dataset = MNIST(root=tmp_path / "cache", train=True, download=True, dtype=mytorch.uint8)
    assert dataset.source == "idx"
    np.testing.assert_array_equal(dataset.data.numpy(), arrays["train"][0].reshape(6, 784))


def test_mnist_download_with_a_bad_checksum_falls_back_leaving_no_file(
    tmp_path, fake_mirror, monkeypatch
):
    corrupt = dict(mnist_module.MNIST_MD5, **{"train-images-idx3-ubyte.gz": "0" * 32})
    monkeypatch.setattr(mnist_module, "MNIST_MD5", corrupt)
    cache = tmp_path / "cache"
    with pytest.warns(MNISTSampleWarning, match="(?s)the download failed: .*MD5 checksum"):
        dataset = MNIST(root=cache, train=True, download=True)
    assert dataset.source == "sample"
    assert not (cache / "train-images-idx3-ubyte.gz").exists()
    assert not [p for p in cache.iterdir() if p.name.endswith(".part")]


def test_files_in_root_are_used_without_downloading(tmp_path, write_idx, monkeypatch):
    monkeypatch.setattr(mnist_module, "MNIST_MIRRORS", ())  # any download attempt would fail
    for prefix in NAMES:
        _fake_mnist(write_idx, tmp_path, prefix)
    assert MNIST(root=tmp_path, download=True, fallback=False).source == "idx"


def test_shared_real_digits_t10k_when_present(shared_mnist):
    dataset = MNIST(root=shared_mnist, train=False, flatten=False, dtype=mytorch.uint8)
    assert dataset.source == "idx" and dataset.data.shape == (10000, 28, 28)
    counts = np.bincount(dataset.targets.numpy(), minlength=10)
    np.testing.assert_array_equal(counts, [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    # Our images re-serialised as IDX are byte for byte the original file (its README's MD5).
    header = bytes([0, 0, 8, 3]) + np.array([10000, 28, 28], ">u4").tobytes()
    original = hashlib.md5(header + dataset.data.numpy().tobytes()).hexdigest()
    assert original == "2646ac647ad5339dbf082846283269ea"
    flat = MNIST(root=shared_mnist, train=False)
    assert flat.data.shape == (10000, 784) and flat.data.dtype == np.float32
    assert float(flat.data.numpy().min()) == 0.0 and float(flat.data.numpy().max()) == 1.0


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_files_with_no_images_give_an_empty_dataset(tmp_path, write_idx, suffix):
    _fake_mnist(write_idx, tmp_path, "train", count=0, suffix=suffix)
    flat = MNIST(root=tmp_path, fallback=False)
    assert len(flat) == 0 and flat.data.shape == (0, 784) and flat.targets.shape == (0,)
    assert MNIST(root=tmp_path, flatten=False).data.shape == (0, 28, 28)  # as torchvision's
    assert list(DataLoader(flat, batch_size=10)) == []


@pytest.mark.parametrize("broken", ["loop", "dangling", "directory"])
def test_a_present_but_broken_file_is_an_error_not_the_sample(tmp_path, write_idx, broken):
    _fake_mnist(write_idx, tmp_path, "train", suffix="")
    images = tmp_path / NAMES["train"][0]
    images.unlink()
    if broken == "loop":
        images.symlink_to(tmp_path / "other")
        (tmp_path / "other").symlink_to(images)
    elif broken == "dangling":
        images.symlink_to(tmp_path / "nowhere")
    else:
        images.mkdir()
    with warnings.catch_warnings():
        warnings.simplefilter("error", MNISTSampleWarning)
        with pytest.raises(OSError, match=re.escape(str(images))):
            MNIST(root=tmp_path)
