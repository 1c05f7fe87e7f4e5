"""``Module``: the base class of every layer and model.

A module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: the ``Parameter``s it learns (``self.weight = Parameter(...)``);
* ``_buffers``: tensors it keeps but does not learn, such as BatchNorm's running
  statistics (``self.register_buffer("running_mean", ...)``);
* ``_modules``: its sub-modules (``self.fc = Linear(...)``).

Everything else a module does, from ``parameters()`` to ``state_dict()``, walks
these registries down the tree, in the order the attributes were first set.
Each registered value is also an ordinary attribute, so reading it is fast.
The walks themselves (``parameters()``, ``modules()``, ``repr``) are in
``mytorch.nn.tree``; saving and loading the state is in ``mytorch.nn.state``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core import capture
from mytorch.core.tensor import Tensor
from mytorch.nn import hooks
from mytorch.nn.conversions import ModuleConversions
from mytorch.nn.hooks import ModuleHooks
from mytorch.nn.parameter import Parameter
from mytorch.nn.state import ModuleState
from mytorch.nn.tree import ModuleTree

__all__ = ["Module"]

_REGISTRIES = ("_parameters", "_buffers", "_modules")


class Module(ModuleTree, ModuleHooks, ModuleConversions, ModuleState):
    """Base class of layers and models: subclass it, set parts as attributes, write ``forward``.

    Parameters and sub-modules assigned as attributes are registered, so that
    ``parameters()`` finds them for the optimiser and ``state_dict()`` saves them.
    Calling the module (``model(x)``) runs ``forward``.

    Attributes
    ----------
    training : bool
        True in training mode (the default), False in evaluation mode; layers
        such as ``Dropout`` and ``BatchNorm1d`` behave differently in each.

    Examples
    --------
    >>> import mytorch
    >>> from mytorch import nn
    >>> class TwoLayer(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.hidden = nn.Linear(4, 8)
    ...         self.out = nn.Linear(8, 2)
    ...     def forward(self, x):
    ...         return self.out(self.hidden(x).relu())
    >>> model = TwoLayer()
    >>> [name for name, _ in model.named_parameters()]
    ['hidden.weight', 'hidden.bias', 'out.weight', 'out.bias']
    >>> model(mytorch.zeros(3, 4)).shape
    (3, 2)
    >>> model
    TwoLayer(
      (hidden): Linear(in_features=4, out_features=8, bias=True)
      (out): Linear(in_features=8, out_features=2, bias=True)
    )
    """

    training: bool

    def __init__(self) -> None:
        # object.__setattr__ bypasses our __setattr__, which needs these to exist.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Compute the module's output; every subclass must define it.

        Call the module (``model(x)``) rather than ``forward`` directly.

        Raises
        ------
        NotImplementedError
            If the subclass does not define ``forward``.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> class Double(nn.Module):
        ...     def forward(self, x):
        ...         return 2 * x
        >>> Double()(mytorch.tensor([1.0, 2.0]))
        tensor([2., 4.])
        """
        raise NotImplementedError(
            f"{type(self).__name__}: forward() is not implemented; "
            "a subclass of Module must define it"
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if capture.capturing.threads:  # mytorch.compile: a replay needs this module's mode
            recorder = capture.listening()
            if recorder is not None:
                recorder.note_attribute(self, "training")
        if self._forward_pre_hooks or self._forward_hooks:
            capture.escape(f"forward hooks of {type(self).__name__}")
            return hooks.call_with_hooks(self, args, kwargs)
        try:  # free when nothing is raised: the common case pays nothing
            return self.forward(*args, **kwargs)
        except AttributeError:
            _refuse_non_tensors(self, args)  # a numpy array leaks AttributeError otherwise
            raise

    # ---------------------------------------------------------- registration
    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None, a declared but absent parameter) as ``name``.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> m = nn.Module()
        >>> m.register_parameter("scale", nn.Parameter(mytorch.ones(1)))
        >>> [name for name, _ in m.named_parameters()]
        ['scale']
        """
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"{type(self).__name__}.register_parameter: cannot register a "
                f"{type(param).__name__} as parameter {name!r} (Parameter or None expected)"
            )
        self._register("register_parameter", name, "_parameters", param)

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Register a tensor that is part of the module's state but is not learned.

        Buffers are saved by ``state_dict()`` (unless ``persistent=False``) and
        converted by ``to()``, but never handed to an optimiser.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> m = nn.Module()
        >>> m.register_buffer("count", mytorch.zeros(1))
        >>> list(m.state_dict())
        ['count']
        """
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"{type(self).__name__}.register_buffer: cannot register a "
                f"{type(tensor).__name__} as buffer {name!r} (Tensor or None expected)"
            )
        if isinstance(tensor, Parameter):
            raise TypeError(
                f"{type(self).__name__}.register_buffer: {name!r} is a Parameter; "
                "use register_parameter (or plain assignment) for parameters"
            )
        self._register("register_buffer", name, "_buffers", tensor)
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the sub-module ``name`` (as ``setattr`` does).

        Examples
        --------
        >>> from mytorch import nn
        >>> m = nn.Module()
        >>> m.add_module("act", nn.ReLU())
        >>> m.act
        ReLU()
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(
                f"{type(self).__name__}.add_module: {type(module).__name__} is not a Module"
            )
        self._register("add_module", name, "_modules", module)

    def _register(self, op: str, name: str, registry: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: cannot set {name!r} before Module.__init__() has run; "
                "call super().__init__() first in your __init__"
            )
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(
                f"{type(self).__name__}.{op}: a name must be a non-empty string "
                f"without '.', got {name!r}"
            )
        if hasattr(type(self), name) or name == "training":
            # Class attributes win attribute lookup, so the entry could never be read back.
            raise KeyError(
                f"{type(self).__name__}.{op}: {name!r} is already an attribute of "
                f"{type(self).__name__}; choose another name"
            )
        for other in _REGISTRIES:
            if other != registry:  # a name set again keeps its place, as in PyTorch
                self.__dict__[other].pop(name, None)
        self._non_persistent_buffers.discard(name)
        self.__dict__[registry][name] = value
        # Mirrored as an ordinary attribute, so that ``self.weight`` (read on every
        # forward) is a plain instance-dict lookup; every change to a registry goes
        # through here, __setattr__ or __delattr__, which keep the two in step.
        self.__dict__[name] = value

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(getattr(type(self), name, None), property):
            # A property such as the assignment's aliases (is_train, gamma) sets
            # what it stands for; registering the name would hide it.
            object.__setattr__(self, name, value)
        elif isinstance(value, Parameter):
            self._register("__setattr__", name, "_parameters", value)
        elif isinstance(value, Module):
            self._register("__setattr__", name, "_modules", value)
        else:
            held_in = [r for r in _REGISTRIES if name in self.__dict__.get(r, ())]
            if not held_in:
                object.__setattr__(self, name, value)
                return
            # A registered name keeps its kind: a parameter can become None, not a Tensor.
            kind, expected = _KINDS[held_in[0]]
            if value is not None and not isinstance(value, expected):
                raise TypeError(
                    f"{type(self).__name__}: cannot assign a {type(value).__name__} to "
                    f"{kind} {name!r} ({expected.__name__} or None expected)"
                )
            self.__dict__[held_in[0]][name] = value
            self.__dict__[name] = value  # the mirror that _register keeps

    def __delattr__(self, name: str) -> None:
        for registry in _REGISTRIES:
            if name in self.__dict__[registry]:
                del self.__dict__[registry][name]
                del self.__dict__[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    # ------------------------------------------------------------------ modes
    def train(self, mode: bool = True) -> Module:
        """Put this module and all below it in training mode (or evaluation mode if False).

        Examples
        --------
        >>> from mytorch import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
        >>> model.train().training, model[1].training
        (True, True)
        """
        if not isinstance(mode, bool):
            raise ValueError(f"{type(self).__name__}.train: mode must be a bool, got {mode!r}")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    @property
    def is_train(self) -> bool:
        """The assignment's name for ``training``: the same flag, read and written.

        Like setting ``training``, setting it changes this module only; ``train()``
        and ``eval()`` change the whole tree.

        Examples
        --------
        >>> from mytorch import nn
        >>> layer = nn.BatchNorm1d(3)
        >>> layer.is_train = False
        >>> layer.training
        False
        """
        return self.training

    @is_train.setter
    def is_train(self, mode: bool) -> None:
        self.training = mode

    def eval(self) -> Module:
        """Put this module and all below it in evaluation mode; same as ``train(False)``.

        Examples
        --------
        >>> from mytorch import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
        >>> model.eval()[1].training
        False
        """
        return self.train(False)

    # ---------------------------------------------------------------- helpers
    @capture.effect
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradient of every parameter: to None (default), or to zeros in place.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> layer = nn.Linear(2, 1)
        >>> layer(mytorch.ones(1, 2)).sum().backward()
        >>> layer.zero_grad()
        >>> layer.weight.grad is None
        True
        """
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                if param.grad.requires_grad:
                    # A gradient made with create_graph=True is in a graph: cut it out first.
                    param.grad = param.grad.detach()
                param.grad.zero_()

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Set ``requires_grad`` on every parameter, and return this module.

        ``requires_grad_(False)`` freezes the module, as in PyTorch: its
        parameters stay parameters (in ``parameters()`` and ``state_dict()``),
        but backward gives them no gradient, so an optimiser holding them skips
        them. ``requires_grad_(True)`` unfreezes them. Fine-tuning freezes the
        layers it keeps.

        Raises
        ------
        TypeError
            If ``requires_grad`` is not a bool (nothing is changed).

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> model = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))
        >>> _ = model[0].requires_grad_(False)
        >>> model(mytorch.ones(1, 2)).sum().backward()
        >>> model[0].weight.grad is None, model[1].weight.grad is None
        (True, False)
        """
        if type(requires_grad) is not bool:
            raise TypeError(
                f"{type(self).__name__}.requires_grad_: requires_grad must be a bool, "
                f"got {type(requires_grad).__name__}"
            )
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def apply(self, fn: Callable[[Module], Any]) -> Module:
        """Call ``fn`` on every sub-module (children first) and then on this module.

        Examples
        --------
        >>> from mytorch import nn
        >>> names = []
        >>> _ = nn.Sequential(nn.ReLU(), nn.Tanh()).apply(lambda m: names.append(type(m).__name__))
        >>> names
        ['ReLU', 'Tanh', 'Sequential']
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self


# What each registry holds, for the errors of ``Module.__setattr__``.
_KINDS = {
    "_parameters": ("parameter", Parameter),
    "_buffers": ("buffer", Tensor),
    "_modules": ("child module", Module),
}


def _refuse_non_tensors(module: Module, args: tuple[Any, ...]) -> None:
    """Raise a clear TypeError if an input is an array or list rather than a Tensor."""
    for index, arg in enumerate(args):
        if isinstance(arg, (np.ndarray, list, tuple)) and not isinstance(arg, Tensor):
            raise TypeError(
                f"{type(module).__name__}: input {index} is a {type(arg).__name__}, not a "
                "Tensor; convert it first, e.g. mytorch.from_numpy(array) or "
                "mytorch.tensor(data)"
            )
