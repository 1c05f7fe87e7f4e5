"""save/load with file objects, PyTorch's load arguments, file modes and symlinks, limits,
and safetensors weights that move to and from PyTorch."""

from __future__ import annotations

import io
import os
import stat
import zipfile

import numpy as np
import pytest

import mytorch
from mytorch import nn, serialization
from mytorch.serialization import load, save


def _mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


# ------------------------------------------------------------ file objects
def test_file_objects_round_trip(tmp_path):
    state = {"w": mytorch.arange(6.0).reshape(2, 3), "step": 4}
    buffer = io.BytesIO()
    save(state, buffer)
    buffer.seek(0)
    loaded = load(buffer)
    assert loaded["step"] == 4 and loaded["w"].tolist() == state["w"].tolist()
    with open(tmp_path / "f.npz", "wb") as file:
        save(state, file)
    with open(tmp_path / "f.npz", "rb") as file:
        assert load(file, map_location="cpu", weights_only=True)["step"] == 4


def test_an_unseekable_stream_is_read_into_memory(tmp_path):
    save({"a": 1}, tmp_path / "f.npz")
    read_end, write_end = os.pipe()
    with open(write_end, "wb") as writer:
        writer.write((tmp_path / "f.npz").read_bytes())
    with open(read_end, "rb") as reader:
        assert load(reader) == {"a": 1}


@pytest.mark.parametrize("where", [None, "cpu", "cpu:0", {"cuda:0": "cpu"}])
def test_cpu_map_locations_are_accepted(where):
    buffer = io.BytesIO()
    save({"a": 1}, buffer)
    buffer.seek(0)
    assert load(buffer, map_location=where) == {"a": 1}


def test_a_torch_cpu_device_is_accepted():
    torch = pytest.importorskip("torch")
    buffer = io.BytesIO()
    save({"a": 1}, buffer)
    buffer.seek(0)
    assert load(buffer, map_location=torch.device("cpu")) == {"a": 1}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"map_location": "cuda"}, RuntimeError, "map_location='cuda': MyTorch runs on the CPU"),
        ({"map_location": {"cpu": "cuda:1"}}, RuntimeError, "map_location='cuda:1'"),
        ({"map_location": lambda s, loc: s}, TypeError, "map_location as a function"),
        ({"weights_only": False}, ValueError, "weights_only=False is not supported"),
    ],
)
def test_unsupported_load_options_are_refused_before_reading(kwargs, error, match):
    with pytest.raises(error, match=match):
        load(io.BytesIO(b"never read"), **kwargs)


def test_saving_a_whole_module_says_to_save_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"obj, a Sequential object; save its state_dict\(\)"):
        save(_mlp(), tmp_path / "m.npz")
    optimizer = mytorch.optim.SGD(_mlp().parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"obj\['optim'\], a SGD object; save its state_dict"):
        save({"optim": optimizer}, tmp_path / "m.npz")
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------- modes and symlinks
def test_saving_over_a_file_keeps_its_mode(tmp_path):
    path = tmp_path / "private.npz"
    save({"a": 1}, path)
    path.chmod(0o600)
    save({"a": 2}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and load(path) == {"a": 2}
    path.chmod(0o640)
    save({"a": 3}, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_file_gets_the_usual_mode(tmp_path):
    save({"a": 1}, tmp_path / "new.npz")
    open(tmp_path / "plain", "w").close()
    assert (tmp_path / "new.npz").stat().st_mode == (tmp_path / "plain").stat().st_mode


def test_saving_through_a_symlink_writes_to_its_target(tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "ckpt.npz"
    save({"a": 1}, target)
    link = tmp_path / "latest.npz"
    link.symlink_to(target)
    save({"a": 2}, link)
    assert link.is_symlink() and load(target) == {"a": 2}
    assert sorted(os.listdir(tmp_path)) == ["latest.npz", "real"]
    assert os.listdir(tmp_path / "real") == ["ckpt.npz"]


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(OSError, match="symbolic links"):
        save({"a": 1}, tmp_path / "a")
    assert sorted(os.listdir(tmp_path)) == ["a", "b"]


# ------------------------------------------------------------------ limits
def _zeros_bomb(path, megabytes):
    """A valid-looking archive whose one array of zeros deflates about 1000 to 1."""
    buffer = io.BytesIO()
    save({"w": np.zeros(1)}, buffer)  # take a real manifest
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        manifest = source.read("manifest.npy")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (megabytes * 2**17,)}
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.npy", manifest)
        with archive.open("array_0.npy", "w", force_zip64=True) as member:
            member.write(header.getvalue())
            for _ in range(megabytes):
                member.write(bytes(2**20))
    return path


def test_an_archive_that_inflates_past_the_ratio_is_refused_before_inflating(
    tmp_path, monkeypatch
):
    path = _zeros_bomb(tmp_path / "bomb.npz", 80)
    assert path.stat().st_size < 150_000
    allocated = []
    monkeypatch.setattr(np, "empty", lambda *a, **k: allocated.append(a) or pytest.fail())
    with pytest.raises(ValueError, match=r"bomb\.npz' exceeds a limit .*MAX_COMPRESSION_RATIO"):
        load(path)
    monkeypatch.undo()
    monkeypatch.setattr(serialization, "MAX_COMPRESSION_RATIO", 10_000)
    assert load(path)["w"].shape == (80 * 2**17,)  # raised for a file the user trusts


def test_a_large_manifest_is_refused(tmp_path, monkeypatch):
    save({"names": ["x" * 1000] * 100}, tmp_path / "f.npz")
    monkeypatch.setattr(serialization, "MAX_MANIFEST_BYTES", 50_000)
    with pytest.raises(ValueError, match=r"manifest declares .*\.MAX_MANIFEST_BYTES = 50,000"):
        load(tmp_path / "f.npz")


def test_a_memory_shortage_is_reported_as_such(tmp_path, monkeypatch):
    save({"w": mytorch.ones(10)}, tmp_path / "good.npz")

    def no_memory(*args, **kwargs):
        raise MemoryError

    monkeypatch.setattr(np, "empty", no_memory)
    with pytest.raises(MemoryError, match=r"not enough memory to load '.*good\.npz'"):
        load(tmp_path / "good.npz")


# ----------------------------------------------------------- safetensors
def test_safetensors_round_trip_and_refusals(tmp_path):
    pytest.importorskip("safetensors")
    state = {"a.weight": mytorch.randn(2, 3), "a.steps": mytorch.tensor(np.arange(3))}
    save(state, tmp_path / "w.safetensors", format="safetensors")
    loaded = load(tmp_path / "w.safetensors")
    assert sorted(loaded) == sorted(state)
    for key in state:
        assert loaded[key].dtype == state[key].dtype
        np.testing.assert_array_equal(loaded[key].numpy(), state[key].numpy())
    with pytest.raises(TypeError, match=r"obj\['step'\] is a int"):
        save({"step": 3}, tmp_path / "x", format="safetensors")
    with pytest.raises(ValueError, match="format must be one of"):
        save(state, tmp_path / "x", format="pickle")
    data = (tmp_path / "w.safetensors").read_bytes()
    (tmp_path / "cut.safetensors").write_bytes(data[:-5])
    with pytest.raises(ValueError, match=r"cut\.safetensors' is not a valid MyTorch file"):
        load(tmp_path / "cut.safetensors")


def test_mlp_state_dict_keys_and_shapes_equal_pytorchs():
    torch = pytest.importorskip("torch")
    ours = {k: v.shape for k, v in _mlp().state_dict().items()}
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    assert ours == {k: tuple(v.shape) for k, v in model.state_dict().items()}


def test_weights_move_to_pytorch_and_back_through_safetensors(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)

    ours = _mlp()
    save(ours.state_dict(), tmp_path / "ours.safetensors", format="safetensors")
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    theirs.load_state_dict(st_torch.load_file(tmp_path / "ours.safetensors"))
    expected = ours(mytorch.tensor(x)).detach().numpy()
    np.testing.assert_allclose(
        theirs(torch.from_numpy(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6
    )

    trained = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    st_torch.save_file(trained.state_dict(), tmp_path / "theirs.safetensors")
    back = _mlp()
    back.load_state_dict(load(tmp_path / "theirs.safetensors"))
    expected = trained(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(
        back(mytorch.tensor(x)).detach().numpy(), expected, rtol=1e-5, atol=1e-6
    )


def test_the_mnist_model_with_batchnorm_moves_to_pytorch_and_back(tmp_path):
    torch = pytest.importorskip("torch")
    st_torch = pytest.importorskip("safetensors.torch")
    ours = nn.Sequential(nn.Linear(6, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 3))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(6, 5), torch.nn.BatchNorm1d(5), torch.nn.ReLU(), torch.nn.Linear(5, 3)
    )
    ours(mytorch.randn(16, 6))  # running statistics and num_batches_tracked move too
    expected = {
        k: (tuple(v.shape), str(v.dtype).removeprefix("torch."))
        for k, v in theirs.state_dict().items()
    }
    assert {k: (v.shape, str(v.dtype)) for k, v in ours.state_dict().items()} == expected
    save(ours.state_dict(), tmp_path / "m.safetensors", format="safetensors")
    theirs.load_state_dict(st_torch.load_file(tmp_path / "m.safetensors"))
    ours.eval()
    theirs.eval()
    x = np.random.default_rng(1).standard_normal((4, 6)).astype(np.float32)
    reference = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(mytorch.tensor(x)).detach().numpy(), reference, atol=1e-6)
    assert int(theirs[1].num_batches_tracked) == 1
    theirs.train()
    theirs(torch.from_numpy(np.arange(48, dtype=np.float32).reshape(8, 6)))
    st_torch.save_file(theirs.state_dict(), tmp_path / "t.safetensors")
    ours.load_state_dict(load(tmp_path / "t.safetensors"))
    assert ours.state_dict()["1.num_batches_tracked"].item() == 2
    np.testing.assert_allclose(
        ours.state_dict()["1.running_var"].numpy(), theirs[1].running_var.numpy(), rtol=1e-6
    )
