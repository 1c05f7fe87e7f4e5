"""``Dropout``: randomly zero activations while training, to regularise the network."""

from __future__ import annotations

from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn.module import Module

__all__ = ["Dropout"]


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
            raise ValueError(f"Dropout: probability p must be between 0 and 1, got {p}")
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
