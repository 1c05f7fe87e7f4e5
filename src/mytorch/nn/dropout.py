"""``Dropout``, ``Dropout2d``: randomly zero activations (or whole channels) while training."""

from __future__ import annotations

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = ["Dropout", "Dropout2d"]


class Dropout(Module):
    """Inverted dropout (Srivastava et al., 2014): see ``mytorch.nn.functional.dropout``.

    In training mode each element is zeroed with probability ``p`` and the
    others are scaled by ``1 / (1 - p)``; in evaluation mode the layer is the
    identity. Masks come from the framework's generator (``mytorch.manual_seed``).

    Parameters
    ----------
    p : float, default 0.5
        The probability of zeroing an element, in [0, 1].

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> layer = nn.Dropout(p=0.5)
    >>> y = layer(mytorch.ones(4, 3))
    >>> sorted(set(y.tolist()[0]) | {0.0, 2.0})
    [0.0, 2.0]
    >>> layer.eval()(mytorch.ones(3))
    tensor([1., 1., 1.])
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(
                f"{type(self).__name__}: probability p must be between 0 and 1, got {p}"
            )
        self.p = p

    def forward(self, input: Tensor) -> Tensor:
        """In training, zero each element with probability ``p``; scale the rest by 1 / (1 - p).

        In eval mode return the input unchanged. The result has the input's shape;
        the mask is drawn from the framework's generator (``mytorch.manual_seed``).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Dropout(0.5).eval()(mytorch.ones(3))
        tensor([1., 1., 1.])
        """
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        """Return ``'p=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Dropout(0.25).extra_repr()
        'p=0.25'
        """
        return f"p={self.p}"


class Dropout2d(Dropout):
    """Channel dropout: see ``mytorch.nn.functional.dropout2d``.

    In training mode each channel of an (N, C, H, W) input is zeroed whole with
    probability ``p`` and the others are scaled by ``1 / (1 - p)``; in
    evaluation mode the layer is the identity.

    Parameters
    ----------
    p : float, default 0.5
        The probability of zeroing a channel, in [0, 1].

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> y = nn.Dropout2d(0.5)(mytorch.ones(1, 100, 2, 2))
    >>> bool((y.amin(dim=(2, 3)) == y.amax(dim=(2, 3))).all())  # each channel kept or zeroed whole
    True
    """

    def forward(self, input: Tensor) -> Tensor:
        """In training, zero each channel with probability ``p``; scale the rest by 1 / (1 - p).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Dropout2d().eval()(mytorch.ones(1, 1, 2))
        tensor([[[1., 1.]]])
        """
        return F.dropout2d(input, self.p, self.training)
