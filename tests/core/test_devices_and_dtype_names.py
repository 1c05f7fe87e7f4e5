"""dtype names, casts and devices (CPU only, honestly), against PyTorch where installed."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch

NAMES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "long": "int64",
    "int": "int32",
    "short": "int16",
    "bool": "bool",
}


@pytest.mark.parametrize("name", NAMES)
def test_dtype_names_and_cast_methods_match_torch(name: str) -> None:
    torch = pytest.importorskip("torch")
    assert getattr(mytorch, name) == np.dtype(NAMES[name])
    assert str(getattr(torch, name)) == "torch." + NAMES[name]
    values = [1.5, -2.0, 0.0]
    got = getattr(mytorch.tensor(values), name)()
    expected = getattr(torch.tensor(values), name)()
    assert got.dtype == np.dtype(NAMES[name])
    np.testing.assert_array_equal(got.data, expected.numpy())
    assert mytorch.tensor(values).type(getattr(mytorch, name)).dtype == got.dtype


def test_type_names_and_is_floating_point() -> None:
    assert mytorch.zeros(1).type() == "mytorch.FloatTensor"
    assert mytorch.tensor([1]).type() == "mytorch.LongTensor"
    assert mytorch.zeros(1).is_floating_point() and not mytorch.tensor([1]).is_floating_point()


def test_float_casts_keep_the_graph_and_integer_casts_leave_it() -> None:
    x = mytorch.tensor([1.5, 2.5], requires_grad=True)
    (x.double() * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])
    assert not x.long().requires_grad


def test_the_device_is_the_cpu_and_nothing_else() -> None:
    cpu = mytorch.device("cpu")
    assert cpu == mytorch.device("cpu:0") == mytorch.device("cpu", 0) == "cpu"
    assert cpu.type == "cpu" and repr(cpu) == "device(type='cpu')" and str(cpu) == "cpu"
    x = mytorch.ones(2)
    assert x.device == cpu and x.cpu() is x and x.to("cpu") is x and x.to(cpu) is x
    for name in ["cuda", "cuda:0", "mps"]:
        with pytest.raises(RuntimeError, match="MyTorch runs on the CPU only"):
            mytorch.device(name)
        with pytest.raises(RuntimeError, match="MyTorch runs on the CPU only"):
            x.to(name)
        with pytest.raises(RuntimeError, match="MyTorch runs on the CPU only"):
            mytorch.zeros(2, device=name)
    with pytest.raises(RuntimeError, match="MyTorch runs on the CPU only"):
        x.cuda()
    with pytest.raises(RuntimeError, match="unknown device type 'gpu'"):
        mytorch.device("gpu")


def test_device_availability_checks() -> None:
    assert mytorch.cuda.is_available() is False and mytorch.cuda.device_count() == 0
    assert mytorch.backends.mps.is_available() is False
    assert mytorch.accelerator.is_available() is False


def test_to_takes_pytorchs_forms() -> None:
    x = mytorch.tensor([1.0, 2.0])
    labels = mytorch.tensor([0, 1])
    assert x.to("cpu", mytorch.float64).dtype == np.float64
    assert x.to(mytorch.device("cpu"), dtype=mytorch.float16).dtype == np.float16
    assert x.to(labels).dtype == np.int64
    assert x.to(dtype=mytorch.float64, device="cpu").dtype == np.float64
    # to(None) changes nothing: int64 labels stay int64 (they once became float64).
    assert labels.to(None) is labels and labels.to(None).dtype == np.int64
    copy = x.to(mytorch.float32, copy=True)
    assert copy is not x and copy.tolist() == x.tolist()


FACTORIES = [
    lambda **kw: mytorch.tensor([1.0], **kw),
    lambda **kw: mytorch.zeros(2, **kw),
    lambda **kw: mytorch.ones(2, **kw),
    lambda **kw: mytorch.empty(2, **kw),
    lambda **kw: mytorch.full((2,), 1.0, **kw),
    lambda **kw: mytorch.arange(3, **kw),
    lambda **kw: mytorch.linspace(0, 1, 3, **kw),
    lambda **kw: mytorch.logspace(0, 1, 3, **kw),
    lambda **kw: mytorch.eye(2, **kw),
    lambda **kw: mytorch.rand(2, **kw),
    lambda **kw: mytorch.randn(2, **kw),
    lambda **kw: mytorch.randint(0, 3, (2,), **kw),
    lambda **kw: mytorch.randperm(3, **kw),
    lambda **kw: mytorch.zeros_like(mytorch.ones(2), **kw),
    lambda **kw: mytorch.ones_like(mytorch.ones(2), **kw),
    lambda **kw: mytorch.empty_like(mytorch.ones(2), **kw),
    lambda **kw: mytorch.full_like(mytorch.ones(2), 3, **kw),
    lambda **kw: mytorch.rand_like(mytorch.ones(2), **kw),
    lambda **kw: mytorch.randn_like(mytorch.ones(2), **kw),
    lambda **kw: mytorch.as_tensor([1.0], **kw),
]


@pytest.mark.parametrize("factory", FACTORIES)
def test_every_factory_takes_device(factory) -> None:
    assert factory(device="cpu").device == mytorch.device("cpu")
    assert factory(device=mytorch.device("cpu")).device == "cpu"
    with pytest.raises(RuntimeError, match="CPU only"):
        factory(device="cuda")


def test_dir_shows_no_implementation_names() -> None:
    for name in ["Any", "annotations", "importlib"]:
        assert name not in dir(mytorch)
