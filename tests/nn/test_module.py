"""Module: registration, traversal, modes, zero_grad, apply, dtype conversion, repr."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(mytorch.ones(3))
        self.register_buffer("count", mytorch.zeros(1))
        self.not_registered = mytorch.ones(2)  # a plain tensor is just an attribute
        self.inner = nn.Linear(3, 3)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.inner(x * self.scale))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.second = Block()
        self.head = nn.Linear(3, 1)

    def forward(self, x):
        return self.head(self.second(self.first(x)))


def test_parameters_buffers_and_modules_are_registered_in_order():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == [
        "first.scale",
        "first.inner.weight",
        "first.inner.bias",
        "second.scale",
        "second.inner.weight",
        "second.inner.bias",
        "head.weight",
        "head.bias",
    ]
    assert [name for name, _ in net.named_buffers()] == ["first.count", "second.count"]
    assert [name for name, _ in net.named_children()] == ["first", "second", "head"]
    assert [name for name, _ in net.named_modules()] == [
        "",
        "first",
        "first.inner",
        "first.act",
        "second",
        "second.inner",
        "second.act",
        "head",
    ]
    assert list(net.children()) == [net.first, net.second, net.head]
    assert len(list(net.modules())) == 8
    assert all(p.is_parameter for p in net.parameters())
    assert [name for name, _ in net.first.named_parameters(prefix="x", recurse=False)] == [
        "x.scale"
    ]


def test_matches_torch_names(torch):
    ours = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Sequential(nn.Linear(3, 1)))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.BatchNorm1d(3), torch.nn.Sequential(torch.nn.Linear(3, 1))
    )
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]


def test_shared_parameters_and_modules_are_listed_once():
    layer = nn.Linear(2, 2)
    model = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(model.parameters())) == 2
    assert len(list(model.modules())) == 3
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_attribute_assignment_rules():
    block = Block()
    block.scale = None  # a declared parameter may be absent
    assert block.scale is None and "scale" not in dict(block.named_parameters())
    with pytest.raises(TypeError, match=r"cannot register a Tensor as parameter 'inner_w'"):
        block.register_parameter("inner_w", mytorch.ones(1))
    block.scale = nn.Parameter(mytorch.ones(3))
    assert block.scale is dict(block.named_parameters())["scale"]
    with pytest.raises(TypeError, match="parameter 'scale' \\(Parameter or None expected\\)"):
        block.scale = mytorch.ones(3)
    with pytest.raises(TypeError, match="to buffer 'count' \\(Tensor or None expected\\)"):
        block.count = 3
    block.count = mytorch.ones(1)
    assert dict(block.named_buffers())["count"] is block.count
    block.inner = nn.Tanh()  # replaces the registered module
    assert isinstance(dict(block.named_children())["inner"], nn.Tanh)
    assert block.inner is dict(block.named_children())["inner"]
    block.inner = None
    assert [name for name, _ in block.named_children()] == ["act"]
    with pytest.raises(TypeError, match="to child module 'act' \\(Module or None expected\\)"):
        block.act = 5


def test_delete_and_missing_attributes():
    block = Block()
    del block.scale
    del block.count
    del block.inner
    assert list(block.state_dict()) == []
    with pytest.raises(AttributeError, match="'Block' object has no attribute 'scale'"):
        block.scale
    del block.not_registered


def test_bad_registrations():
    block = Block()
    with pytest.raises(KeyError, match=r"without '\.'"):
        block.register_buffer("a.b", mytorch.zeros(1))
    with pytest.raises(KeyError, match="'forward' is already an attribute of Block"):
        block.register_parameter("forward", nn.Parameter(mytorch.zeros(1)))
    with pytest.raises(TypeError, match="'p' is a Parameter; use register_parameter"):
        block.register_buffer("p", nn.Parameter(mytorch.zeros(1)))
    with pytest.raises(TypeError, match="add_module: int is not a Module"):
        block.add_module("m", 3)


def test_assignment_before_init_has_a_clear_error():
    class Forgetful(nn.Module):
        def __init__(self):
            self.layer = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"call super\(\).__init__\(\) first"):
        Forgetful()


def test_call_runs_forward_and_forward_is_required():
    net = Net()
    assert net(mytorch.randn(4, 3)).shape == (4, 1)
    with pytest.raises(NotImplementedError, match="Module: forward\\(\\) is not implemented"):
        nn.Module()(mytorch.zeros(1))


def test_train_and_eval_reach_every_module():
    net = Net()
    assert net.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.first.train(False)
    assert [m.training for m in net.modules()][:2] == [True, False]
    with pytest.raises(ValueError, match="mode must be a bool"):
        net.train("no")


def test_zero_grad():
    net = Net()
    net(mytorch.randn(4, 3)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None for g in grads)
    net.zero_grad(set_to_none=False)
    for p, g in zip(net.parameters(), grads):
        assert p.grad is g and not p.grad.data.any()
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_zero_grad_cuts_a_gradient_out_of_its_graph():
    layer = nn.Linear(2, 1)
    x = mytorch.randn(3, 2)
    (g,) = mytorch.grad(layer(x).sum(), [layer.weight], create_graph=True)
    layer.weight.grad = g
    layer.zero_grad(set_to_none=False)
    assert not layer.weight.grad.requires_grad and not layer.weight.grad.data.any()


def test_apply_visits_children_first():
    seen = []
    net = Net()
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "ReLU", "Block", "Linear", "ReLU", "Block", "Linear", "Net"]


def test_to_double_and_float_keep_the_parameter_objects():
    bn = nn.BatchNorm1d(3)
    weight = bn.weight
    bn(mytorch.randn(4, 3)).sum().backward()
    version = weight._version
    assert bn.double() is bn
    assert bn.weight is weight and weight.dtype == mytorch.float64
    assert weight.grad.dtype == mytorch.float64 and weight._version == version + 1
    assert bn.running_var.dtype == mytorch.float64
    assert bn.num_batches_tracked.dtype == mytorch.int64
    bn.float()
    assert all(p.dtype == mytorch.float32 for p in bn.parameters())
    with pytest.raises(TypeError, match="expected a floating dtype"):
        bn.to(mytorch.int32)


def test_repr_matches_torch(torch):
    ours = nn.Sequential(
        nn.Linear(784, 20),
        nn.ReLU(),
        nn.Sequential(nn.Flatten(), nn.LeakyReLU(0.2), nn.Identity()),
        nn.LogSoftmax(dim=1),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Linear(784, 20),
        torch.nn.ReLU(),
        torch.nn.Sequential(torch.nn.Flatten(), torch.nn.LeakyReLU(0.2), torch.nn.Identity()),
        torch.nn.LogSoftmax(dim=1),
    )
    assert repr(ours) == repr(theirs)


def test_repr_of_custom_module():
    assert repr(Net()) == (
        "Net(\n"
        "  (first): Block(\n"
        "    (inner): Linear(in_features=3, out_features=3, bias=True)\n"
        "    (act): ReLU()\n"
        "  )\n"
        "  (second): Block(\n"
        "    (inner): Linear(in_features=3, out_features=3, bias=True)\n"
        "    (act): ReLU()\n"
        "  )\n"
        "  (head): Linear(in_features=3, out_features=1, bias=True)\n"
        ")"
    )


def test_plain_tensor_attribute_is_not_a_parameter():
    block = Block()
    assert all(p is not block.not_registered for p in block.parameters())
    assert np.array_equal(block.not_registered.data, np.ones(2))
