"""The MyTorch archive: a manifest of the nesting plus one ``.npy`` member per array.

``encode`` turns an object into a manifest node and a dict of arrays; ``decode`` turns
them back. ``read_members`` reads an archive's members within the limits that
``mytorch.serialization`` documents, checking each member's declared size against
its ``.npy`` header before allocating or inflating anything.
"""

from __future__ import annotations

import json
import math
import re
import zipfile
import zlib
from typing import Any, BinaryIO

import numpy as np

from mytorch.core.tensor import Tensor

FORMAT, VERSION = "mytorch", 1
MANIFEST = "manifest"
_ARRAY_NAME = re.compile(r"array_(0|[1-9][0-9]*)")
# Numeric and bool arrays only: never objects (pickles), strings or raw bytes.
_ARRAY_KINDS = "biufc"
_PLAIN = (type(None), bool, int, float, str)
# Deflate inflates at most MIN_READ_SIZE-ish bytes per call; bzip2 and lzma members
# would inflate a whole block at once, so they are refused.
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
_HEADER_READERS = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}


class InvalidFile(ValueError):
    """A problem that makes the file not a valid MyTorch file (load adds the file's name)."""


class LimitExceeded(ValueError):
    """The file asks for more than a documented limit allows (load adds the file's name)."""


# ------------------------------------------------------------------ saving
def encode(value: Any, arrays: dict[str, np.ndarray], where: str, active: set[int]) -> Any:
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
    if not isinstance(value, (dict, list, tuple)) and callable(getattr(value, "state_dict", None)):
        # A whole Module or Optimizer: its code cannot be stored, only its state.
        raise TypeError(
            f"save: cannot store {where}, a {type(value).__name__} object; save its "
            "state_dict() instead: mytorch.save(model.state_dict(), path), and later "
            "model.load_state_dict(mytorch.load(path)) on a model built by your code"
        )
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
            items.append([key, encode(item, arrays, f"{where}[{key!r}]", active)])
        node = {"kind": "dict", "items": items}
    else:
        kind = "tuple" if isinstance(value, tuple) else "list"
        items = [encode(item, arrays, f"{where}[{i}]", active) for i, item in enumerate(value)]
        node = {"kind": kind, "items": items}
    active.discard(id(value))
    return node


def _store(array: np.ndarray, arrays: dict[str, np.ndarray], where: str) -> str:
    if array.dtype.kind not in _ARRAY_KINDS:
        raise TypeError(f"save: {where} has dtype {array.dtype}; only numeric arrays can be saved")
    name = f"array_{len(arrays)}"
    arrays[name] = array
    return name


# ----------------------------------------------------------------- loading
def read_members(
    file: BinaryIO, archive_size: int, max_ratio: float, ratio_free: int, max_manifest: int
) -> dict[str, np.ndarray]:
    """Check every member's name, compression and declared size, then read each array.

    Raises InvalidFile or LimitExceeded (which ``load`` completes with the file name),
    or MemoryError for a valid file too large for the memory there is.
    """
    try:
        archive = zipfile.ZipFile(file)
    except Exception as error:
        raise InvalidFile(f"it is not a readable .npz archive ({error})") from error
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        stems = [name.removesuffix(".npy") for name in names]
        bad = [
            name
            for name, stem in zip(names, stems)
            if not name.endswith(".npy") or not (stem == MANIFEST or _ARRAY_NAME.fullmatch(stem))
        ]
        if bad:
            hint = (
                " (a PyTorch pickle file? MyTorch never unpickles)"
                if "data.pkl" in str(bad)
                else ""
            )
            raise InvalidFile(f"unexpected members {bad}{hint}")
        if len(set(stems)) != len(stems):
            raise InvalidFile("a member appears twice")
        odd = [info.filename for info in infos if info.compress_type not in _COMPRESSIONS]
        if odd:
            raise InvalidFile(f"members {odd} use a compression other than deflate")
        _check_sizes(infos, archive_size, max_ratio, ratio_free, max_manifest)
        return {stem: _read_array(archive, info, stem) for stem, info in zip(stems, infos)}


def _check_sizes(
    infos: list[zipfile.ZipInfo],
    archive_size: int,
    max_ratio: float,
    ratio_free: int,
    max_manifest: int,
) -> None:
    """Refuse an archive whose members declare more than the limits allow, before inflating."""
    for info in infos:
        if info.filename == f"{MANIFEST}.npy" and info.file_size > max_manifest:
            raise LimitExceeded(
                f"its manifest declares {info.file_size:,} bytes, more than "
                f"mytorch.serialization.MAX_MANIFEST_BYTES = {max_manifest:,}"
            )
    total = sum(info.file_size for info in infos)
    allowed = max(ratio_free, max_ratio * archive_size)
    if total > allowed:
        raise LimitExceeded(
            f"its members declare {total:,} bytes in all, {total / max(archive_size, 1):,.0f} "
            f"times the file's {archive_size:,} bytes; more than "
            f"mytorch.serialization.MAX_COMPRESSION_RATIO = {max_ratio:g} times the file "
            f"(or MIN_LIMITED_BYTES = {ratio_free:,}) allows"
        )


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, stem: str) -> np.ndarray:
    """One numeric .npy member, read into a fresh array no larger than the member declares."""
    member_name = f"member {stem}.npy"
    nbytes = 0
    try:
        with archive.open(info) as member:
            try:
                version = np.lib.format.read_magic(member)
                shape, fortran, dtype = _HEADER_READERS[version](member)
            except (KeyError, ValueError) as error:
                raise InvalidFile(
                    f"{member_name} is not a numeric array (not a .npy array: {error})"
                ) from None
            if dtype.hasobject:
                raise InvalidFile(
                    f"{member_name} cannot be read: it holds object arrays, which would "
                    "need unpickling, and load never unpickles"
                )
            if dtype.kind not in _ARRAY_KINDS:
                raise InvalidFile(f"{member_name} is not a numeric array ({dtype})")
            header = member.tell()
            nbytes = math.prod(shape) * dtype.itemsize
            if header + nbytes != info.file_size:
                problem = "trailing bytes" if header + nbytes < info.file_size else "too few bytes"
                raise InvalidFile(
                    f"{member_name} has {problem}: its header describes {nbytes:,} bytes of "
                    f"data ({shape} of {dtype}), the member holds {info.file_size - header:,}"
                )
            flat = np.empty(nbytes, dtype=np.uint8)
            view, filled = memoryview(flat), 0
            while filled < nbytes:
                count = member.readinto(view[filled:])
                if not count:
                    raise InvalidFile(f"{member_name} is truncated")
                filled += count
            # Reading past the end makes zipfile compare the member's checksum.
            if member.read(1):
                raise InvalidFile(f"{member_name} has trailing bytes")
    except (InvalidFile, MemoryError):
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InvalidFile(f"{member_name} is damaged ({error})") from error
    except Exception as error:
        raise InvalidFile(f"{member_name} cannot be read ({error})") from error
    return flat.view(dtype).reshape(shape, order="F" if fortran else "C")


def parse_manifest(manifest: np.ndarray) -> Any:
    """The root node of a manifest array, after checking its format and version."""
    if manifest.dtype != np.uint8 or manifest.ndim != 1:
        raise InvalidFile("the manifest is not a 1-d uint8 array")
    try:
        header = json.loads(manifest.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InvalidFile(f"the manifest is not valid UTF-8 JSON ({error})") from None
    if (
        not isinstance(header, dict)
        or set(header) != {"format", "version", "root"}
        or header["format"] != FORMAT
    ):
        raise InvalidFile("the manifest is not a MyTorch manifest")
    if header["version"] != VERSION:
        raise InvalidFile(f"format version {header['version']!r} is not supported")
    return header["root"]


_NODE_KEYS = {
    "tensor": {"kind", "array", "requires_grad"},
    "ndarray": {"kind", "array"},
    "value": {"kind", "value"},
    "dict": {"kind", "items"},
    "list": {"kind", "items"},
    "tuple": {"kind", "items"},
}


def decode(node: Any, arrays: dict[str, np.ndarray], used: set[str], where: str) -> Any:
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
            decode(item, arrays, used, f"{where}[{i}]") for i, item in enumerate(node["items"])
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
        result[key] = decode(pair[1], arrays, used, f"{where}[{key!r}]")
    return result
