"""``Tensor``: a numpy array plus the autograd state that links it into the graph.

The array-like methods (``shape``, ``item()``, ``numpy()``, ...) come from
``mytorch.core.array_methods``, the in-place ones (``add_``, ``zero_``, ...)
from ``mytorch.core.inplace`` and the autograd ones (``backward()``,
``grad_fn``, ``register_hook()``, ``requires_grad_()``, ...) from
``mytorch.core.graph_methods``. This module keeps what a tensor is: its fields,
how one is made, ``.data`` and ``.grad``, copying and printing.

This module knows no operation by name. The arithmetic methods and operators
(``x + y``, ``x.exp()``, ``x.sum(dim=1)``, ...) are attached to ``Tensor`` by
``mytorch.ops`` when the package is imported. We chose that over importing the
ops here because ``ops`` is built on ``core``: importing it from here would tie
the two layers in a circle.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mytorch.core import capture, dtypes
from mytorch.core.array_methods import ArrayMethods, as_array
from mytorch.core.graph_methods import _FLOAT_KINDS, GraphMethods, _check_can_require_grad
from mytorch.core.inplace import InPlaceMethods, array_counter

if TYPE_CHECKING:
    from mytorch.core.node import AccumulateGrad, BackwardFunction

__all__ = ["Tensor", "as_array"]

_new_object = object.__new__  # how _wrap makes a tensor without __init__


def _set_data(tensor: Tensor, value: Any) -> None:
    """The ``.data`` setter: keep ``.data`` an ndarray, whatever is assigned.

    Python's ``p.data -= x`` calls it too, with what ``__isub__`` returned.
    """
    capture.escape("an assignment to .data")  # a replay would not repeat it
    if type(value) is not np.ndarray:
        if isinstance(value, Tensor):
            value = value._data
        elif isinstance(value, (np.ndarray, np.generic)):
            value = np.asarray(value)  # a numpy scalar, from arithmetic on a 0-d array
        else:
            raise TypeError(
                f"data: expected a Tensor or a numpy.ndarray, got {type(value).__name__}"
            )
    if tensor.requires_grad and value.dtype.kind not in _FLOAT_KINDS:
        raise RuntimeError(
            f"data: a tensor that requires grad must hold floating-point data, "
            f"got dtype {value.dtype}"
        )
    tensor._data = value


class Tensor(ArrayMethods, InPlaceMethods, GraphMethods):
    """A multi-dimensional array that can record the operations applied to it.

    Parameters
    ----------
    data : array_like
        The values. A numpy array keeps its dtype and is wrapped without a copy;
        Python floats become the default dtype (float32), ints int64 and bools
        bool, as in PyTorch.
    requires_grad : bool, default False
        Whether gradients must be computed for this tensor. Only floating-point
        tensors can require gradients.
    is_leaf : bool, default True
        Whether the tensor has no gradient-enabled parents. Tensors made by
        operations get this right by themselves; set it only for special cases.
    is_parameter : bool, default False
        Whether the tensor holds network parameters; then it is created requiring
        grad, and is a leaf. ``requires_grad_(False)`` freezes it later, as in
        PyTorch.

    Attributes
    ----------
    data : numpy.ndarray
        The values. Writing into it bypasses autograd's checks (the escape hatch,
        as in PyTorch).
    grad : Tensor or None
        The gradient accumulated by ``backward`` (leaves only), of this tensor's
        shape and dtype.

    Examples
    --------
    >>> import mytorch
    >>> x = mytorch.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    __slots__ = (
        "__weakref__",
        "_accumulator",
        "_data",
        "_grad",
        "_node",
        "_version_counter",
        "_view_of",
        "_views",
        "is_leaf",
        "is_parameter",
        "requires_grad",
    )

    def __init__(
        self,
        data: Any,
        requires_grad: bool = False,
        is_leaf: bool = True,
        is_parameter: bool = False,
    ) -> None:
        if type(requires_grad) is not bool and not isinstance(requires_grad, np.bool_):
            # Tensor(x, requires_grad="False") would otherwise be True.
            raise TypeError(
                f"Tensor: requires_grad must be a bool, got {type(requires_grad).__name__}"
            )
        array = as_array(data)
        if is_parameter:
            requires_grad = True
            if not is_leaf:
                raise ValueError("Tensor: a parameter must be a leaf (is_leaf=True)")
        if not requires_grad and not is_leaf:
            raise ValueError(
                "Tensor: requires_grad=False with is_leaf=False is impossible; "
                "a tensor that needs no gradient is always a leaf"
            )
        if requires_grad:
            _check_can_require_grad(array.dtype, "Tensor")
        self._data = array
        self.requires_grad = bool(requires_grad)
        self.is_leaf = bool(is_leaf)
        self.is_parameter = bool(is_parameter)
        self._grad: Tensor | None = None
        self._node: BackwardFunction | None = None
        self._accumulator: AccumulateGrad | None = None
        self._version_counter: list[int] | None = None
        self._view_of: tuple[Tensor, type, tuple[Any, ...]] | None = None
        self._views: list[weakref.ref[Tensor]] | None = None
        if isinstance(data, Tensor) and array is data.data:
            # Tensor(x) wraps x's memory: a change through either must be seen by
            # a node that saved the other, so they count versions together.
            data._share_version_with(self)
        elif array is data:
            # A numpy array wrapped without a copy: share with its other wrappers.
            self._version_counter = array_counter(array)

    @classmethod
    def _wrap(cls, array: np.ndarray) -> Tensor:
        """Wrap an op's result without re-checking it: the hot path of every op."""
        tensor = _new_object(cls)  # not cls.__new__: no lookup through the class (~10% of _wrap)
        # numpy returns scalars, not 0-d arrays, from some 0-d operations.
        tensor._data = array if type(array) is np.ndarray else np.asarray(array)
        tensor.requires_grad = False
        tensor.is_leaf = True
        tensor.is_parameter = False
        tensor._grad = None
        tensor._node = None
        tensor._accumulator = None
        tensor._version_counter = None
        tensor._view_of = tensor._views = None
        return tensor

    # The getter is a C function (no Python frame): .data is the most read
    # attribute of the library.
    data = property(
        operator.attrgetter("_data"),
        _set_data,
        doc="""The values, a ``numpy.ndarray``.

        Writing into it bypasses autograd's checks (the escape hatch, as in
        PyTorch). Assigning a Tensor stores that tensor's array, so PyTorch's
        ``p.data = other`` and ``p.data -= lr * p.grad`` work; anything but a
        Tensor or an ndarray is refused.

        Examples
        --------
        >>> import mytorch
        >>> p = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> p.data = mytorch.tensor([3.0, 4.0])
        >>> type(p.data).__name__, p
        ('ndarray', tensor([3., 4.], requires_grad=True))
        >>> p.data = [5.0, 6.0]
        Traceback (most recent call last):
            ...
        TypeError: data: expected a Tensor or a numpy.ndarray, got list
        """,
    )

    # ----------------------------------------------------------------- graph
    def _set_grad(self, value: Tensor | None) -> None:
        capture.escape("an assignment to .grad")
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"grad: assigned grad expected to be a Tensor or None, got "
                    f"{type(value).__name__}"
                )
            if value.data.shape != self.data.shape:
                raise RuntimeError(
                    f"grad: assigned grad has data of a different size: "
                    f"{shape_str(value.shape)} for a tensor of shape {shape_str(self.shape)}"
                )
            if value.data.dtype != self.data.dtype:
                raise TypeError(
                    f"grad: assigned grad has data of a different type: {value.dtype} "
                    f"for a tensor of dtype {self.dtype}"
                )
        self._grad = value

    # The getter is a C function (no Python frame): optimisers read .grad often.
    grad = property(
        operator.attrgetter("_grad"),
        _set_grad,
        doc="""The gradient accumulated by ``backward`` (leaves only), or None.

        It always has this tensor's shape and dtype: assigning anything else is
        refused, as in PyTorch, so that an optimiser never broadcasts a wrong
        gradient over the parameter.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.zeros(2, requires_grad=True)
        >>> w.grad = mytorch.ones(2)
        >>> w.grad = mytorch.ones(1)
        Traceback (most recent call last):
            ...
        RuntimeError: grad: assigned grad has data of a different size: (1,) for a ...
        """,
    )

    # detach stays here, not in GraphMethods: it must make a plain Tensor (not a
    # Parameter), and reaching this class from the mixin would cost an import per call.
    def detach(self) -> Tensor:
        """Return a new constant tensor sharing this tensor's data, outside the graph.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor([1.0], requires_grad=True)
        >>> x.detach().requires_grad
        False
        """
        detached = Tensor._wrap(self.data)
        self._share_version_with(detached)
        return detached

    # Copying or pickling a tensor copies its values and flags, never its graph
    # links: a copy's gradients must not flow into the original's nodes.
    def __getstate__(self) -> dict[str, Any]:
        if self._node is not None:
            raise RuntimeError(
                "copy: only leaf tensors can be copied or pickled; detach() a non-leaf first"
            )
        return {
            "data": self.data,
            "requires_grad": self.requires_grad,
            "is_parameter": self.is_parameter,
            "grad": self.grad,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._data = state["data"]
        self.requires_grad = state["requires_grad"]
        self.is_leaf = True
        self.is_parameter = state["is_parameter"]
        self._grad = state["grad"]
        self._node = None
        self._accumulator = None
        self._version_counter = None
        self._view_of = self._views = None

    # Tensors compare elementwise (``==`` builds a bool tensor), so keep the
    # identity hash that ``__eq__`` would otherwise switch off.
    __hash__ = object.__hash__

    def __repr__(self) -> str:
        capture.escape("printing a tensor")
        body = np.array2string(self.data, separator=", ", prefix="tensor(")
        extras = []
        if self.data.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool_):
            extras.append(f"dtype={self.data.dtype}")
        if self._node is not None:
            extras.append(f"grad_fn=<{self._node.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body, *extras]) + ")"


def shape_str(shape: Sequence[int]) -> str:
    """Format a shape for error messages: ``(2, 3)``."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
