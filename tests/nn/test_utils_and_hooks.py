"""nn.utils (clipping, vectors) against torch; Module hooks, requires_grad_, get_submodule."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as hst

import mytorch
from mytorch import nn
from mytorch.testing import strategies as st


def _pair_with_grads(torch, grads):
    ours, theirs = [], []
    for grad in grads:
        p = nn.Parameter(mytorch.zeros(*grad.shape, dtype=mytorch.float64))
        p.grad = mytorch.Tensor(grad.copy())
        q = torch.nn.Parameter(torch.zeros(grad.shape, dtype=torch.float64))
        q.grad = torch.from_numpy(grad.copy())
        ours.append(p)
        theirs.append(q)
    return ours, theirs


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@given(
    grads=hst.lists(st.arrays_in(st.shapes(max_dims=2), low=-5, high=5), min_size=1, max_size=3)
)
def test_clip_grad_norm_matches_torch(norm_type, max_norm, grads):
    torch = pytest.importorskip("torch")  # not the fixture: hypothesis runs many examples
    ours, theirs = _pair_with_grads(torch, grads)
    total = nn.utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    np.testing.assert_allclose(total.data, expected.numpy(), rtol=1e-10, atol=1e-12)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.data, q.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_clip_grad_norm_edge_cases(torch):
    assert nn.utils.clip_grad_norm_([nn.Parameter(mytorch.zeros(2))], 1.0).item() == 0.0
    ours, theirs = _pair_with_grads(torch, [np.array([np.inf, 1.0])])
    nn.utils.clip_grad_norm_(ours, 1.0)  # error_if_nonfinite=False: scaled by 1/inf, as torch
    torch.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_array_equal(ours[0].grad.data, theirs[0].grad.numpy())
    single = nn.Parameter(mytorch.zeros(2))
    single.grad = mytorch.tensor([3.0, 4.0])
    assert nn.utils.clip_grad_norm_(single, 10.0).item() == pytest.approx(5.0)  # one tensor


def test_clip_grad_value_matches_torch(torch, close):
    grads = [np.array([-3.0, 0.2, 7.0]), np.array([[0.5, -0.9]])]
    ours, theirs = _pair_with_grads(torch, grads)
    nn.utils.clip_grad_value_(ours, 0.5)
    torch.nn.utils.clip_grad_value_(theirs, 0.5)
    for p, q in zip(ours, theirs):
        close(p.grad, q.grad)


def test_vector_round_trip_and_gradient(torch):
    model = nn.Sequential(nn.Linear(3, 2), nn.LayerNorm(2))
    reference = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.LayerNorm(2))
    vector = nn.utils.parameters_to_vector(model.parameters())
    assert vector.shape == tuple(torch.nn.utils.parameters_to_vector(reference.parameters()).shape)
    (vector * mytorch.arange(12.0)).sum().backward()  # differentiable, as torch's
    assert model[0].weight.grad.data.ravel().tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    new = mytorch.arange(12.0)
    nn.utils.vector_to_parameters(new, model.parameters())
    np.testing.assert_array_equal(nn.utils.parameters_to_vector(model.parameters()).data, new.data)


def test_forward_hooks_follow_torch_semantics():
    layer = nn.Linear(2, 2)
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: calls.append(("pre", args[0].shape)))
    post = layer.register_forward_hook(lambda m, args, out: calls.append(("post", out.shape)))
    layer(mytorch.zeros(3, 2))
    assert calls == [("pre", (3, 2)), ("post", (3, 2))]
    pre.remove()
    post.remove()
    post.remove()  # removing twice is harmless
    layer(mytorch.zeros(1, 2))
    assert len(calls) == 2
    # A pre-hook's value replaces the arguments (wrapped in a tuple when it is not one);
    # a forward hook's value replaces the output.
    double = nn.Identity()
    double.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    double.register_forward_pre_hook(lambda m, args: args[0] + 1)
    double.register_forward_hook(lambda m, args, out: out * 10)
    assert double(mytorch.tensor([1.0])).tolist() == [30.0]


def test_hooks_see_children_in_a_model():
    model = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
    shapes = {}
    for name, module in model.named_children():
        module.register_forward_hook(
            lambda m, args, out, name=name: shapes.__setitem__(name, out.shape)
        )
    model(mytorch.zeros(5, 4))
    assert shapes == {"0": (5, 3), "1": (5, 3), "2": (5, 2)}


def test_requires_grad_get_submodule_named_buffers_and_zero_grad():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.BatchNorm1d(2)))
    assert model.requires_grad_() is model
    assert model.get_submodule("1.0") is model[1][0]
    assert model.get_submodule("") is model
    assert [name for name, _ in model.named_buffers()] == [
        "1.0.running_mean",
        "1.0.running_var",
        "1.0.num_batches_tracked",
    ]
    model(mytorch.ones(3, 2)).sum().backward()
    model.zero_grad()  # set_to_none=True by default, as torch 2
    assert all(p.grad is None for p in model.parameters())


def test_hooks_with_kwargs_and_prepend_as_torch(torch):
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    class TorchScale(torch.nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    results = []
    for module, make in [(Scale(), mytorch.tensor), (TorchScale(), torch.tensor)]:
        order = []
        module.register_forward_pre_hook(lambda m, args, order=order: order.append("second"))
        module.register_forward_pre_hook(
            lambda m, args, order=order: order.append("first"), prepend=True
        )
        module.register_forward_pre_hook(
            lambda m, args, kwargs: (args, {**kwargs, "factor": 3.0}), with_kwargs=True
        )
        module.register_forward_hook(
            lambda m, args, kwargs, out: out + kwargs["factor"], with_kwargs=True
        )
        results.append((module(make([1.0, 2.0]), factor=2.0).tolist(), order))
    assert results[0] == results[1] == ([6.0, 9.0], ["first", "second"])


def test_a_kwargs_pre_hook_must_return_args_and_kwargs():
    layer = nn.Identity()
    layer.register_forward_pre_hook(lambda m, args, kwargs: args, with_kwargs=True)
    with pytest.raises(RuntimeError, match=r"must return None or \(args, kwargs\)"):
        layer(mytorch.ones(2), extra=1)
