"""``Module.to``, ``double``, ``float``, ``cpu``: a model's dtype and device, as in PyTorch.

The conversions work in place: the Parameter objects stay the same (so an
optimiser made earlier still holds them), only their arrays change. The one
device is the CPU, so ``model.to(device)`` with a CPU device does nothing, and
any other device is refused with the error ``mytorch.device`` gives.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from mytorch.core import dtypes
from mytorch.core.device import check_device, is_device_name
from mytorch.core.device import device as Device
from mytorch.core.tensor import Tensor

if TYPE_CHECKING:
    from mytorch.nn.module import Module

__all__ = ["ModuleConversions"]


class ModuleConversions:
    """What ``Module`` gets from this module: ``to``, ``double``, ``float`` and ``cpu``."""

    def to(self: Module, *args: Any, dtype: Any = None, device: Any = None) -> Module:
        """Move the module to a device and/or convert its floating-point tensors to a dtype.

        Takes PyTorch's forms: ``to(device)``, ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)`` (its dtype) and the keywords. The only device is the CPU.
        Every floating-point parameter and buffer is converted in place; integer
        buffers (such as ``num_batches_tracked``) are left as they are.

        Raises
        ------
        RuntimeError
            For a device other than the CPU ("cuda", "mps", ...).
        TypeError
            For a dtype that is not a floating-point one.

        Examples
        --------
        >>> import mytorch
        >>> from mytorch import nn
        >>> nn.Linear(2, 1).to(mytorch.float64).weight.dtype
        dtype('float64')
        >>> nn.Linear(2, 1).to(mytorch.device("cpu")).weight.dtype
        dtype('float32')
        """
        check_device(device)
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, Device) or is_device_name(arg):
                check_device(arg)
            elif arg is not None:
                dtype = arg
        if dtype is None:
            return self
        resolved = dtypes.resolve_dtype(dtype)
        if resolved is None or resolved.kind != "f":
            raise TypeError(f"{type(self).__name__}.to: expected a floating dtype, got {dtype!r}")
        for tensor in [*self.parameters(), *self.buffers()]:
            if tensor.dtype.kind == "f" and tensor.dtype != resolved:
                tensor.data = tensor.data.astype(resolved)
                # A graph that saved this tensor must notice the change.
                tensor._bump_version()
                if tensor.grad is not None:
                    tensor.grad = Tensor(tensor.grad.data.astype(resolved))
        return self

    def cpu(self: Module) -> Module:
        """Return the module itself: it is on the CPU, the only device.

        Examples
        --------
        >>> from mytorch import nn
        >>> layer = nn.Linear(2, 1)
        >>> layer.cpu() is layer
        True
        """
        return self

    def double(self: Module) -> Module:
        """Convert floating-point parameters and buffers to float64 (see ``to``).

        Examples
        --------
        >>> from mytorch import nn
        >>> nn.Linear(2, 1).double().bias.dtype
        dtype('float64')
        """
        return self.to(np.float64)

    def float(self: Module) -> Module:
        """Convert floating-point parameters and buffers to float32 (see ``to``).

        Examples
        --------
        >>> from mytorch import nn
        >>> nn.Linear(2, 1).double().float().bias.dtype
        dtype('float32')
        """
        return self.to(np.float32)
