"""One flat vector from many parameters, and back: for line searches, second-order methods.

The order is that of the iterable (``model.parameters()``: registration order).
"""

from __future__ import annotations

from collections.abc import Iterable

from mytorch import ops
from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor, shape_str

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Concatenate the tensors, each flattened, into one 1-D tensor (differentiable).

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> nn.utils.parameters_to_vector(nn.Linear(3, 2).parameters()).shape
    (8,)
    """
    tensors = list(parameters)
    for tensor in tensors:
        if not isinstance(tensor, Tensor):
            raise TypeError(f"parameters_to_vector: expected Tensors, got {type(tensor).__name__}")
    return ops.cat([tensor.reshape(-1) for tensor in tensors])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into the parameters, in place.

    The sizes are checked first: if ``vec`` does not hold exactly as many
    elements as the parameters, nothing is changed.

    Raises
    ------
    TypeError
        If ``vec`` is not a Tensor.
    ValueError
        If ``vec`` is not 1-D or its size differs from the parameters' total size.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> layer = nn.Linear(2, 1)
    >>> nn.utils.vector_to_parameters(mytorch.tensor([1.0, 2.0, 3.0]), layer.parameters())
    >>> layer.weight.data.tolist(), layer.bias.data.tolist()
    ([[1.0, 2.0]], [3.0])
    """
    if not isinstance(vec, Tensor):
        raise TypeError(f"vector_to_parameters: expected a Tensor, got {type(vec).__name__}")
    params = list(parameters)
    total = sum(p.numel() for p in params)
    if vec.ndim != 1 or vec.numel() != total:
        raise ValueError(
            f"vector_to_parameters: expected a 1-D vector of {total} elements for "
            f"{len(params)} parameters, got shape {shape_str(vec.shape)}"
        )
    start = 0
    with no_grad():
        for param in params:
            size = param.numel()
            param.copy_(vec.data[start : start + size].reshape(param.shape))
            start += size
