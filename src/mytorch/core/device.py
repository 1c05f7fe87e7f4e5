"""Devices, honestly: MyTorch computes with numpy, on the CPU, and says so.

``mytorch.device("cpu")``, ``tensor.device``, ``tensor.to("cpu")`` and a
``device=`` argument on every factory let PyTorch scripts run unchanged. Any
other device ("cuda", "mps", ...) is refused with an error that says why,
rather than silently computing on the CPU under another name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["check_device", "device", "is_device_name"]

_KNOWN = ("cuda", "mps", "xpu", "xla", "meta", "hip", "ipu", "vulkan", "mtia", "privateuseone")


class device:
    """A device on which tensors live; MyTorch has one, the CPU.

    Parameters
    ----------
    type : str or device
        ``"cpu"`` (optionally ``"cpu:0"``).
    index : int, optional
        Accepted for PyTorch's ``device("cpu", 0)``; only 0 exists.

    Raises
    ------
    RuntimeError
        For any other device, such as ``"cuda"`` or ``"mps"``: MyTorch runs on
        the CPU only.

    Examples
    --------
    >>> import mytorch
    >>> mytorch.device("cpu")
    device(type='cpu')
    >>> mytorch.zeros(2).device == mytorch.device("cpu")
    True
    """

    __slots__ = ()

    def __new__(cls, type: Any = "cpu", index: int | None = None) -> device:
        if isinstance(type, device):
            return type
        name = type
        if not isinstance(name, str):
            raise TypeError(f"device: expected a string such as 'cpu', got {name!r}")
        kind, _, number = name.partition(":")
        if kind != "cpu":
            if kind in _KNOWN:
                raise RuntimeError(
                    f"device: MyTorch runs on the CPU only (numpy), so device {name!r} is "
                    "not available; use 'cpu' (mytorch.cuda.is_available() is False)"
                )
            raise RuntimeError(f"device: unknown device type {name!r}; MyTorch has only 'cpu'")
        if number:
            index = int(number) if number.isdigit() else -1
        if index not in (None, 0):
            raise RuntimeError(
                f"device: MyTorch has one CPU device, 'cpu' (index 0), got {name!r}"
            )
        return _CPU

    @property
    def type(self) -> str:
        """The device type: always ``'cpu'``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.device("cpu").type
        'cpu'
        """
        return "cpu"

    @property
    def index(self) -> None:
        """The device index: None, as for PyTorch's ``device("cpu")``.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.device("cpu").index is None
        True
        """
        return None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return other in ("cpu", "cpu:0")
        return isinstance(other, device)

    def __hash__(self) -> int:
        return hash("cpu")

    def __repr__(self) -> str:
        return "device(type='cpu')"

    def __str__(self) -> str:
        return "cpu"

    def __reduce__(self) -> tuple[Any, ...]:
        return (device, ("cpu",))


_CPU = object.__new__(device)


def is_device_name(value: Any) -> bool:
    """Whether ``value`` is a string naming a device ("cpu", "cuda:0", ...), not a dtype."""
    return isinstance(value, str) and value.partition(":")[0] in ("cpu", *_KNOWN)


def check_device(value: Any) -> None:
    """Refuse a ``device=`` argument other than None or the CPU (see ``device``)."""
    if value is not None and value is not _CPU:
        device(value)
