"""``Embedding``: a learned vector per integer index (a word, a token, a category)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn import init
from mytorch.nn.module import Module
from mytorch.nn.parameter import Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """A lookup table: index ``i`` gives row ``i`` of ``weight``.

    Parameters
    ----------
    num_embeddings : int
        How many indices (rows).
    embedding_dim : int
        The size of each vector.
    padding_idx : int, optional
        An index whose row starts at zeros and receives no gradient.
    dtype : dtype, optional
        The weight's dtype; by default the default dtype (float32).

    Attributes
    ----------
    weight : Parameter of shape (num_embeddings, embedding_dim)
        Starts standard normal, as PyTorch's.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> table = nn.Embedding(10, 3, padding_idx=0)
    >>> table(mytorch.tensor([[1, 2, 0]], dtype=mytorch.int64)).shape
    (1, 3, 3)
    >>> table.weight[0]
    tensor([0., 0., 0.], grad_fn=<GetItemBackward>)
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        for name, size in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative integer, got {size!r}")
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise ValueError(
                    f"Embedding: padding_idx must be within num_embeddings "
                    f"[-{num_embeddings}, {num_embeddings}), got {padding_idx}"
                )
            padding_idx %= num_embeddings
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = padding_idx
        dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
        self.weight = Parameter(np.zeros((self.num_embeddings, self.embedding_dim), dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw the weight from a standard normal, with the padding row at zeros.

        Examples
        --------
        >>> from mytorch import nn
        >>> table = nn.Embedding(4, 2, padding_idx=1)
        >>> table.reset_parameters()
        >>> table.weight.data[1].tolist()
        [0.0, 0.0]
        """
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        """Return the rows at the integer indices ``input``: shape ``(*)`` gives ``(*, D)``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.nn.Embedding(5, 2)(mytorch.tensor([4, 0], dtype=mytorch.int64)).shape
        (2, 2)
        """
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        """Return the sizes (and padding index), shown by ``repr``.

        Examples
        --------
        >>> from mytorch import nn
        >>> nn.Embedding(10, 3, padding_idx=0).extra_repr()
        '10, 3, padding_idx=0'
        """
        padding = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{padding}"
