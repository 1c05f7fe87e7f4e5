"""``save`` and ``load``: state dicts in files that cannot run code when loaded.

``torch.save`` pickles, and unpickling a file can run any code its author chose.
A MyTorch file holds only data. By default it is a zip archive (numpy's ``.npz``) with

- ``manifest.npy``: a uint8 array of UTF-8 JSON, ``{"format": "mytorch", "version": 1,
  "root": node}``, that describes the nesting and holds the plain values;
- ``array_0.npy``, ``array_1.npy``, ...: one member per tensor or numpy array.

A node is one of ``{"kind": "dict", "items": [[key, node], ...]}`` (keys are str
or int, so an optimiser's ``{0: ...}`` state survives), ``{"kind": "list" | "tuple",
"items": [node, ...]}``, ``{"kind": "tensor", "array": name, "requires_grad": bool}``,
``{"kind": "ndarray", "array": name}`` and ``{"kind": "value", "value": v}`` for None,
bools, ints, floats and strings. Loading reads every member as a numeric ``.npy``
array and checks the whole archive against the manifest.

``save(..., format="safetensors")`` writes a flat ``{name: tensor}`` dict (a
``state_dict()``) as a safetensors file instead, which PyTorch reads with
``safetensors.torch.load_file``; ``load`` recognises either format by its content.

Limits on untrusted files
-------------------------
A small archive can declare members that inflate to gigabytes. Before it inflates
anything, ``load`` compares what the members declare with these limits, module
attributes read at each call (raise them for a file you trust):

- ``MAX_COMPRESSION_RATIO`` (100): the members together may declare at most this
  many times the file's size, or ``MIN_LIMITED_BYTES`` (64 MiB), whichever is more;
- ``MAX_MANIFEST_BYTES`` (4 MiB): the manifest's size (its JSON parses into at most
  about 100 MB of Python objects).

Each member is read no further than it declares (and must end where its ``.npy``
header says: trailing bytes are an error), and only stored or deflated members are
read. A file that passes the limits but needs more memory than there is raises
``MemoryError`` naming the file, not "not a valid MyTorch file".
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy as np

from mytorch.serialization import npz, safetensors_format

__all__ = ["load", "save"]

MAX_COMPRESSION_RATIO = 100
MIN_LIMITED_BYTES = 64 * 2**20
MAX_MANIFEST_BYTES = 4 * 2**20
_FORMATS = ("npz", "safetensors")

FileLike = str | os.PathLike[str] | BinaryIO


def save(obj: Any, f: FileLike, *, format: str = "npz") -> None:
    """Save nested dicts, lists and tuples of tensors, arrays and plain values to a file.

    Given a path, the file is written under a temporary name in the same directory and
    then renamed over ``f`` in one step, so a failure never leaves a partial file.
    Saving over an existing file keeps its permissions (a ``chmod 600`` checkpoint
    stays 600), and saving through a symbolic link writes to the file it points at,
    leaving the link in place. ``f`` is used as given (no ``.npz`` is appended). A
    tensor is stored with its dtype, shape and ``requires_grad``; numpy scalars are
    stored as Python numbers; an object that appears twice is stored twice.

    Parameters
    ----------
    obj : Tensor, numpy.ndarray, dict, list, tuple, None, bool, int, float or str
        What to save, typically a ``state_dict()``. Dict keys must be str or int.
    f : str, os.PathLike or binary file object
        The file to write, or an open binary file (``io.BytesIO``, ``open(p, "wb")``),
        written from its current position (not atomically).
    format : {"npz", "safetensors"}, default "npz"
        ``"safetensors"`` writes a flat dict of str keys to tensors (a ``state_dict()``)
        in the safetensors format, for PyTorch and other tools; it needs the
        ``safetensors`` package and stores no ``requires_grad``.

    Raises
    ------
    TypeError
        If ``obj`` holds anything else (the message names where), a key is neither
        str nor int, or ``obj`` is a whole Module (the message says to save its
        ``state_dict()``).
    ValueError
        If ``obj`` contains itself, or for an unknown ``format``.

    Examples
    --------
    >>> import io, os, tempfile
    >>> import mytorch
    >>> state = {"weight": mytorch.ones(2, 3), "step": 10, "betas": (0.9, 0.999)}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "checkpoint.npz")
    ...     mytorch.save(state, path)
    ...     loaded = mytorch.load(path)
    >>> loaded["weight"].shape, loaded["step"], loaded["betas"]
    ((2, 3), 10, (0.9, 0.999))
    >>> buffer = io.BytesIO()
    >>> mytorch.save({"bias": mytorch.zeros(2)}, buffer)
    >>> _ = buffer.seek(0)
    >>> mytorch.load(buffer, map_location="cpu", weights_only=True)
    {'bias': tensor([0., 0.])}
    """
    if format not in _FORMATS:
        raise ValueError(f"save: format must be one of {list(_FORMATS)}, got {format!r}")
    if format == "safetensors":
        content = safetensors_format.to_bytes(obj)
        write: Callable[[BinaryIO], Any] = lambda file: file.write(content)  # noqa: E731
    else:
        arrays: dict[str, np.ndarray] = {}
        root = npz.encode(obj, arrays, "obj", set())
        manifest = json.dumps({"format": npz.FORMAT, "version": npz.VERSION, "root": root})
        arrays[npz.MANIFEST] = np.frombuffer(manifest.encode("utf-8"), dtype=np.uint8)
        write = lambda file: np.savez_compressed(file, **arrays)  # noqa: E731
    if callable(getattr(f, "write", None)):
        write(f)  # type: ignore[arg-type]
    else:
        _write_atomically(_as_path(f, "save"), write)


def load(f: FileLike, map_location: Any = None, *, weights_only: bool | None = None) -> Any:
    """Load what ``save`` wrote, with the same nesting; tensors come back as Tensors.

    Nothing in the file is ever unpickled or executed, so ``weights_only=True`` is the
    only mode there is. Files in the safetensors format (``save(..., format=
    "safetensors")``, or written by ``safetensors.torch.save_file``) load as a dict of
    Tensors. See the module's "Limits on untrusted files".

    Parameters
    ----------
    f : str, os.PathLike or binary file object
        The file to read, or an open binary file read from its current position (a
        stream that cannot seek is read into memory first).
    map_location : None, "cpu", a CPU device, or a dict mapping to "cpu"
        Accepted for PyTorch scripts: everything loads on the CPU.
    weights_only : bool, optional
        True or None; False is refused, as loading never unpickles.

    Returns
    -------
    The saved object: dicts, lists and tuples of Tensors (with their saved dtype,
    shape and ``requires_grad``), numpy arrays and plain values.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``f``.
    ValueError
        If the file is not an intact MyTorch archive (or safetensors file): not a
        zip, truncated or damaged, with a missing or invalid manifest, with members
        the manifest does not describe (such as ``../x`` or absolute paths), with
        object (pickled) or other non-numeric arrays, or with trailing bytes after an
        array; or if it declares more than the limits allow; or for
        ``weights_only=False``. The message names the file.
    MemoryError
        If a valid file needs more memory than there is (the message names the file).
    RuntimeError
        For a ``map_location`` other than the CPU (such as ``"cuda"``).

    Examples
    --------
    >>> import os, tempfile
    >>> import mytorch
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "optim.npz")
    ...     mytorch.save({"state": {0: {"step": 3}}}, path)
    ...     mytorch.load(path)
    {'state': {0: {'step': 3}}}
    """
    _check_map_location(map_location)
    if weights_only is not None and weights_only is not True:
        raise ValueError(
            f"load: weights_only={weights_only!r} is not supported: MyTorch files hold only "
            "data and load never unpickles, so weights_only=True is the only mode"
        )
    with _reading(f) as (file, name):
        try:
            return _load_file(file, name)
        except MemoryError:
            raise MemoryError(
                f"load: not enough memory to load {name!r}; the file itself looks valid"
            ) from None


# ------------------------------------------------------------------ saving
def _as_path(path: Any, op: str) -> str:
    if isinstance(path, (str, os.PathLike)):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(
            f"{op}: f must be a str, os.PathLike or binary file object, got {type(path).__name__}"
        )
    return path


def _write_atomically(path: str, write: Callable[[BinaryIO], Any]) -> None:
    """Write to a fresh file beside ``path``'s target, then rename it over the target at once."""
    # Through a symbolic link to the file it names, as other tools write: the link stays.
    target = os.path.realpath(path)
    if os.path.islink(target):
        raise OSError(errno.ELOOP, "save: too many levels of symbolic links", path)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = None
    directory, base = os.path.split(target)
    temporary = os.path.join(directory, f".{base}.{secrets.token_hex(8)}.tmp")
    try:
        # O_EXCL: never reuse an existing file. Over an existing file, the new one starts
        # owner-only (a private checkpoint's data is never readable by others) and gets
        # the old file's mode before the atomic rename; a new file gets the usual mode
        # (0o666 less the umask, which the system applies).
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        with open(os.open(temporary, flags, 0o666 if mode is None else 0o600), "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


# ----------------------------------------------------------------- loading
def _check_map_location(map_location: Any) -> None:
    targets = list(map_location.values()) if isinstance(map_location, dict) else [map_location]
    for target in targets:
        if target is None:
            continue
        if callable(target) and not isinstance(target, str):
            raise TypeError(
                "load: map_location as a function is not supported; MyTorch tensors live "
                "on the CPU, so pass None or 'cpu'"
            )
        if str(target).split(":")[0] != "cpu":
            raise RuntimeError(
                f"load: map_location={target!r}: MyTorch runs on the CPU only, so tensors "
                "load there; pass None or 'cpu'"
            )


@contextlib.contextmanager
def _reading(f: FileLike) -> Iterator[tuple[BinaryIO, str]]:
    """The binary file to read (seekable) and a name for messages."""
    if callable(getattr(f, "read", None)):
        name = getattr(f, "name", None)
        name = name if isinstance(name, str) else f"<{type(f).__name__}>"
        seekable = getattr(f, "seekable", None)
        yield (f if seekable is not None and seekable() else io.BytesIO(f.read())), name  # type: ignore[union-attr,misc]
        return
    path = _as_path(f, "load")
    with open(path, "rb") as file:
        yield file, path


def _invalid(name: str, problem: str) -> ValueError:
    return ValueError(f"load: {name!r} is not a valid MyTorch file: {problem}")


def _load_file(file: BinaryIO, name: str) -> Any:
    start = file.tell()
    size = file.seek(0, os.SEEK_END) - start
    file.seek(start)
    head = file.read(16)
    file.seek(start)
    if safetensors_format.looks_like_safetensors(head, size):
        try:
            return safetensors_format.from_bytes(file.read())
        except ValueError as error:
            raise _invalid(name, str(error)) from None
    if head.startswith(b"\x93NUMPY"):
        raise _invalid(name, "it holds a single .npy array, not a MyTorch .npz archive")
    if not head.startswith(b"PK"):
        # np.load would guess the file is a pickle and say so, which misleads.
        raise _invalid(name, "it is not a zip (.npz) archive")
    try:
        arrays = npz.read_members(
            file, size, MAX_COMPRESSION_RATIO, MIN_LIMITED_BYTES, MAX_MANIFEST_BYTES
        )
    except npz.LimitExceeded as error:
        raise ValueError(
            f"load: {name!r} exceeds a limit on untrusted files: {error}; raise it if "
            "you trust this file"
        ) from None
    except npz.InvalidFile as error:
        raise _invalid(name, str(error)) from error.__cause__
    manifest = arrays.pop(npz.MANIFEST, None)
    if manifest is None:
        raise _invalid(name, f"the archive has no {npz.MANIFEST}.npy member")
    try:
        root = npz.parse_manifest(manifest)
    except npz.InvalidFile as error:
        raise _invalid(name, str(error)) from None
    used: set[str] = set()
    try:
        obj = npz.decode(root, arrays, used, "root")
    except RecursionError:
        raise _invalid(name, "the manifest is nested too deeply") from None
    except ValueError as error:
        raise _invalid(name, f"invalid manifest: {error}") from None
    unused = sorted(set(arrays) - used)
    if unused:
        raise _invalid(name, f"unexpected members {unused}, which the manifest does not use")
    return obj
