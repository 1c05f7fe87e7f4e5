"""``Embedding``: a learned vector per integer index (a word, a token, a category)."""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.tensor import Tensor
from mytorch.nn import functional as F
from mytorch.nn import init
from mytorch.nn.functional.embedding import _check_max_norm
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
    max_norm : float, optional
        Rows looked up with a ``norm_type``-norm above ``max_norm`` are scaled
        down to it in ``weight`` itself, at each forward (see
        ``mytorch.nn.functional.embedding``).
    norm_type : float, default 2.0
        The p of the p-norm for ``max_norm``.
    _weight : Tensor of shape (num_embeddings, embedding_dim), optional
        A starting weight, used as it is (shared, not copied), as in PyTorch;
        ``from_pretrained`` is the public way.
    _freeze : bool, default False
        Make that weight not require grad.
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
    >>> capped = nn.Embedding(10, 3, max_norm=1.0)
    >>> _ = capped(mytorch.tensor([4], dtype=mytorch.int64))
    >>> round(float(capped.weight.data[4] @ capped.weight.data[4]), 5)  # row 4 now has norm 1
    1.0
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        _weight: Tensor | None = None,
        _freeze: bool = False,
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
        _check_max_norm("Embedding", max_norm, norm_type)
        shape = (int(num_embeddings), int(embedding_dim))
        if _weight is not None and tuple(_weight.shape) != shape:
            raise ValueError(
                f"Embedding: _weight has shape {tuple(_weight.shape)}, expected {shape} "
                "(num_embeddings, embedding_dim)"
            )
        self.num_embeddings, self.embedding_dim = shape
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        if _weight is None:
            dtype = dtypes.resolve_dtype(dtype) or dtypes.get_default_dtype()
            self.weight = Parameter(np.zeros(shape, dtype=dtype))
            self.reset_parameters()
        else:
            self.weight = Parameter(_weight)  # shared, as PyTorch's; no fresh draw
        self.weight.requires_grad_(not _freeze)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
    ) -> Embedding:
        """Make an Embedding whose weight is ``embeddings`` (shared, not copied).

        Parameters
        ----------
        embeddings : Tensor of shape (num_embeddings, embedding_dim)
            The vectors, one row per index (of a floating-point dtype).
        freeze : bool, default True
            Keep them fixed: the weight does not require grad (a frozen
            parameter, as in PyTorch). ``freeze=False`` fine-tunes them.
        padding_idx, max_norm, norm_type
            As in ``Embedding``; the padding row is not zeroed here.

        Raises
        ------
        ValueError
            If ``embeddings`` is not 2-D (PyTorch raises an AssertionError).

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> vectors = mytorch.tensor([[1.0, 2.0], [3.0, 4.0]])
        >>> table = nn.Embedding.from_pretrained(vectors)
        >>> table(mytorch.tensor([1], dtype=mytorch.int64))
        tensor([[3., 4.]])
        >>> table.weight.requires_grad
        False
        """
        shape = tuple(getattr(embeddings, "shape", ()))
        if not isinstance(embeddings, Tensor) or len(shape) != 2:
            raise ValueError(
                "Embedding.from_pretrained: embeddings must be a 2-D Tensor (num_embeddings, "
                f"embedding_dim), got a {type(embeddings).__name__} of shape {shape}"
            )
        return cls(
            shape[0],
            shape[1],
            padding_idx=padding_idx,
            max_norm=max_norm,
            norm_type=norm_type,
            _weight=embeddings,
            _freeze=freeze,
        )

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
        return F.embedding(input, self.weight, self.padding_idx, self.max_norm, self.norm_type)

    def extra_repr(self) -> str:
        """Return the sizes (and padding index), shown by ``repr``.

        Examples
        --------
        >>> from mytorch import nn
        >>> nn.Embedding(10, 3, padding_idx=0).extra_repr()
        '10, 3, padding_idx=0'
        """
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        return text
