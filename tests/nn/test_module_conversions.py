"""``Module.to`` / ``cpu`` / ``double`` / ``float``: PyTorch's forms, CPU the only device."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import nn


def model() -> nn.Module:
    mytorch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 2))


@pytest.mark.parametrize(
    "args", [("cpu",), (mytorch.device("cpu"),), ("cpu:0",), (None,), ()], ids=str
)
def test_to_the_cpu_changes_nothing_and_returns_the_module(args: tuple) -> None:
    net = model()
    before = {k: v.data.copy() for k, v in net.state_dict().items()}
    assert net.to(*args) is net
    assert net.cpu() is net
    for key, value in net.state_dict().items():
        assert value.dtype == before[key].dtype
        np.testing.assert_array_equal(value.data, before[key])


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((mytorch.float64,), {}),
        (("cpu", mytorch.float64), {}),
        ((), {"dtype": mytorch.float64, "device": "cpu"}),
        ((mytorch.zeros(1, dtype=mytorch.float64),), {}),
    ],
)
def test_to_a_dtype_converts_floats_in_place(args: tuple, kwargs: dict) -> None:
    net = model()
    weight = net[0].weight
    net.to(*args, **kwargs)
    assert net[0].weight is weight  # an optimiser made earlier still holds it
    assert weight.dtype == np.float64 and net[1].running_var.dtype == np.float64
    assert net[1].num_batches_tracked.dtype == np.int64


@pytest.mark.parametrize("target", ["cuda", "cuda:0", "mps"])
def test_another_device_is_refused_before_anything_changes(target: str) -> None:
    net = model()
    with pytest.raises(RuntimeError, match="MyTorch runs on the CPU only"):
        net.to(target, mytorch.float64)
    assert net[0].weight.dtype == np.float32


def test_the_pytorch_idiom_of_picking_a_device() -> None:
    use_cuda = mytorch.cuda.is_available()
    device = mytorch.device("cuda" if use_cuda else "cpu")
    net = model().to(device)
    data = mytorch.ones(5, 3).to(device)
    assert net(data).shape == (5, 2)
