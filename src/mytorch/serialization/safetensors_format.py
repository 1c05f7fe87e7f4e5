"""The safetensors format: flat ``{name: tensor}`` files that PyTorch and others read.

A safetensors file is an 8-byte little-endian header length, a JSON header giving each
tensor's dtype, shape and byte range, then the raw bytes: nothing in it can run code.
It needs the optional ``safetensors`` package (``pip install safetensors``); MyTorch
uses its numpy API, ``safetensors.numpy``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from mytorch.core.tensor import Tensor

_HINT = "pip install safetensors (or the mytorch-autograd[safetensors] extra)"


def looks_like_safetensors(head: bytes, size: int) -> bool:
    """Whether a file that starts with ``head`` (8+ bytes) and has ``size`` bytes is one."""
    return len(head) >= 9 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") < size


def to_bytes(obj: Any) -> bytes:
    """The safetensors encoding of a flat dict of str keys to Tensors or numeric arrays."""
    if not isinstance(obj, dict):
        raise TypeError(
            "save: format='safetensors' stores a dict of str keys to tensors (such as a "
            f"state_dict()), got a {type(obj).__name__}"
        )
    arrays = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"save: format='safetensors' needs str keys, got {key!r}")
        array = value.data if isinstance(value, Tensor) else value
        if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
            kind = array.dtype if isinstance(array, np.ndarray) else type(value).__name__
            raise TypeError(
                f"save: format='safetensors' stores only numeric tensors; obj[{key!r}] is a "
                f"{kind} (save other state with the default format)"
            )
        arrays[key] = np.ascontiguousarray(array)
    try:
        from safetensors.numpy import save as encode
    except ImportError:
        raise ImportError(
            f"save: format='safetensors' needs the safetensors package: {_HINT}"
        ) from None
    return encode(arrays)


def from_bytes(data: bytes) -> dict[str, Tensor]:
    """The tensors of a safetensors file's bytes; errors are ValueErrors (load adds the name)."""
    try:
        from safetensors.numpy import load as decode
    except ImportError:
        raise ImportError(f"load: this is a safetensors file, which needs: {_HINT}") from None
    try:
        arrays = decode(data)
    except MemoryError:
        raise
    except Exception as error:  # safetensors' own SafetensorError, and others
        raise ValueError(f"it is not a readable safetensors file ({error})") from error
    return {key: Tensor(np.array(array)) for key, array in arrays.items()}
