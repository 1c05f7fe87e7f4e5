"""save/load: round trips, files that must be refused without running code, atomic writes."""

from __future__ import annotations

import io
import json
import os
import pickle
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mytorch
from mytorch.optim import Adam
from mytorch.serialization import load, save


def _manifest(root: dict) -> np.ndarray:
    text = json.dumps({"format": "mytorch", "version": 1, "root": root})
    return np.frombuffer(text.encode(), dtype=np.uint8)


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


ONE_TENSOR = {"kind": "tensor", "array": "array_0", "requires_grad": False}


# --------------------------------------------------------------- round trips
def test_nested_state_dict_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    state = {
        "model": {
            "weight": mytorch.tensor(rng.standard_normal((3, 4)).astype(np.float32)),
            "bias": mytorch.tensor(rng.standard_normal(4), requires_grad=True),
            "index": mytorch.tensor(np.array([[1, -2], [3, 2**40]], dtype=np.int64)),
            "scalar": mytorch.tensor(np.float64(2.5)),
            "mask": mytorch.tensor(np.array([True, False])),
            "empty": mytorch.tensor(np.zeros((0, 3))),
        },
        "optimizer": {
            "state": {0: {"step": 3, "exp_avg": np.arange(4.0)}, 2: {}},
            "param_groups": [
                {"lr": 0.001, "betas": (0.9, 0.999), "nesterov": False, "params": [0, 1, 2]}
            ],
        },
        "meta": ["run", None, True, 7, 0.1 + 0.2, 2**70, -0.0, "ünïcode ✓", float("inf")],
        "transposed": np.arange(6, dtype=np.uint8).reshape(2, 3).T,
    }
    path = tmp_path / "checkpoint.npz"
    save(state, path)
    loaded = load(path)

    assert loaded.keys() == state.keys() and list(loaded["model"]) == list(state["model"])
    for key, tensor in state["model"].items():
        copy = loaded["model"][key]
        assert isinstance(copy, mytorch.Tensor), key
        assert copy.dtype == tensor.dtype and copy.shape == tensor.shape, key
        assert copy.requires_grad == tensor.requires_grad and copy.is_leaf, key
        np.testing.assert_array_equal(copy.data, tensor.data)
    optimizer = loaded["optimizer"]
    assert list(optimizer["state"]) == [0, 2]  # int keys stay ints
    assert optimizer["state"][0]["step"] == 3 and optimizer["state"][2] == {}
    assert isinstance(optimizer["state"][0]["exp_avg"], np.ndarray)
    np.testing.assert_array_equal(optimizer["state"][0]["exp_avg"], np.arange(4.0))
    assert optimizer["param_groups"] == state["optimizer"]["param_groups"]
    assert isinstance(optimizer["param_groups"][0]["betas"], tuple)
    assert loaded["meta"] == state["meta"]
    assert [type(v) for v in loaded["meta"]] == [type(v) for v in state["meta"]]
    np.testing.assert_array_equal(loaded["transposed"], state["transposed"])
    assert loaded["model"]["weight"].data.flags.writeable


def test_numpy_scalars_come_back_as_python_numbers(tmp_path):
    save({"a": np.float32(1.5), "b": np.int64(3), "c": np.bool_(True)}, tmp_path / "f")
    loaded = load(tmp_path / "f")
    assert loaded == {"a": 1.5, "b": 3, "c": True}
    assert [type(v) for v in loaded.values()] == [float, int, bool]


def test_path_is_used_as_given_and_str_paths_work(tmp_path):
    path = str(tmp_path / "model.pt")
    save([1, 2], path)
    assert os.listdir(tmp_path) == ["model.pt"]
    assert load(path) == [1, 2]


def test_optimizer_state_survives_a_file_and_resumes_exactly(tmp_path):
    def run(weights, opt_state=None, steps=3):
        w = mytorch.tensor(weights.copy(), requires_grad=True)
        opt = Adam([w], lr=0.1)
        if opt_state is not None:
            opt.load_state_dict(opt_state)
        for _ in range(steps):
            opt.zero_grad()
            (w * w * w).sum().backward()
            opt.step()
        return w, opt

    start = np.array([1.0, -0.5, 2.0])
    straight, _ = run(start, steps=6)
    half, opt = run(start)
    save({"weights": half, "optimizer": opt.state_dict()}, tmp_path / "ckpt")
    checkpoint = load(tmp_path / "ckpt")
    resumed, _ = run(checkpoint["weights"].data, checkpoint["optimizer"])
    np.testing.assert_array_equal(resumed.data, straight.data)


plain = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
arrays = st.builds(
    lambda shape, dtype, seed: np.random.default_rng(seed).normal(size=shape).astype(dtype),
    st.lists(st.integers(0, 3), max_size=3).map(tuple),
    st.sampled_from([np.float32, np.float64, np.int64, np.int8]),
    st.integers(0, 2**32 - 1),
)
values = st.recursive(
    plain | arrays | arrays.map(mytorch.tensor),
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(st.text(max_size=5) | st.integers(), children, max_size=3)
    ),
    max_leaves=10,
)


def _same(a, b) -> bool:
    if isinstance(a, mytorch.Tensor):
        return type(b) is mytorch.Tensor and _same(a.data, b.data)
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.dtype == b.dtype and np.array_equal(a, b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


@given(values)
def test_any_supported_nesting_round_trips(value):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "value.npz")
        save(value, path)
        assert _same(value, load(path))


# -------------------------------------------------------- what save refuses
@pytest.mark.parametrize(
    ("obj", "error", "match"),
    [
        ({"a": [1, object()]}, TypeError, r"save: cannot store obj\['a'\]\[1\], a object"),
        ({"a": {1, 2}}, TypeError, r"obj\['a'\], a set"),
        ({(1, 2): 3}, TypeError, r"the key \(1, 2\) in obj is not a str or an int"),
        ({True: 3}, TypeError, "the key True in obj"),
        ({"a": np.array(["x"])}, TypeError, r"obj\['a'\] has dtype <U1"),
        ([np.array([None])], TypeError, r"obj\[0\] has dtype object"),
    ],
)
def test_unsupported_values_are_refused_before_writing(tmp_path, obj, error, match):
    path = tmp_path / "f.npz"
    path.write_bytes(b"old")
    with pytest.raises(error, match=match):
        save(obj, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f.npz"]


def test_a_cycle_is_refused(tmp_path):
    cyclic = {"a": []}
    cyclic["a"].append(cyclic)
    with pytest.raises(ValueError, match=r"save: obj\['a'\]\[0\] contains itself"):
        save(cyclic, tmp_path / "f")


def test_a_path_of_the_wrong_type_is_refused():
    message = r"save: f must be a str, os\.PathLike or binary file object, got int"
    with pytest.raises(TypeError, match=message):
        save({}, 3)


# ----------------------------------------------------------- atomic writes
def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    save({"version": 1}, path)
    old = path.read_bytes()

    def fail_midway(file, **arrays):
        file.write(b"PK\x03\x04 half an archive")
        raise OSError("disk full")

    monkeypatch.setattr(np, "savez_compressed", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        save({"version": 2, "w": mytorch.ones(3)}, path)
    assert path.read_bytes() == old
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    monkeypatch.undo()
    assert load(path) == {"version": 1}


def test_a_failed_rename_removes_the_temporary(tmp_path, monkeypatch):
    def refuse(source, target):
        raise PermissionError("read-only")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        save({"a": 1}, tmp_path / "f.npz")
    assert os.listdir(tmp_path) == []


def test_saving_over_a_file_replaces_it(tmp_path):
    path = tmp_path / "f.npz"
    save({"a": mytorch.ones(1000)}, path)
    save({"b": 2}, path)
    assert load(path) == {"b": 2}
    assert os.listdir(tmp_path) == ["f.npz"]


def test_saving_into_a_missing_directory_fails_cleanly(tmp_path):
    with pytest.raises(FileNotFoundError):
        save({}, tmp_path / "missing" / "f.npz")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------ what load refuses
def test_a_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.npz")


class _Sentinel:
    """Unpickling it would call os.mkdir(marker): a visible side effect."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (str(self.marker),))


def test_a_pickled_object_array_is_refused_without_unpickling(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "evil.npz"
    objects = np.array([_Sentinel(marker)], dtype=object)
    with open(path, "wb") as file:
        np.savez(file, manifest=_manifest(ONE_TENSOR), array_0=objects)
    with pytest.raises(ValueError, match=r"evil\.npz.*array_0\.npy cannot be read.*[Oo]bject"):
        load(path)
    assert not marker.exists()
    # Control: the file really does run code when unpickled, so the test can fail.
    np.load(path, allow_pickle=True)["array_0"]
    assert marker.is_dir()


@pytest.mark.parametrize("form", ["pickled_manifest", "npy_file", "raw_pickle"])
def test_other_pickles_are_refused_without_unpickling(tmp_path, form):
    marker = tmp_path / "unpickled"
    path = tmp_path / "evil"
    payload = np.array([_Sentinel(marker)], dtype=object)
    if form == "pickled_manifest":
        _zip(path, {"manifest.npy": _npy(payload)})
    elif form == "npy_file":
        path.write_bytes(_npy(payload))
    else:
        path.write_bytes(pickle.dumps(_Sentinel(marker)))
    with pytest.raises(ValueError, match="evil"):
        load(path)
    assert not marker.exists()


@pytest.mark.parametrize(
    "name",
    ["../evil.npy", "/tmp/evil.npy", "sub/array_0.npy", "array_01.npy", "ARRAY_0.npy", "manifest"],
)
def test_unexpected_member_names_are_refused(tmp_path, name):
    members = {"manifest.npy": _npy(_manifest(ONE_TENSOR)), "array_0.npy": _npy(np.ones(2))}
    members[name] = _npy(np.ones(2))
    with pytest.raises(ValueError, match=r"unexpected members \[.*" + name.split("/")[-1]):
        load(_zip(tmp_path / "f.npz", members))


def test_a_duplicated_member_is_refused(tmp_path):
    path = tmp_path / "f.npz"
    with zipfile.ZipFile(path, "w") as archive, pytest.warns(UserWarning, match="Duplicate"):
        archive.writestr("manifest.npy", _npy(_manifest(ONE_TENSOR)))
        archive.writestr("array_0.npy", _npy(np.ones(2)))
        archive.writestr("array_0.npy", _npy(np.zeros(2)))
    with pytest.raises(ValueError, match="appears twice"):
        load(path)


def test_truncated_files_are_refused(tmp_path):
    path = tmp_path / "f.npz"
    save({"w": mytorch.tensor(np.random.default_rng(0).standard_normal((30, 30)))}, path)
    data = path.read_bytes()
    for size in (0, 3, 100, len(data) // 2, len(data) - 1):
        path.write_bytes(data[:size])
        with pytest.raises(ValueError, match=r"f\.npz' is not a valid MyTorch file"):
            load(path)


def test_a_member_that_fails_its_checksum_is_refused(tmp_path):
    # numpy stops reading a member at the array's last byte, and zipfile checks a
    # checksum only at a member's end: damage past the array (here, in padding)
    # is caught only because load reads every member through.
    path = tmp_path / "f.npz"
    padded = _npy(np.arange(4.0)) + bytes(64)
    _zip(path, {"manifest.npy": _npy(_manifest(ONE_TENSOR)), "array_0.npy": padded})
    data = bytearray(path.read_bytes())
    data[data.index(padded) + len(padded) - 1] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"member array_0\.npy is damaged"):
        load(path)


VALUE = {"kind": "value", "value": 1}


def _archive(root: dict, **arrays: np.ndarray) -> dict[str, bytes]:
    """The members of an archive with this manifest root and these arrays."""
    members = {"manifest.npy": _npy(_manifest(root))}
    members.update({f"{name}.npy": _npy(array) for name, array in arrays.items()})
    return members


def _raw_manifest(text: str) -> dict[str, bytes]:
    return {"manifest.npy": _npy(np.frombuffer(text.encode(), dtype=np.uint8))}


DEEP = '{"format": "mytorch", "version": 1, "root": ' + "[" * 100_000 + "]" * 100_000 + "}"
INVALID_ARCHIVES = {
    "no_manifest": ({"array_0.npy": _npy(np.ones(2))}, "no manifest.npy member"),
    "float_manifest": ({"manifest.npy": _npy(np.ones(3))}, "not a 1-d uint8 array"),
    "raw_bytes": ({"manifest.npy": b"not an npy"}, r"manifest\.npy is not a numeric array"),
    "bad_json": (_raw_manifest("{not json"), "not valid UTF-8 JSON"),
    "deep_json": (_raw_manifest(DEEP), "manifest"),
    "foreign_json": (_raw_manifest('{"a": 1}'), "not a MyTorch manifest"),
    "version_99": (
        _raw_manifest('{"format": "mytorch", "version": 99, "root": {}}'),
        "format version 99 is not supported",
    ),
    "missing_array": (_archive(ONE_TENSOR), "missing or already used member 'array_0'"),
    "unused_array": (_archive(VALUE, array_0=np.ones(1)), r"unexpected members \['array_0'\]"),
    "string_array": (
        _archive(ONE_TENSOR, array_0=np.array(["text"])),
        r"array_0\.npy is not a numeric array",
    ),
    "unknown_kind": (_archive({"kind": "code", "value": "rm -rf"}), "root is not a valid node"),
    "list_as_value": (_archive({"kind": "value", "value": [1]}), "root holds a list"),
    "bool_key": (
        _archive({"kind": "dict", "items": [[True, VALUE]]}),
        r"not a \[str or int key, node\] pair",
    ),
    "duplicate_key": (
        _archive({"kind": "dict", "items": [["a", VALUE], ["a", VALUE]]}),
        "has the key 'a' twice",
    ),
    "int_requires_grad": (
        _archive({**ONE_TENSOR, "requires_grad": True}, array_0=np.arange(3)),
        r"root has an invalid requires_grad",
    ),
}


@pytest.mark.parametrize(
    ("members", "match"), INVALID_ARCHIVES.values(), ids=INVALID_ARCHIVES.keys()
)
def test_invalid_archives_are_refused(tmp_path, members, match):
    path = _zip(tmp_path / "bad.npz", members)
    expected = r"load: '.*bad\.npz' is not a valid MyTorch file: .*" + match
    with pytest.raises(ValueError, match=expected):
        load(path)


def test_a_plain_npy_file_is_refused(tmp_path):
    path = tmp_path / "f.npy"
    path.write_bytes(_npy(np.ones(3)))
    with pytest.raises(ValueError, match=r"single \.npy array"):
        load(path)
