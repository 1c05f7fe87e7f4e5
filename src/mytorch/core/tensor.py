"""``Tensor``: a numpy array plus the autograd state that links it into the graph.

The array-like methods (``shape``, ``item()``, ``numpy()``, ...) come from
``mytorch.core.array_methods`` and the in-place ones (``add_``, ``zero_``, ...)
from ``mytorch.core.inplace``.

This module knows no operation by name. The arithmetic methods and operators
(``x + y``, ``x.exp()``, ``x.sum(dim=1)``, ...) are attached to ``Tensor`` by
``mytorch.ops`` when the package is imported. We chose that over importing the
ops here because ``ops`` is built on ``core``: importing it from here would tie
the two layers in a circle.
"""

from __future__ import annotations

import operator
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from mytorch.core import capture, dtypes
from mytorch.core.array_methods import ArrayMethods, as_array
from mytorch.core.inplace import InPlaceMethods, array_counter

if TYPE_CHECKING:
    from mytorch.core.hooks import RemovableHandle
    from mytorch.core.node import AccumulateGrad, BackwardFunction

__all__ = ["Tensor", "as_array"]

_FLOAT_KINDS = "fc"


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


class Tensor(ArrayMethods, InPlaceMethods):
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
        tensor = cls.__new__(cls)
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

    @property
    def grad_fn(self) -> BackwardFunction | AccumulateGrad | None:
        """The node that created this tensor, or a leaf's gradient sink.

        For a tensor made by an op that records gradients, the op's
        ``BackwardFunction``; for a leaf that requires grad, its ``AccumulateGrad``
        node; for a constant, None. (PyTorch returns None for every leaf.)

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> (a * a).grad_fn, a.grad_fn, mytorch.tensor(1.0).grad_fn
        (<MulBackward>, <AccumulateGrad>, None)
        """
        if self._node is not None:
            return self._node
        if self.requires_grad:
            return self._grad_accumulator()
        return None

    def _grad_accumulator(self) -> AccumulateGrad:
        """Return this leaf's ``AccumulateGrad`` node, creating it on first use.

        The tensor keeps its node for life, so that every op it enters reuses
        one node instead of making its own. The node points back at the tensor
        only weakly: a strong reference both ways would be a reference cycle,
        which only the cyclic garbage collector could free.
        """
        if self._accumulator is None:
            from mytorch.core.node import AccumulateGrad

            self._accumulator = AccumulateGrad(self)
        return self._accumulator

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool = False,
        create_graph: bool = False,
    ) -> None:
        """Compute the gradient of this tensor with respect to the graph's leaves.

        Gradients are added into the ``.grad`` of every leaf that requires grad.

        Parameters
        ----------
        gradient : array_like or Tensor, optional
            The gradient of some final quantity with respect to this tensor, of
            this tensor's shape. By default a tensor of ones of that shape: the
            gradient of a tensor with respect to itself, as in the assignment
            MyTorch grew out of. On a non-scalar this gives what PyTorch's
            ``t.sum().backward()`` gives (PyTorch itself refuses it).
        retain_graph : bool, default False
            Keep the graph's saved tensors so that backward can run through it
            again. By default they are released as soon as each node has run.
        create_graph : bool, default False
            Record the backward pass itself, so that the gradients can be
            differentiated again (higher-order derivatives).

        Raises
        ------
        RuntimeError
            If this tensor does not require grad, if ``gradient`` has the wrong
            shape, or if the graph was released.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(3.0, requires_grad=True)
        >>> (x ** 2).backward()
        >>> x.grad
        tensor(6.)

        On a non-scalar, the default gradient is ones of its shape:

        >>> w = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> (w * w).backward()  # the same as (w * w).sum().backward()
        >>> w.grad
        tensor([2., 4.])
        """
        from mytorch.core import engine

        if create_graph:
            warnings.warn(
                "backward: create_graph=True makes a reference cycle between each leaf and "
                "its .grad (the gradient's graph holds the tensors it saved, the leaf among "
                "them), which only Python's cyclic garbage collector frees; as PyTorch "
                "recommends, use mytorch.grad(..., create_graph=True) instead, or set the "
                "leaves' .grad to None when done",
                UserWarning,
                stacklevel=2,
            )
        engine.backward([self], [gradient], retain_graph=retain_graph, create_graph=create_graph)

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor during backward.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(2.0, requires_grad=True)
        >>> y = x * 3
        >>> y.retain_grad()
        >>> (y * y).backward()
        >>> y.grad
        tensor(12.)
        """
        if not self.requires_grad:
            raise RuntimeError("retain_grad: the tensor does not require grad")
        if self._node is not None:
            self._node.retain_grad_of(self)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` with this tensor's gradient whenever backward computes it.

        The hook may return a new gradient (of the same shape) to use instead,
        or None to keep it. On a leaf the hook runs before the gradient is added
        into ``.grad``; on a non-leaf, before it flows on into the graph. It runs
        for the inputs of :func:`mytorch.grad` too, as PyTorch's do.

        Returns
        -------
        RemovableHandle
            ``handle.remove()`` unregisters the hook.

        Raises
        ------
        RuntimeError
            If this tensor does not require grad.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> y = x * 3
        >>> handle = y.register_hook(lambda grad: grad * 2)
        >>> y.sum().backward()
        >>> x.grad
        tensor([6., 6.])
        """
        from mytorch.core.hooks import add_hook

        if not self.requires_grad:
            raise RuntimeError(
                "register_hook: cannot register a hook on a tensor that doesn't require gradient"
            )
        node = self._node if self._node is not None else self._grad_accumulator()
        node._hooks, handle = add_hook(node._hooks, hook)
        return handle

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

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf and return the tensor.

        On a parameter, ``requires_grad_(False)`` freezes it, as in PyTorch: it
        stays a parameter (``is_parameter`` is still True, ``state_dict`` keeps
        it), but backward gives it no gradient, so optimisers skip it;
        ``requires_grad_(True)`` unfreezes it.

        Raises
        ------
        RuntimeError
            If the tensor is not a leaf.
        TypeError
            If asked to require grad on a non-float tensor.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.zeros(2).requires_grad_()
        >>> x.requires_grad
        True
        >>> w = mytorch.Tensor([1.0], is_parameter=True).requires_grad_(False)
        >>> w.requires_grad, w.is_parameter
        (False, True)
        """
        if not self.is_leaf:
            raise RuntimeError(
                "requires_grad_: can only change requires_grad of a leaf tensor; "
                "use detach() to get a leaf from a non-leaf"
            )
        if type(requires_grad) is not bool and not isinstance(requires_grad, np.bool_):
            raise TypeError(
                f"requires_grad_: requires_grad must be a bool, got {type(requires_grad).__name__}"
            )
        if requires_grad:
            _check_can_require_grad(self.data.dtype, "requires_grad_")
        self.requires_grad = bool(requires_grad)
        return self

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


def _check_can_require_grad(dtype: np.dtype, op: str) -> None:
    if dtype.kind not in _FLOAT_KINDS:
        raise TypeError(
            f"{op}: only floating-point tensors can require gradients, got dtype {dtype}"
        )


def shape_str(shape: Sequence[int]) -> str:
    """Format a shape for error messages: ``(2, 3)``."""
    return "(" + ", ".join(str(n) for n in shape) + ("," if len(shape) == 1 else "") + ")"
