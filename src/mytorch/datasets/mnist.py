"""The MNIST handwritten digits: ``MNIST`` (a dataset), ``load_mnist`` (arrays), downloads.

Where the data comes from, in order:

1. the IDX files in ``root`` (``train-images-idx3-ubyte`` and
   ``train-labels-idx1-ubyte``, or ``t10k-...`` for ``train=False``, each raw or
   ``.gz``); ``root`` defaults to ``data_home() / "mnist"``, which is
   ``$MYTORCH_DATA/mnist`` or ``~/.cache/mytorch/mnist``;
2. with ``download=True``, the missing files fetched into ``root`` from the mirrors in
   ``MNIST_MIRRORS``, each checked against its MD5 in ``MNIST_MD5``;
3. otherwise, unless ``fallback=False``, the 5,000-digit sample bundled with MyTorch
   (``train=True``: its 4,000 training digits, ``train=False``: its 1,000 validation
   digits), with an ``MNISTSampleWarning`` saying so.

A file that is present but broken is an error, never a reason to fall back.
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor
from mytorch.datasets.download import DownloadError, data_home, download_file
from mytorch.datasets.idx import read_mnist_images, read_mnist_labels
from mytorch.datasets.sample import MNISTSampleWarning, load_mnist_sample
from mytorch.utils.data.dataset import TensorDataset

__all__ = ["MNIST", "MNIST_MD5", "MNIST_MIRRORS", "MNIST_SIZES", "download_mnist", "load_mnist"]

# Tried in order. yann.lecun.com, the original home, now often refuses downloads.
MNIST_MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
# The MD5s of the published gzip files, as torchvision lists them.
MNIST_MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
# Their sizes in bytes: a download that grows past its file's size is cut off.
MNIST_SIZES = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}

PathLike = str | os.PathLike[str]


def download_mnist(root: PathLike | None = None, timeout: float = 30.0) -> Path:
    """Download the four MNIST files into ``root`` unless they are already there.

    A file counts as there if it is present raw or gzipped (the IDX reader checks it
    when it is loaded). Each download tries ``MNIST_MIRRORS`` in order and is kept
    only if its MD5 matches; one that grows past its size in ``MNIST_SIZES`` is cut
    off, and each file must arrive within ``download_file``'s deadline (600 s).

    Returns
    -------
    pathlib.Path
        The directory holding the files.

    Raises
    ------
    DownloadError
        If a missing file could not be downloaded from any mirror.

    Examples
    --------
    This one needs the network, so it is not run as a test:

    >>> import mytorch
    >>> from mytorch.datasets import download_mnist
    >>> download_mnist()  # doctest: +SKIP
    PosixPath('/home/me/.cache/mytorch/mnist')
    """
    directory = _mnist_dir(root)
    for filename, md5 in MNIST_MD5.items():
        if _find(directory, filename.removesuffix(".gz")) is None:
            download_file(
                filename, directory, md5, MNIST_MIRRORS, timeout, size=MNIST_SIZES[filename]
            )
    return directory


def load_mnist(
    root: PathLike | None = None,
    train: bool = True,
    download: bool = False,
    flatten: bool = True,
    dtype: Any = None,
    fallback: bool = True,
) -> tuple[np.ndarray, np.ndarray]:
    """Load MNIST as numpy arrays ``(images, labels)``; the arguments are ``MNIST``'s.

    Examples
    --------
    >>> import warnings
    >>> import mytorch
    >>> from mytorch.datasets import load_mnist
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # the sample's notice, if the files are absent
    ...     images, labels = load_mnist(train=False, flatten=False, dtype=mytorch.uint8)
    >>> images.shape[1:], images.dtype, labels.dtype
    ((28, 28), dtype('uint8'), dtype('int64'))
    """
    images, labels, _ = _load(root, train, download, fallback)
    return _convert(images, flatten, dtype), labels


class MNIST(TensorDataset):
    """The MNIST digits as a dataset of ``(image, label)`` pairs.

    Parameters
    ----------
    root : path-like, optional
        The directory with the IDX files. Default: ``data_home() / "mnist"``
        (``$MYTORCH_DATA/mnist``, else ``~/.cache/mytorch/mnist``).
    train : bool, default True
        The 60,000 training digits, else the 10,000 test digits.
    download : bool, default False
        Whether to download missing files into ``root``.
    flatten : bool, default True
        Images of shape (784,) rather than (28, 28).
    dtype : dtype, optional
        ``mytorch.uint8`` for the raw pixels 0..255, or a float dtype for pixels
        scaled to [0, 1]. Default: the default float dtype (float32).
    fallback : bool, default True
        When the files are neither present nor downloadable, use the bundled sample
        (4,000 training or 1,000 validation digits) with an ``MNISTSampleWarning``;
        with False, raise ``FileNotFoundError`` instead.

    Attributes
    ----------
    data : Tensor
        The images, (N, 784) or (N, 28, 28).
    targets : Tensor
        The labels 0..9, int64, (N,).
    source : str
        ``"idx"`` (the IDX files in ``root``) or ``"sample"`` (the bundled sample).
    root : pathlib.Path or None
        The directory searched for the IDX files (None from ``from_sample``).
    train : bool
        Which split was asked for.

    Raises
    ------
    FileNotFoundError
        If there is no data and ``fallback`` is False.
    mytorch.datasets.IDXFormatError
        If a file is present but is not a valid MNIST file.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.data import DataLoader
    >>> from mytorch.datasets import MNIST
    >>> train = MNIST.from_sample(train=True)
    >>> len(train), train.data.shape, train.targets.dtype
    (4000, (4000, 784), dtype('int64'))
    >>> images, labels = next(iter(DataLoader(train, batch_size=100, shuffle=True)))
    >>> images.shape, labels.shape, images.requires_grad
    ((100, 784), (100,), False)
    """

    def __init__(
        self,
        root: PathLike | None = None,
        train: bool = True,
        download: bool = False,
        flatten: bool = True,
        dtype: Any = None,
        fallback: bool = True,
    ) -> None:
        images, labels, source = _load(root, train, download, fallback)
        self._setup(_convert(images, flatten, dtype), labels, train, source)
        self.root = _mnist_dir(root)

    @classmethod
    def from_sample(cls, train: bool = True, flatten: bool = True, dtype: Any = None) -> MNIST:
        """The bundled sample's 4,000 training (or 1,000 validation) digits, without a warning.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch.datasets import MNIST
        >>> len(MNIST.from_sample(train=False))
        1000
        """
        images, labels = load_mnist_sample("train" if train else "val")
        dataset = cls.__new__(cls)
        dataset._setup(_convert(images, flatten, dtype), labels, train, "sample")
        dataset.root = None
        return dataset

    def _setup(self, images: np.ndarray, labels: np.ndarray, train: bool, source: str) -> None:
        super().__init__(Tensor(images), Tensor(labels))
        self.train = bool(train)
        self.source = source

    @property
    def data(self) -> Tensor:
        """The images: (N, 784), or (N, 28, 28) with ``flatten=False``.

        Examples
        --------
        >>> from mytorch.datasets import MNIST
        >>> MNIST.from_sample(train=False).data.shape
        (1000, 784)
        """
        return self.tensors[0]

    @property
    def targets(self) -> Tensor:
        """The labels, int64 in 0..9, of shape (N,).

        Examples
        --------
        >>> from mytorch.datasets import MNIST
        >>> MNIST.from_sample(train=False).targets[:5].shape
        (5,)
        """
        return self.tensors[1]

    def __repr__(self) -> str:
        return (
            f"MNIST(train={self.train}, source={self.source!r}, samples={len(self)}, "
            f"data={self.data.shape} {self.data.dtype})"
        )


def _mnist_dir(root: PathLike | None) -> Path:
    return Path(root).expanduser() if root is not None else data_home() / "mnist"


def _find(directory: Path, name: str) -> Path | None:
    """The file ``name`` in ``directory``, raw or gzipped, if either is there.

    Anything under the name counts, even a broken symbolic link or a directory: a
    file that is there but broken must be an error when it is read, never a reason
    to fall back to the sample (``is_file`` would say False for a symlink loop).
    """
    for candidate in (directory / name, directory / f"{name}.gz"):
        if os.path.lexists(candidate):
            return candidate
    return None


def _load(
    root: PathLike | None, train: bool, download: bool, fallback: bool
) -> tuple[np.ndarray, np.ndarray, str]:
    """Uint8 images (N, 28, 28), int64 labels and their source, following the module's order."""
    directory = _mnist_dir(root)
    prefix = "train" if train else "t10k"
    names = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
    hint = "pass download=True to fetch them"
    if download:
        try:
            download_mnist(directory)
        except DownloadError as error:
            hint = f"the download failed: {error}"
    images_path, labels_path = (_find(directory, name) for name in names)
    if images_path is not None and labels_path is not None:
        images, labels = read_mnist_images(images_path), read_mnist_labels(labels_path)
        if len(images) != len(labels):
            raise ValueError(
                f"MNIST: {images_path} holds {len(images)} images but {labels_path} "
                f"holds {len(labels)} labels"
            )
        return images, labels, "idx"
    missing = f"MNIST: no {prefix} IDX files ({names[0]}[.gz], {names[1]}[.gz]) in {directory}"
    if not fallback:
        raise FileNotFoundError(f"{missing}; {hint}")
    split, part = ("train", "4,000 training") if train else ("val", "1,000 validation")
    warnings.warn(
        f"{missing}; {hint}. Using the {part} digits of the 5,000-digit MNIST sample "
        "bundled with MyTorch instead.",
        MNISTSampleWarning,
        stacklevel=3,  # point at the user's MNIST(...) or load_mnist(...) call
    )
    images, labels = load_mnist_sample(split)
    return images, labels, "sample"


def _convert(images: np.ndarray, flatten: bool, dtype: Any) -> np.ndarray:
    """Uint8 images as asked: flattened or not, raw uint8 or floats in [0, 1]."""
    dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
    if dtype != dtypes.uint8 and dtype.kind != "f":
        raise ValueError(f"MNIST: dtype must be uint8 or a float dtype, got {dtype}")
    if flatten:
        # Not reshape(n, -1): numpy cannot infer the -1 of an empty set of images.
        images = images.reshape(len(images), math.prod(images.shape[1:]))
    if dtype == dtypes.uint8:
        return images
    scaled = images.astype(dtype)
    scaled /= 255  # in place: no float64 temporary the size of the data
    return scaled
