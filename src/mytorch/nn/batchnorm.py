"""``BatchNorm1d``, ``BatchNorm2d``: batch normalisation with learned scale and shift and
running statistics. Both are one ``_BatchNorm``, which normalises each channel (axis 1)
over every other axis; they differ only in the input shapes they accept."""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor, shape_str
from mytorch.nn.functional.batchnorm import _batch_norm
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter

__all__ = ["BatchNorm1d", "BatchNorm2d"]


class _BatchNorm(Module):
    """Batch normalisation per channel: the layers below differ only in their input's shape."""

    # The input dimensions accepted, and how the error message spells the shapes.
    input_dims: tuple[int, ...] = ()
    shapes = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if (
            not isinstance(num_features, (int, np.integer))
            or isinstance(num_features, bool)
            or num_features <= 0
        ):
            raise ValueError(
                f"{type(self).__name__}: num_features must be a positive integer, "
                f"got {num_features!r}"
            )
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
        if affine:
            self.weight = Parameter(np.ones(num_features, dtype=dtype))
            self.bias = Parameter(np.zeros(num_features, dtype=dtype))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(num_features, dtype=dtype)))
            self.register_buffer("running_var", Tensor(np.ones(num_features, dtype=dtype)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, input: Tensor) -> Tensor:
        """Normalise each channel of ``input`` (axis 1); the result has its shape.

        In training mode it uses the batch's statistics and updates the running
        ones; in eval mode it uses the running statistics. Raises ``ValueError`` for
        a wrong shape, or a single value per channel in training.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.BatchNorm1d(3)(mytorch.ones(8, 3)).shape
        (8, 3)
        """
        if input.ndim not in self.input_dims or input.shape[1] != self.num_features:
            expected = self.shapes.format(C=self.num_features)
            raise ValueError(
                f"{self!r}: expected an input of shape {expected}, got {shape_str(input.shape)}"
            )
        use_batch_stats = self.training or not self.track_running_stats
        if use_batch_stats and input.data.size // self.num_features <= 1:
            # Checked here too (batch_norm checks it again), so the error names the module.
            raise ValueError(
                f"{self!r}: expected more than 1 value per channel when training, "
                f"got input of shape {shape_str(input.shape)}"
            )
        counting = self.training and self.track_running_stats
        momentum = self.momentum
        if momentum is None and not counting:
            momentum = 0.0  # None (a cumulative average) needs the counter, and is unused here
        # The running buffers are None when not tracked; given, they are updated
        # when the batch's statistics are used and read when they are not.
        return _batch_norm(
            input,
            self.running_mean,
            self.running_var,
            self.weight,
            self.bias,
            use_batch_stats,
            momentum,
            self.eps,
            counter=self.num_batches_tracked if counting else None,
        )

    # The assignment's names for the affine parameters: the same Parameters.
    @property
    def gamma(self) -> Parameter | None:
        """The assignment's name for ``weight`` (the scale): the same Parameter.

        Examples
        --------
        >>> from mytorch import nn
        >>> layer = nn.BatchNorm1d(3)
        >>> layer.gamma is layer.weight
        True
        """
        return self.weight

    @gamma.setter
    def gamma(self, value: Parameter | None) -> None:
        self.weight = value

    @property
    def beta(self) -> Parameter | None:
        """The assignment's name for ``bias`` (the shift): the same Parameter.

        Examples
        --------
        >>> from mytorch import nn
        >>> layer = nn.BatchNorm1d(3)
        >>> layer.beta is layer.bias
        True
        """
        return self.bias

    @beta.setter
    def beta(self, value: Parameter | None) -> None:
        self.bias = value

    def extra_repr(self) -> str:
        """Return the layer's settings, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.BatchNorm1d(3).extra_repr()
        '3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True'
        """
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalisation (Ioffe & Szegedy, 2015) over an (N, C) or (N, C, L) input.

    Training: normalise each channel with the batch's mean ``mu`` and biased
    variance ``s2``, ``y = weight * (x - mu) / sqrt(s2 + eps) + bias``, and update
    the running statistics (in place, outside the graph) with the UNBIASED
    variance::

        running_mean = (1 - momentum) * running_mean + momentum * mu
        running_var = (1 - momentum) * running_var + momentum * s2 * n / (n - 1)

    Evaluation: normalise with the running statistics instead. With
    ``momentum=None`` the running statistics are the plain average over all
    batches so far (the factor is ``1 / num_batches_tracked``), as in PyTorch.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
        Added to the variance, so a constant channel does not divide by zero.
    momentum : float or None, default 0.1
    affine : bool, default True
        Learn ``weight`` (starts at ones) and ``bias`` (starts at zeros).
    track_running_stats : bool, default True
        Keep ``running_mean`` (zeros), ``running_var`` (ones) and
        ``num_batches_tracked`` (0) as buffers. If False, the batch's statistics
        are used in evaluation mode too.
    dtype : dtype, optional
        The dtype of the parameters and running statistics (default: float32).

    Raises
    ------
    ValueError
        In training, for a batch with one value per channel (its variance is 0,
        and the unbiased one undefined); for an input with the wrong channel count.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> bn = nn.BatchNorm1d(2)
    >>> y = bn(mytorch.tensor([[1.0, 10.0], [3.0, 30.0]]))
    >>> bn.running_mean, bn.num_batches_tracked
    (tensor([0.2, 2. ]), tensor(1))
    >>> bn
    BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
    """

    input_dims = (2, 3)
    shapes = "(N, {C}) or (N, {C}, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalisation (Ioffe & Szegedy, 2015) over an (N, C, H, W) input, per channel.

    The same layer as ``BatchNorm1d``, with the same training, evaluation and
    running-statistics rules; each channel's statistics are over N, H and W.

    Parameters
    ----------
    num_features : int
        C, the number of channels.
    eps : float, default 1e-5
    momentum : float or None, default 0.1
    affine : bool, default True
    track_running_stats : bool, default True
    dtype : dtype, optional

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> bn = nn.BatchNorm2d(3)
    >>> y = bn(mytorch.randn(4, 3, 5, 5))
    >>> [round(v, 4) + 0.0 for v in y.mean(dim=(0, 2, 3)).tolist()]
    [0.0, 0.0, 0.0]
    """

    input_dims = (4,)
    shapes = "(N, {C}, H, W)"
