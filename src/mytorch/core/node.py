"""The graph's node kinds, as in the assignment MyTorch grew out of.

1. ``AccumulateGrad`` (in ``accumulate.py``): the sink of a leaf that requires
   grad; it adds incoming gradients into the leaf's ``.grad``.
2. ``BackwardFunction``: made for each recorded op; it calls the op's backward.
   It is also the op's ``ctx``, as in PyTorch: one object per op.
3. ``None``: a parent that needs no gradient (a constant).

Each node's ``next_functions`` lists its parents' nodes in input order; the
engine (``mytorch.core.engine``) walks them backwards from the output.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING

from mytorch.core import capture

# A leaf's node has a module of its own; the node kinds are imported together from here.
from mytorch.core.accumulate import AccumulateGrad, accumulate_into
from mytorch.core.tensor import Tensor, shape_str

_capturing = capture.capturing  # how many threads mytorch.compile is capturing in

if TYPE_CHECKING:
    from mytorch.core.function import Function

__all__ = ["AccumulateGrad", "BackwardFunction", "accumulate_into"]


class BackwardFunction:
    """The node recorded for one op application; also the op's ``ctx``.

    Attributes
    ----------
    function : type[Function]
        The op whose backward this node runs.
    next_functions : tuple
        The node of each input, in input order: a ``BackwardFunction``, an
        ``AccumulateGrad``, or None for an input that needs no gradient.

    Examples
    --------
    >>> import mytorch
    >>> a = mytorch.tensor(1.0, requires_grad=True)
    >>> d = a * mytorch.tensor(2.0)
    >>> d.grad_fn
    <MulBackward>
    >>> d.grad_fn.next_functions
    (<AccumulateGrad>, None)
    """

    # No __slots__ here: the op's own ctx attributes (``ctx.dim = dim``) need an
    # instance dict anyway, and without slots CPython keeps that dict's values
    # inline in the object, so a node is one object for the garbage collector.
    # The flags below default to these class attributes until set.
    _saved: tuple[Tensor | None, ...] = ()
    _saved_versions: tuple[int, ...] | None = None
    _released = False
    _retained: weakref.ref[Tensor] | None = None
    _hooks: dict[int, Callable[[Tensor], Tensor | None]] | None = None  # Tensor.register_hook

    def __init__(self, function: type[Function]) -> None:
        self.function = function
        self.next_functions: tuple[BackwardFunction | AccumulateGrad | None, ...] = ()

    def name(self) -> str:
        """Return the node's name: the op's class name followed by ``'Backward'``.

        Returns
        -------
        str
            For example ``'MulBackward'``; errors and ``repr`` use it.

        Examples
        --------
        >>> import mytorch
        >>> x = mytorch.tensor(2.0, requires_grad=True)
        >>> (x * 3).grad_fn.name()
        'MulBackward'
        """
        return self.function.__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"

    # ------------------------------------------------------------- ctx side
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; called by an op's ``forward`` on its ``ctx``.

        Each tensor's version counter is noted now, so that ``saved_tensors``
        can refuse to hand back a tensor that was since changed in place.

        Parameters
        ----------
        *tensors : Tensor or None
            The tensors backward needs (usually inputs; never the op's own
            output, which would make a reference cycle).

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> b = mytorch.tensor([3.0, 4.0], requires_grad=True)
        >>> node = (a * b).grad_fn  # each input's gradient needs the other input
        >>> [t.tolist() for t in node.saved_tensors]
        [[1.0, 2.0], [3.0, 4.0]]
        """
        self._saved = tensors
        # Most saved tensors were never changed in place (version 0): keep a tuple
        # of versions only when one was. One object fewer per node matters on big
        # graphs, where Python's cyclic garbage collector scans every object.
        self._saved_versions = None
        for tensor in tensors:
            # A tensor never changed in place (nor viewed) has no counter at all.
            if tensor is not None and tensor._version_counter and tensor._version_counter[0]:
                # A parameter (changed in place by every optimiser step) comes here on
                # each forward: a plain loop reading the counters, with no list
                # comprehension (a call of its own on 3.11) and no property per tensor.
                versions = []
                for saved in tensors:
                    counter = None if saved is None else saved._version_counter
                    versions.append(0 if counter is None else counter[0])
                self._saved_versions = tuple(versions)
                break

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, checked for in-place changes.

        Raises
        ------
        RuntimeError
            If the graph was released by an earlier backward, or a saved tensor
            was modified in place after it was saved.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> node = a.exp().grad_fn
        >>> node.saved_tensors
        (tensor(2., requires_grad=True),)
        """
        self.check_usable()
        return self._saved

    def check_usable(self) -> None:
        """Raise if backward cannot run: the graph was released or a saved tensor changed.

        Raises
        ------
        RuntimeError
            Naming the node and, for an in-place change, the tensor's shape and
            its version then and now.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor([1.0, 2.0], requires_grad=True)
        >>> b = mytorch.tensor([3.0, 4.0])
        >>> node = (a * b).grad_fn
        >>> node.check_usable()  # nothing changed: no error
        >>> b.add_(1.0)
        tensor([4., 5.])
        >>> node.check_usable()
        Traceback (most recent call last):
            ...
        RuntimeError: MulBackward: a tensor of shape (2,) that this op saved for backward was ...
        """
        if self._released:
            raise self._released_error()
        versions = self._saved_versions
        if versions is None:  # every saved tensor was at version 0 (or had no counter)
            for tensor in self._saved:
                # Most tensors were never changed in place (nor viewed): no counter.
                if tensor is not None and tensor._version_counter and tensor._version_counter[0]:
                    raise self._modified_error(tensor, 0)
        else:
            # A counted loop: measured cheaper than enumerate (and zip) on 3.11, and
            # a node saving parameters (always changed in place) comes here each time.
            index = 0
            for tensor in self._saved:
                if tensor is not None:
                    counter = tensor._version_counter
                    if counter is not None and counter[0] != versions[index]:
                        raise self._modified_error(tensor, versions[index])
                index += 1  # noqa: SIM113

    def _modified_error(self, tensor: Tensor, version: int) -> RuntimeError:
        return RuntimeError(
            f"{self.name()}: a tensor of shape {shape_str(tensor.shape)} that this op "
            f"saved for backward was modified in place after it was saved "
            f"(version {version} then, {tensor._version} now); "
            "use an out-of-place operation or clone it before changing it"
        )

    @property
    def needs_input_grad(self) -> tuple[bool, ...]:
        """For each input, whether backward must compute its gradient.

        An op's ``backward`` may return None for an input whose entry is False.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(1.0, requires_grad=True)
        >>> (a * mytorch.tensor(2.0)).grad_fn.needs_input_grad
        (True, False)
        """
        # A plain loop: on Python 3.11 a list comprehension is a function call of its own.
        needs = []
        for node in self.next_functions:
            needs.append(node is not None)
        return tuple(needs)

    # ---------------------------------------------------------- engine side
    def apply(self, grad_output: Tensor, retain_graph: bool) -> tuple[Tensor | None, ...]:
        """Run the op's backward; release what it saved unless told to retain it.

        The engine calls this once per node during ``backward``.

        Parameters
        ----------
        grad_output : Tensor
            The gradient of the loss with respect to this node's output.
        retain_graph : bool
            If False, free the saved tensors afterwards (see ``release``).

        Returns
        -------
        tuple of (Tensor or None)
            One gradient per input of the op, in input order.

        Raises
        ------
        RuntimeError
            If the node was released, or the op's backward returned the wrong
            number of gradients.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> node = (a * mytorch.tensor(3.0)).grad_fn
        >>> node.apply(mytorch.tensor(1.0), retain_graph=True)
        (tensor(3.), None)
        """
        if self._released:
            raise self._released_error()
        if _capturing.threads:  # mytorch.compile is capturing a step somewhere
            recorder = capture.listening()
            if recorder is not None:
                return recorder.record_backward(self, grad_output, retain_graph)
        grads = self.function._run_backward(self, grad_output)
        if type(grads) is not tuple:
            grads = (grads,)
        if len(grads) != len(self.next_functions):
            raise RuntimeError(
                f"{self.name()}: backward returned {len(grads)} gradients "
                f"for {len(self.next_functions)} inputs"
            )
        if not retain_graph:
            self.release()
        return grads

    def release(self) -> None:
        """Free the saved tensors and ctx attributes; a later backward raises.

        ``backward`` calls this on every node it runs unless
        ``retain_graph=True``.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> node = a.exp().grad_fn
        >>> node.release()
        >>> node.saved_tensors
        Traceback (most recent call last):
            ...
        RuntimeError: ExpBackward: trying to backward through the graph a second time, ...
        """
        # Everything but the node's identity lives in its instance dict: the
        # saved tensors, the ctx attributes, a retained gradient's reference.
        function, parents, hooks = self.function, self.next_functions, self._hooks
        self.__dict__.clear()
        self.function, self.next_functions = function, parents
        if hooks is not None:
            self._hooks = hooks
        self._released = True

    def retain_grad_of(self, tensor: Tensor) -> None:
        """Have backward store the gradient of ``tensor`` (this node's output).

        ``Tensor.retain_grad`` calls this on a non-leaf tensor's node.

        Parameters
        ----------
        tensor : Tensor
            The output of this node; only a weak reference to it is kept.

        Examples
        --------
        >>> import mytorch
        >>> a = mytorch.tensor(2.0, requires_grad=True)
        >>> b = a * 3
        >>> b.grad_fn.retain_grad_of(b)  # what b.retain_grad() does
        >>> (b * b).backward()
        >>> b.grad
        tensor(12.)
        """
        # A weak reference: the output tensor holds this node, so a strong one
        # back would be a reference cycle.
        self._retained = weakref.ref(tensor)

    def _released_error(self) -> RuntimeError:
        return RuntimeError(
            f"{self.name()}: trying to backward through the graph a second time, "
            "but its saved tensors were already freed after the first backward; "
            "pass retain_graph=True to the first backward to keep them"
        )
