"""Collecting and restoring a module's state: ``state_dict`` and ``load_state_dict``.

Loading is all or nothing. Every key, shape and value is checked before the
first tensor is touched, and one error lists every problem found, so a bad
checkpoint can neither half-load a model nor make the user fix it one
complaint at a time.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor, shape_str

if TYPE_CHECKING:
    from mytorch.nn.module import Module

__all__ = ["IncompatibleKeys", "ModuleState", "collect", "load"]


class IncompatibleKeys(NamedTuple):
    """What ``load_state_dict`` returns: the keys it did not find, and those it did not use.

    Examples
    --------
    >>> from mytorch.nn.state import IncompatibleKeys
    >>> IncompatibleKeys(missing_keys=["bias"], unexpected_keys=[])
    IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])
    """

    missing_keys: list[str]
    unexpected_keys: list[str]

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return (
            f"IncompatibleKeys(missing_keys={self.missing_keys!r}, "
            f"unexpected_keys={self.unexpected_keys!r})"
        )


def collect(module: Module, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
    """Each module's parameters, then its persistent buffers, then its children's, by name.

    What ``Module.state_dict`` returns. A module shared by two paths appears
    under both names, as in PyTorch.

    Examples
    --------
    >>> from mytorch import nn
    >>> from mytorch.nn import state
    >>> list(state.collect(nn.BatchNorm1d(2), prefix="bn."))
    ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var', 'bn.num_batches_tracked']
    """
    state: OrderedDict[str, Tensor] = OrderedDict()
    for module_name, sub in module.named_modules(remove_duplicate=False):
        names = [*sub._parameters.items(), *sub._buffers.items()]
        for name, tensor in names:
            if tensor is None or name in sub._non_persistent_buffers:
                continue
            key = prefix + (f"{module_name}.{name}" if module_name else name)
            state[key] = tensor if keep_vars else tensor.detach()
    return state


def load(module: Module, state_dict: Mapping[str, Any], strict: bool = True) -> IncompatibleKeys:
    """Check everything in ``state_dict`` against ``module``, then copy it in (or raise).

    What ``Module.load_state_dict`` does; see there.

    Examples
    --------
    >>> import numpy as np
    >>> from mytorch import nn
    >>> from mytorch.nn import state
    >>> layer = nn.Linear(2, 1)
    >>> state.load(layer, {"weight": np.ones((1, 2)), "bias": np.zeros(1)})
    <All keys matched successfully>
    >>> layer.weight
    Parameter containing:
    tensor([[1., 1.]], requires_grad=True)
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(
            f"load_state_dict: expected a mapping of names to tensors, "
            f"got {type(state_dict).__name__}"
        )
    targets = collect(module, keep_vars=True)
    missing = [key for key in targets if key not in state_dict]
    unexpected = [key for key in state_dict if key not in targets]
    problems = []
    if strict and missing:
        problems.append("Missing key(s) in state_dict: " + ", ".join(map(repr, missing)) + ".")
    if strict and unexpected:
        problems.append(
            "Unexpected key(s) in state_dict: " + ", ".join(map(repr, unexpected)) + "."
        )
    sources = {}
    for key, target in targets.items():
        if key not in state_dict:
            continue
        value = state_dict[key]
        try:
            array = value.data if isinstance(value, Tensor) else np.asarray(value)
        except ValueError:  # numpy's words for ragged nested lists
            problems.append(
                f"bad value for {key}: a {type(value).__name__} whose rows differ in length "
                "is not a tensor."
            )
            continue
        if not target.data.flags.writeable:
            problems.append(
                f"cannot load {key}: the model's tensor is read-only (a read-only numpy "
                "array or a broadcast view); give the model a writeable copy first."
            )
        elif array.dtype.kind not in "biuf":
            problems.append(
                f"bad value for {key}: expected a tensor of numbers, got "
                f"{type(value).__name__} of dtype {array.dtype}."
            )
        elif array.shape != target.shape:
            problems.append(
                f"size mismatch for {key}: copying a value of shape {shape_str(array.shape)} "
                f"from the state dict, but the shape in the current model is "
                f"{shape_str(target.shape)}."
            )
        else:
            sources[key] = array
    if problems:
        raise RuntimeError(
            f"Error(s) in loading state_dict for {type(module).__name__}:\n\t"
            + "\n\t".join(problems)
        )
    # Parameters require grad: the in-place copy must not be recorded. A float64 value too
    # large for float32 becomes inf, as in PyTorch, without a warning that (as an error)
    # could stop the loop half-way.
    with no_grad(), np.errstate(over="ignore"):
        for key, array in sources.items():
            targets[key].copy_(array)
    return IncompatibleKeys(missing, unexpected)


class ModuleState:
    """The saving and loading half of ``Module`` (a ``ModuleState`` instance is always a Module).

    Its two methods are the public faces of ``collect`` and ``load`` above.
    """

    def state_dict(self, *, prefix: str = "", keep_vars: bool = False) -> OrderedDict[str, Tensor]:
        """Return the parameters and persistent buffers by dotted name, detached.

        The tensors share memory with the module's (as in PyTorch): copy them
        (``{k: v.clone() ...}``) to keep a snapshot while training goes on.

        Examples
        --------
        >>> from mytorch import nn
        >>> list(nn.Sequential(nn.Linear(2, 3), nn.ReLU()).state_dict())
        ['0.weight', '0.bias']
        """
        return collect(self, prefix, keep_vars)

    def load_state_dict(
        self, state_dict: Mapping[str, Any], strict: bool = True
    ) -> IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers, in place.

        Every key and shape is checked first. If anything is wrong (with
        ``strict=True``: a missing or unexpected key; always: a shape that
        differs or a value that is not numeric), one error lists every problem and
        nothing is changed.

        Returns
        -------
        IncompatibleKeys
            ``(missing_keys, unexpected_keys)``, both empty in strict mode.

        Raises
        ------
        RuntimeError
            Listing all missing, unexpected and mis-shaped entries.

        Examples
        --------
        >>> from mytorch import nn
        >>> source, target = nn.Linear(2, 1), nn.Linear(2, 1)
        >>> target.load_state_dict(source.state_dict())
        <All keys matched successfully>
        >>> bool((target.weight == source.weight).all())
        True
        """
        return load(self, state_dict, strict)
