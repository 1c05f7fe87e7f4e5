"""Datasets: MNIST (IDX files, downloads, and a bundled offline sample).

``MNIST`` and ``load_mnist`` read the original IDX files from a directory, download
them on request, and otherwise fall back to a 5,000-digit sample shipped with
MyTorch, warning with ``MNISTSampleWarning``. See ``mytorch.datasets.mnist``.

Examples
--------
>>> import mytorch
>>> from mytorch.datasets import MNIST
>>> validation = MNIST.from_sample(train=False)
>>> validation.data.shape, float(validation.data.max()) <= 1.0
((1000, 784), True)
"""

from mytorch.datasets.download import (
    ChecksumError,
    DownloadError,
    data_home,
    download_file,
    download_url,
)
from mytorch.datasets.idx import (
    IDX_IMAGES_MAGIC,
    IDX_LABELS_MAGIC,
    IDXFormatError,
    read_idx,
    read_mnist_images,
    read_mnist_labels,
)
from mytorch.datasets.mnist import (
    MNIST,
    MNIST_MD5,
    MNIST_MIRRORS,
    MNIST_SIZES,
    download_mnist,
    load_mnist,
)
from mytorch.datasets.sample import (
    SAMPLE_SIZE,
    SAMPLE_TRAIN_SIZE,
    MNISTSampleWarning,
    load_mnist_sample,
)

__all__ = [
    "IDX_IMAGES_MAGIC",
    "IDX_LABELS_MAGIC",
    "MNIST",
    "MNIST_MD5",
    "MNIST_MIRRORS",
    "MNIST_SIZES",
    "SAMPLE_SIZE",
    "SAMPLE_TRAIN_SIZE",
    "ChecksumError",
    "DownloadError",
    "IDXFormatError",
    "MNISTSampleWarning",
    "data_home",
    "download_file",
    "download_mnist",
    "download_url",
    "load_mnist",
    "load_mnist_sample",
    "read_idx",
    "read_mnist_images",
    "read_mnist_labels",
]
