"""Layers that only reshape or pass through: Identity, Flatten, Unflatten."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mytorch.core.tensor import Tensor, shape_str
from mytorch.nn.module import Module

__all__ = ["Flatten", "Identity", "Unflatten"]


class Identity(Module):
    """Return the input unchanged; any constructor arguments are ignored (as in PyTorch).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Identity()(mytorch.tensor([1.0]))
    tensor([1.])
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input`` itself (the same Tensor object), of any shape.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor([1.0])
        >>> mytorch.nn.Identity()(x) is x
        True
        """
        return input


class Flatten(Module):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one (by default, all but the batch).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Flatten()(mytorch.zeros(100, 28, 28)).shape
    (100, 784)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input.flatten(start_dim, end_dim)``: (N, C, H, W) becomes (N, C*H*W).

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Flatten()(mytorch.zeros(2, 3, 4)).shape
        (2, 12)
        """
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        """Return ``'start_dim=..., end_dim=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Flatten().extra_repr()
        'start_dim=1, end_dim=-1'
        """
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Split dimension ``dim`` into ``unflattened_size``: the inverse of ``Flatten``.

    Parameters
    ----------
    dim : int
    unflattened_size : sequence of int
        Its product must be the size of ``dim`` (one entry may be -1).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.Unflatten(1, (1, 28, 28))(mytorch.zeros(100, 784)).shape
    (100, 1, 28, 28)
    """

    def __init__(self, dim: int, unflattened_size: Sequence[int]) -> None:
        super().__init__()
        self.dim = dim
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        """Return ``input`` with dimension ``dim`` split into ``unflattened_size``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Unflatten(-1, (2, 3))(mytorch.zeros(4, 6)).shape
        (4, 2, 3)
        """
        if not -input.ndim <= self.dim < input.ndim:
            raise IndexError(
                f"Unflatten: dim {self.dim} is out of range for an input of shape "
                f"{shape_str(input.shape)}"
            )
        dim = self.dim % input.ndim
        shape = input.shape[:dim] + self.unflattened_size + input.shape[dim + 1 :]
        return input.reshape(shape)

    def extra_repr(self) -> str:
        """Return ``'dim=..., unflattened_size=...'``, shown by ``repr``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Unflatten(1, (2, 2)).extra_repr()
        'dim=1, unflattened_size=(2, 2)'
        """
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
