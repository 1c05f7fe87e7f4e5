"""``Parameter``: a tensor that a ``Module`` learns.

A parameter is an ordinary leaf tensor, created requiring grad, marked with
``is_parameter=True`` (``requires_grad_(False)`` freezes it later, as in
PyTorch). The mark is what lets ``Module`` tell, when a tensor is assigned as
an attribute (``self.weight = Parameter(...)``), that it must be registered and
handed to optimisers, while other tensors are just attributes.
"""

from __future__ import annotations

from typing import Any

from mytorch.core.tensor import Tensor

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf tensor that requires grad and is registered by the ``Module`` it is set on.

    Parameters
    ----------
    data : array_like or Tensor
        The initial values. A Tensor's array is shared, not copied (as in
        PyTorch); Python numbers and lists become the default dtype. Must be of a
        floating-point dtype.
    requires_grad : bool, default True
        False makes a frozen parameter, as in PyTorch: it is created requiring
        grad (SPEC.md's rule for parameters) and then frozen with
        ``requires_grad_(False)``; it stays a parameter. Keep state that is
        never learned (running statistics, counters) in a buffer instead
        (``Module.register_buffer``).

    Raises
    ------
    TypeError
        If ``data`` is not of a floating-point dtype, or ``requires_grad`` not a bool.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch.nn import Parameter
    >>> w = Parameter(mytorch.zeros(2))
    >>> w.requires_grad, w.is_leaf, w.is_parameter
    (True, True, True)
    >>> w
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
    """

    # Tensor keeps its fields in slots; an empty ``__slots__`` stops the
    # subclass adding a per-instance ``__dict__``.
    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True) -> None:
        if type(requires_grad) is not bool:
            raise TypeError(
                f"Parameter: requires_grad must be a bool, got {type(requires_grad).__name__}"
            )
        array = data.data if isinstance(data, Tensor) else data
        if getattr(array, "dtype", None) is not None and array.dtype.kind not in "fc":
            raise TypeError(
                f"Parameter: parameters must be floating point, got dtype {array.dtype}"
            )
        # A Tensor itself is passed on, so that the two share a version counter.
        super().__init__(data, requires_grad=True, is_parameter=True)
        if not requires_grad:
            self.requires_grad_(False)  # frozen from the start

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()
