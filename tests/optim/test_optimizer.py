"""The Optimizer base: parameter checks, groups, zero_grad, the graph, and state dicts."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.autograd import AccumulateGrad
from mytorch.optim import SGD, Adam, AdamW, Optimizer

OPTIMISERS = {
    "sgd": lambda params: SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True),
    "adam": lambda params: Adam(params, lr=0.01, weight_decay=0.1),
    "adamw": lambda params: AdamW(params, lr=0.01),
}
optimisers = pytest.mark.parametrize("make", OPTIMISERS.values(), ids=OPTIMISERS.keys())


# ------------------------------------------------------------- bad parameters
def test_a_tensor_that_does_not_require_grad_is_accepted_and_skipped():
    # As PyTorch: a frozen parameter may sit in the optimiser; with no grad it is skipped.
    params = [mytorch.zeros(2, requires_grad=True), mytorch.ones(2)]
    opt = SGD(params, lr=0.5)
    params[0].sum().backward()
    opt.step()
    assert params[0].tolist() == [-0.5, -0.5] and params[1].tolist() == [1.0, 1.0]


def test_an_integer_tensor_is_refused():
    params = [mytorch.tensor(np.arange(3))]
    with pytest.raises(TypeError, match="Adam: parameter 0 of group 0 has dtype int64"):
        Adam(params)


def test_a_non_tensor_is_refused():
    with pytest.raises(TypeError, match="SGD: parameter 0 of group 0 is a ndarray, not a Tensor"):
        SGD([np.zeros(2)], lr=0.1)


def test_a_non_leaf_is_refused():
    w = mytorch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="parameter 1 of group 0 is not a leaf"):
        SGD([w, w * 2], lr=0.1)


def test_the_index_counts_within_its_group():
    w = mytorch.zeros(1, requires_grad=True)
    groups = [{"params": [w]}, {"params": [w * 2]}]
    with pytest.raises(ValueError, match="parameter 0 of group 1 is not a leaf"):
        SGD(groups, lr=0.1)


@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        (mytorch.zeros(2, requires_grad=True), TypeError, "got a single Tensor"),
        ([], ValueError, "SGD: got an empty parameter list"),
        ({mytorch.zeros(2, requires_grad=True)}, TypeError, "not a set"),
        ([{"lr": 0.1}], ValueError, "needs a 'params' entry"),
    ],
)
def test_bad_params_arguments(params, error, match):
    with pytest.raises(error, match=match):
        SGD(params, lr=0.1)


def test_a_parameter_listed_twice_is_refused():
    w = mytorch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="lists a parameter twice"):
        SGD([w, w], lr=0.1)
    opt = SGD([w], lr=0.1)
    with pytest.raises(ValueError, match="already in another group"):
        opt.add_param_group({"params": [w]})
    assert len(opt.param_groups) == 1


# ------------------------------------------------------------------- groups
def test_groups_take_the_defaults_they_do_not_set():
    a, b = mytorch.zeros(1, requires_grad=True), mytorch.zeros(1, requires_grad=True)
    opt = SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    first, second = opt.param_groups
    assert first["params"] == [a] and first["lr"] == 0.1 and first["momentum"] == 0.9
    assert second["params"][0] is b and second["lr"] == 0.5 and second["momentum"] == 0.9


def test_a_generator_of_parameters_is_accepted(mlp):
    params = mlp.params()
    opt = SGD((p for p in params), lr=0.1)
    assert [id(p) for p in opt.param_groups[0]["params"]] == [id(p) for p in params]


def test_the_base_class_step_is_abstract():
    opt = Optimizer([mytorch.zeros(1, requires_grad=True)], {"lr": 0.1})
    with pytest.raises(NotImplementedError):
        opt.step()


def test_repr_lists_the_groups():
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    assert repr(opt).splitlines()[:3] == ["SGD (", "Parameter Group 0", "    dampening: 0.0"]


# ------------------------------------------------------------ steps and graph
@optimisers
def test_parameters_without_grad_are_skipped(make, mlp):
    params = mlp.params()
    frozen = mytorch.tensor(np.ones(3), requires_grad=True)  # not in the loss
    opt = make([*params, frozen])
    for _ in range(3):
        opt.zero_grad()
        mlp.loss(params).backward()
        opt.step()
    assert frozen.grad is None
    np.testing.assert_array_equal(frozen.data, np.ones(3))
    assert frozen._version == 0
    assert frozen not in opt.state
    assert all(p in opt.state for p in params)


@optimisers
def test_updates_are_in_place_and_stay_out_of_the_graph(make, mlp):
    params = mlp.params()
    arrays = [p.data for p in params]
    opt = make(params)
    for step in range(1, 3):
        opt.zero_grad()
        mlp.loss(params).backward()
        opt.step()
        for param, array in zip(params, arrays):
            assert param.data is array  # updated in place
            assert param._version == step  # one bump per step
            assert param.is_leaf and param.requires_grad
            assert isinstance(param.grad_fn, AccumulateGrad)
        for entries in opt.state.values():
            for value in entries.values():
                assert not getattr(value, "requires_grad", False)
    assert mytorch.is_grad_enabled()


def test_step_works_with_grad_mode_on_and_does_not_record():
    # In-place changes to a leaf that requires grad are refused while recording;
    # the optimiser must switch recording off for its own updates.
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    opt = SGD([w], lr=0.1)
    (w * w).sum().backward()
    assert mytorch.is_grad_enabled()
    opt.step()
    np.testing.assert_allclose(w.data, [0.8, 1.6])


def test_step_runs_the_closure_with_grad_mode_on(mlp):
    params = mlp.params()
    opt = SGD(params, lr=0.1)
    recorded = []

    def closure():
        recorded.append(mytorch.is_grad_enabled())
        opt.zero_grad()
        loss = mlp.loss(params)
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert recorded == [True]
    assert loss.item() == pytest.approx(mlp.loss(mlp.params()).item())
    assert not np.array_equal(params[0].data, mlp.initial[0])


def test_zero_grad_sets_to_none_by_default(mlp):
    params = mlp.params()
    opt = SGD(params, lr=0.1)
    mlp.loss(params).backward()
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_zero_grad_can_fill_with_zeros_in_place(mlp):
    params = mlp.params()
    extra = mytorch.zeros(2, requires_grad=True)  # its grad stays None
    opt = SGD([*params, extra], lr=0.1)
    mlp.loss(params).backward()
    grads = [p.grad for p in params]
    opt.zero_grad(set_to_none=False)
    for param, grad in zip(params, grads):
        assert param.grad is grad
        np.testing.assert_array_equal(grad.data, np.zeros(param.shape))
    assert extra.grad is None
    # The next backward accumulates into the zeroed buffers: a fresh gradient.
    mlp.loss(params).backward()
    reference = mlp.params()
    mlp.loss(reference).backward()
    for param, ref in zip(params, reference):
        np.testing.assert_array_equal(param.grad.data, ref.grad.data)


def test_zero_grad_does_not_write_into_a_graph_made_by_create_graph():
    w = mytorch.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="reference cycle"):
        (w * w * w).sum().backward(create_graph=True)
    graph_grad = w.grad
    assert graph_grad.requires_grad
    SGD([w], lr=0.1).zero_grad(set_to_none=False)
    np.testing.assert_array_equal(graph_grad.data, [3.0, 12.0])  # untouched
    np.testing.assert_array_equal(w.grad.data, [0.0, 0.0])
    assert not w.grad.requires_grad
