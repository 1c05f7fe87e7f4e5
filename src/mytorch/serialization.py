"""``save`` and ``load``: state dicts in ``.npz`` files that cannot run code when loaded.

``torch.save`` pickles, and unpickling a file can run any code its author chose.
A MyTorch file holds only data: a zip archive (numpy's ``.npz``) with

- ``manifest.npy``: a uint8 array of UTF-8 JSON, ``{"format": "mytorch", "version": 1,
  "root": node}``, that describes the nesting and holds the plain values;
- ``array_0.npy``, ``array_1.npy``, ...: one member per tensor or numpy array.

A node is one of ``{"kind": "dict", "items": [[key, node], ...]}`` (keys are str
or int, so an optimiser's ``{0: ...}`` state survives), ``{"kind": "list" | "tuple",
"items": [node, ...]}``, ``{"kind": "tensor", "array": name, "requires_grad": bool}``,
``{"kind": "ndarray", "array": name}`` and ``{"kind": "value", "value": v}`` for None,
bools, ints, floats and strings. Loading reads every member with
``allow_pickle=False`` and checks the whole archive against the manifest.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import zipfile
from typing import Any

import numpy as np

from mytorch.core.tensor import Tensor

__all__ = ["load", "save"]

_FORMAT, _VERSION = "mytorch", 1
_MANIFEST = "manifest"
_ARRAY_NAME = re.compile(r"array_(0|[1-9][0-9]*)")
# Numeric and bool arrays only: never objects (pickles), strings or raw bytes.
_ARRAY_KINDS = "biufc"
_PLAIN = (type(None), bool, int, float, str)
# A damaged archive makes zipfile and numpy raise many kinds of error (ValueError,
# EOFError, zipfile.BadZipFile, zlib.error, NotImplementedError, tokenize.TokenError,
# ...): around their reading calls, any error means the file is damaged.
_READ_ERRORS = Exception


def save(obj: Any, path: str | os.PathLike[str]) -> None:
    """Save nested dicts, lists and tuples of tensors, arrays and plain values to a file.

    The file is written under a temporary name in the same directory and then
    renamed over ``path`` in one step, so a failure never leaves a partial file.
    ``path`` is used as given (no ``.npz`` is appended). A tensor is stored with its
    dtype, shape and ``requires_grad``; numpy scalars are stored as Python numbers;
    an object that appears twice is stored twice.

    Parameters
    ----------
    obj : Tensor, numpy.ndarray, dict, list, tuple, None, bool, int, float or str
        What to save, typically a ``state_dict()``. Dict keys must be str or int.
    path : str or os.PathLike
        The file to write.

    Raises
    ------
    TypeError
        If ``obj`` holds anything else (the message names where), or a key is
        neither str nor int.
    ValueError
        If ``obj`` contains itself.

    Examples
    --------
    >>> import os, tempfile
    >>> import mytorch
    >>> state = {"weight": mytorch.ones(2, 3), "step": 10, "betas": (0.9, 0.999)}
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = os.path.join(folder, "checkpoint.npz")
    ...     mytorch.save(state, path)
    ...     loaded = mytorch.load(path)
    >>> loaded["weight"].shape, loaded["step"], loaded["betas"]
    ((2, 3), 10, (0.9, 0.999))
    """
    path = _as_path(path, "save")
    arrays: dict[str, np.ndarray] = {}
    root = _encode(obj, arrays, "obj", set())
    manifest = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root})
    arrays[_MANIFEST] = np.frombuffer(manifest.encode("utf-8"), dtype=np.uint8)
    _write_atomically(path, arrays)


def load(path: str | os.PathLike[str]) -> Any:
    """Load what ``save`` wrote, with the same nesting; tensors come back as Tensors.

    Nothing in the file is ever unpickled or executed.

    Parameters
    ----------
    path : str or os.PathLike
        The file to read.

    Returns
    -------
    The saved object: dicts, lists and tuples of Tensors (with their saved dtype,
    shape and ``requires_grad``), numpy arrays and plain values.

    Raises
    ------
    FileNotFoundError
        If there is no file at ``path``.
    ValueError
        If the file is not an intact MyTorch archive: not a zip, truncated or
        damaged, with a missing or invalid manifest, with members the manifest
        does not describe (such as ``../x`` or absolute paths), or with object
        (pickled) or other non-numeric arrays. The message names the file.

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
    path = _as_path(path, "load")
    with open(path, "rb") as file:
        if file.read(6) == b"\x93NUMPY":
            raise _invalid(path, "it holds a single .npy array, not a MyTorch .npz archive")
        if not zipfile.is_zipfile(file):
            # np.load would guess the file is a pickle and say so, which misleads.
            raise _invalid(path, "it is not a zip (.npz) archive")
        file.seek(0)
        try:
            archive = np.load(file, allow_pickle=False)
        except _READ_ERRORS as error:
            raise _invalid(path, f"it is not a readable .npz archive ({error})") from error
        with archive:
            arrays = _read_members(archive, path)
    manifest = arrays.pop(_MANIFEST, None)
    if manifest is None:
        raise _invalid(path, f"the archive has no {_MANIFEST}.npy member")
    root = _parse_manifest(manifest, path)
    used: set[str] = set()
    try:
        obj = _decode(root, arrays, used, "root")
    except RecursionError:
        raise _invalid(path, "the manifest is nested too deeply") from None
    except ValueError as error:
        raise _invalid(path, f"invalid manifest: {error}") from None
    unused = sorted(set(arrays) - used)
    if unused:
        raise _invalid(path, f"unexpected members {unused}, which the manifest does not use")
    return obj


# ------------------------------------------------------------------ saving
def _as_path(path: Any, op: str) -> str:
    if isinstance(path, (str, os.PathLike)):
        path = os.fspath(path)
    if not isinstance(path, str):
        raise TypeError(f"{op}: path must be a str or os.PathLike, got {type(path).__name__}")
    return path


def _encode(value: Any, arrays: dict[str, np.ndarray], where: str, active: set[int]) -> Any:
    """Return the manifest node for ``value``, moving its arrays into ``arrays``."""
    if isinstance(value, Tensor):
        name = _store(value.data, arrays, where)
        return {"kind": "tensor", "array": name, "requires_grad": value.requires_grad}
    if isinstance(value, np.ndarray):
        return {"kind": "ndarray", "array": _store(value, arrays, where)}
    if isinstance(value, _PLAIN):
        return {"kind": "value", "value": value}
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        return {"kind": "value", "value": value.item()}
    if not isinstance(value, (dict, list, tuple)):
        raise TypeError(
            f"save: cannot store {where}, a {type(value).__name__}; only tensors, numpy "
            "arrays, dicts, lists, tuples, None, bools, ints, floats and strings"
        )
    if id(value) in active:
        raise ValueError(f"save: {where} contains itself")
    active.add(id(value))
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if isinstance(key, bool) or not isinstance(key, (str, int)):
                raise TypeError(f"save: the key {key!r} in {where} is not a str or an int")
            items.append([key, _encode(item, arrays, f"{where}[{key!r}]", active)])
        node = {"kind": "dict", "items": items}
    else:
        kind = "tuple" if isinstance(value, tuple) else "list"
        items = [_encode(item, arrays, f"{where}[{i}]", active) for i, item in enumerate(value)]
        node = {"kind": kind, "items": items}
    active.discard(id(value))
    return node


def _store(array: np.ndarray, arrays: dict[str, np.ndarray], where: str) -> str:
    if array.dtype.kind not in _ARRAY_KINDS:
        raise TypeError(f"save: {where} has dtype {array.dtype}; only numeric arrays can be saved")
    name = f"array_{len(arrays)}"
    arrays[name] = array
    return name


def _write_atomically(path: str, arrays: dict[str, np.ndarray]) -> None:
    """Write to a fresh file beside ``path``, then rename it over ``path`` at once."""
    directory, base = os.path.split(os.path.abspath(path))
    temporary = os.path.join(directory, f".{base}.{secrets.token_hex(8)}.tmp")
    try:
        # "x": never reuse an existing file; the rename below is atomic on POSIX
        # and Windows when both names are in the same directory.
        with open(temporary, "xb") as file:
            np.savez_compressed(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)
        raise


# ----------------------------------------------------------------- loading
def _invalid(path: str, problem: str) -> ValueError:
    return ValueError(f"load: {path!r} is not a valid MyTorch file: {problem}")


def _read_members(archive: np.lib.npyio.NpzFile, path: str) -> dict[str, np.ndarray]:
    """Check every member's name, then read each as a numeric array without pickle."""
    names = archive.zip.namelist()
    stems = [name.removesuffix(".npy") for name in names]
    bad = [
        name
        for name, stem in zip(names, stems)
        if not name.endswith(".npy") or not (stem == _MANIFEST or _ARRAY_NAME.fullmatch(stem))
    ]
    if bad:
        raise _invalid(path, f"unexpected members {bad}")
    if len(set(stems)) != len(stems):
        raise _invalid(path, "a member appears twice")
    # zipfile checks a member's CRC only when it reads the member to its end, and
    # numpy stops at the array's last byte; testzip reads every member through.
    try:
        damaged = archive.zip.testzip()
    except _READ_ERRORS as error:
        raise _invalid(path, f"the archive is damaged ({error})") from error
    if damaged is not None:
        raise _invalid(path, f"member {damaged} is damaged (its checksum does not match)")
    arrays = {}
    for stem in stems:
        try:
            array = archive[stem]
        except _READ_ERRORS as error:
            raise _invalid(path, f"member {stem}.npy cannot be read ({error})") from error
        # numpy hands back raw bytes for a member that is not in .npy format.
        if not isinstance(array, np.ndarray) or array.dtype.kind not in _ARRAY_KINDS:
            kind = array.dtype if isinstance(array, np.ndarray) else "not an .npy array"
            raise _invalid(path, f"member {stem}.npy is not a numeric array ({kind})")
        arrays[stem] = array
    return arrays


def _parse_manifest(manifest: np.ndarray, path: str) -> Any:
    if manifest.dtype != np.uint8 or manifest.ndim != 1:
        raise _invalid(path, "the manifest is not a 1-d uint8 array")
    try:
        header = json.loads(manifest.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise _invalid(path, f"the manifest is not valid UTF-8 JSON ({error})") from None
    if (
        not isinstance(header, dict)
        or set(header) != {"format", "version", "root"}
        or header["format"] != _FORMAT
    ):
        raise _invalid(path, "the manifest is not a MyTorch manifest")
    if header["version"] != _VERSION:
        raise _invalid(path, f"format version {header['version']!r} is not supported")
    return header["root"]


_NODE_KEYS = {
    "tensor": {"kind", "array", "requires_grad"},
    "ndarray": {"kind", "array"},
    "value": {"kind", "value"},
    "dict": {"kind", "items"},
    "list": {"kind", "items"},
    "tuple": {"kind", "items"},
}


def _decode(node: Any, arrays: dict[str, np.ndarray], used: set[str], where: str) -> Any:
    """Rebuild the object a manifest node describes; ValueError names what is wrong."""
    kind = node.get("kind") if isinstance(node, dict) else None
    if not isinstance(kind, str) or set(node) != _NODE_KEYS.get(kind):
        raise ValueError(f"{where} is not a valid node")
    if kind == "value":
        if not isinstance(node["value"], _PLAIN):
            raise ValueError(f"{where} holds a {type(node['value']).__name__}")
        return node["value"]
    if kind in ("tensor", "ndarray"):
        name = node["array"]
        if not isinstance(name, str) or name not in arrays or name in used:
            raise ValueError(f"{where} refers to a missing or already used member {name!r}")
        used.add(name)
        if kind == "ndarray":
            return arrays[name]
        requires_grad = node["requires_grad"]
        if not isinstance(requires_grad, bool) or (
            requires_grad and arrays[name].dtype.kind not in "fc"
        ):
            raise ValueError(f"{where} has an invalid requires_grad")
        return Tensor(arrays[name], requires_grad=requires_grad)
    if not isinstance(node["items"], list):
        raise ValueError(f"{where} has no list of items")
    if kind != "dict":
        items = [
            _decode(item, arrays, used, f"{where}[{i}]") for i, item in enumerate(node["items"])
        ]
        return tuple(items) if kind == "tuple" else items
    result = {}
    for pair in node["items"]:
        valid_pair = isinstance(pair, list) and len(pair) == 2
        key = pair[0] if valid_pair else None
        if not valid_pair or isinstance(key, bool) or not isinstance(key, (str, int)):
            raise ValueError(f"{where} has an item that is not a [str or int key, node] pair")
        if key in result:
            raise ValueError(f"{where} has the key {key!r} twice")
        result[key] = _decode(pair[1], arrays, used, f"{where}[{key!r}]")
    return result
