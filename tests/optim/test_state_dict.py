"""Optimiser state dicts: PyTorch's format, exact resumption, and refusal of misfits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mytorch
from mytorch.optim import SGD, Adadelta, Adagrad, Adam, AdamW, RMSprop

OPTIMISERS = {
    "sgd": lambda params, **kw: SGD(params, **{"lr": 0.1, "momentum": 0.9, **kw}),
    "sgd_nesterov_wd": lambda params, **kw: SGD(
        params, **{"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01, **kw}
    ),
    "adam": lambda params, **kw: Adam(params, **{"lr": 0.01, "weight_decay": 0.1, **kw}),
    "adamw": lambda params, **kw: AdamW(params, **{"lr": 0.01, **kw}),
    "adam_amsgrad": lambda params, **kw: Adam(params, **{"lr": 0.01, "amsgrad": True, **kw}),
    "rmsprop": lambda params, **kw: RMSprop(
        params, **{"lr": 0.01, "momentum": 0.5, "centered": True, **kw}
    ),
    "adagrad": lambda params, **kw: Adagrad(params, **{"lr": 0.1, "lr_decay": 0.01, **kw}),
    "adadelta": lambda params, **kw: Adadelta(params, **{"lr": 1.0, "weight_decay": 0.01, **kw}),
}
optimisers = pytest.mark.parametrize("make", OPTIMISERS.values(), ids=OPTIMISERS.keys())


@optimisers
def test_resuming_from_a_state_dict_continues_bit_for_bit(make, mlp, train):
    params = mlp.params()
    straight = train(make(params), params, 10)

    first = mlp.params()
    opt = make(first)
    train(opt, first, 5)
    state = opt.state_dict()
    weights = [p.data.copy() for p in first]
    del opt, first

    resumed = mlp.params(weights)
    opt = make(resumed, lr=123.0)  # the saved lr must win
    opt.load_state_dict(state)
    continued = train(opt, resumed, 5)
    for mine, reference in zip(continued, straight[5:]):
        for a, b in zip(mine, reference):
            np.testing.assert_array_equal(a, b)


def test_state_dict_has_pytorchs_layout(mlp):
    params = mlp.params()
    opt = SGD([{"params": params[:2]}, {"params": params[2:], "lr": 0.01}], lr=0.1, momentum=0.9)
    opt.zero_grad()
    mlp.loss(params).backward()
    params[1].grad = None  # no state for parameter 1
    opt.step()
    state = opt.state_dict()
    assert set(state) == {"state", "param_groups"}
    assert list(state["state"]) == [0, 2, 3]
    assert set(state["state"][0]) == {"momentum_buffer"}
    assert [g["params"] for g in state["param_groups"]] == [[0, 1], [2, 3]]
    assert [g["lr"] for g in state["param_groups"]] == [0.1, 0.01]


TORCH_FORMAT = {
    "adam": ("Adam", {"lr": 0.01}),
    "adam_amsgrad": ("Adam", {"lr": 0.01, "amsgrad": True}),
    "adamw": ("AdamW", {"lr": 0.01, "amsgrad": True}),
    "sgd": ("SGD", {"lr": 0.01, "momentum": 0.9, "maximize": True}),
    "rmsprop": ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    "adagrad": ("Adagrad", {"lr": 0.01, "lr_decay": 0.1}),
}


@pytest.mark.parametrize(("name", "options"), TORCH_FORMAT.values(), ids=TORCH_FORMAT.keys())
def test_state_dict_keys_and_values_match_torchs(name, options, mlp, torch):
    params = mlp.params()
    theirs_params = mlp.torch_params(torch)
    opt = getattr(mytorch.optim, name)(params, **options)
    theirs = getattr(torch.optim, name)(theirs_params, **options)
    for _ in range(3):
        opt.zero_grad()
        mlp.loss(params).backward()
        opt.step()
        theirs.zero_grad()
        mlp.torch_loss(torch, theirs_params).backward()
        theirs.step()
    mine, reference = opt.state_dict(), theirs.state_dict()
    assert mine["state"].keys() == reference["state"].keys()
    for index, entries in mine["state"].items():
        assert entries.keys() == reference["state"][index].keys()
        for key, value in entries.items():
            expected = reference["state"][index][key]
            if key == "step":
                assert value == expected.item() == 3
            else:
                np.testing.assert_allclose(
                    value.data, expected.numpy(), rtol=1e-12, atol=1e-15, err_msg=key
                )
    for group, ref_group in zip(mine["param_groups"], reference["param_groups"]):
        for key, value in group.items():
            assert value == ref_group[key], key


def test_state_dict_is_a_snapshot(mlp, train):
    params = mlp.params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, 1)
    state = opt.state_dict()
    buffer = state["state"][0]["momentum_buffer"].data.copy()
    state["param_groups"][0]["lr"] = 5.0  # editing the snapshot changes nothing live
    train(opt, params, 1)
    np.testing.assert_array_equal(state["state"][0]["momentum_buffer"].data, buffer)
    assert opt.param_groups[0]["lr"] == 0.1


def test_loaded_state_is_copied_and_cast_to_the_parameter_dtype():
    w = mytorch.zeros(2, requires_grad=True)  # float32
    opt = SGD([w], lr=0.1, momentum=0.9)
    buffer = np.array([1.0, 2.0])  # float64, as a bare array
    state = {
        "state": {0: {"momentum_buffer": buffer}},
        "param_groups": opt.state_dict()["param_groups"],
    }
    opt.load_state_dict(state)
    loaded = opt.state[w]["momentum_buffer"]
    assert isinstance(loaded, mytorch.Tensor) and loaded.dtype == mytorch.float32
    buffer[0] = 99.0
    np.testing.assert_array_equal(loaded.data, [1.0, 2.0])


def _trained_sgd(mlp, train):
    params = mlp.params()
    opt = SGD(params, lr=0.1, momentum=0.9)
    train(opt, params, 2)
    return opt, params


def test_mismatches_are_all_reported_at_once_and_change_nothing(mlp, train):
    opt, params = _trained_sgd(mlp, train)
    state = opt.state_dict()
    state["state"][0]["momentum_buffer"] = mytorch.zeros(2, 2)
    state["state"][7] = {"momentum_buffer": mytorch.zeros(3)}
    del state["param_groups"][0]["momentum"]

    target = SGD(params, lr=0.5, momentum=0.1)
    target.load_state_dict(opt.state_dict())  # a good one first, to have state to keep
    kept = {p: s["momentum_buffer"].data.copy() for p, s in target.state.items()}
    with pytest.raises(ValueError) as error:
        target.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("SGD.load_state_dict: the state dict does not fit")
    assert (
        "state[0]['momentum_buffer'] has shape (2, 2), the parameter has shape (3, 5)" in message
    )
    assert "state for parameter 7, which no group lists" in message
    assert "lacks the hyper-parameters ['momentum']" in message
    for param, array in kept.items():
        np.testing.assert_array_equal(target.state[param]["momentum_buffer"].data, array)
    assert target.param_groups[0]["momentum"] == 0.9


def test_a_different_number_of_groups_is_refused(mlp, train):
    opt, params = _trained_sgd(mlp, train)
    target = SGD([{"params": params[:2]}, {"params": params[2:]}], lr=0.1)
    with pytest.raises(ValueError, match="has 1 parameter groups, the optimiser has 2"):
        target.load_state_dict(opt.state_dict())


def test_a_group_of_another_size_is_refused(mlp, train):
    opt, params = _trained_sgd(mlp, train)
    target = SGD(params[:3], lr=0.1)
    with pytest.raises(ValueError, match="group 0 has 4 parameters in the state dict and 3"):
        target.load_state_dict(opt.state_dict())
    assert target.state == {}


def test_an_sgd_state_does_not_load_into_adam(mlp, train):
    opt, params = _trained_sgd(mlp, train)
    with pytest.raises(
        ValueError, match=r"lacks the hyper-parameters \['amsgrad', 'betas', 'decoupled_"
    ):
        Adam(params).load_state_dict(opt.state_dict())


def test_invalid_saved_hyperparameters_are_refused(mlp, train):
    opt, params = _trained_sgd(mlp, train)
    state = opt.state_dict()
    state["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match=r"SGD: invalid learning rate -1\.0"):
        SGD(params, lr=0.1).load_state_dict(state)


@pytest.mark.parametrize(
    "state",
    [None, {"state": {}}, {"state": {}, "param_groups": [], "extra": 1}],
    ids=["none", "missing_key", "extra_key"],
)
def test_a_state_dict_of_the_wrong_shape_is_refused(state):
    opt = SGD([mytorch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="exactly the keys 'state' and 'param_groups'"):
        opt.load_state_dict(state)


def test_adadelta_refuses_a_negative_running_average(mlp, train):
    params = mlp.params()
    opt = Adadelta(params)
    train(opt, params, 2)
    state = opt.state_dict()
    state["state"][0]["acc_delta"] = -np.ones(params[0].shape, dtype=params[0].dtype)
    fresh = Adadelta(params)
    with pytest.raises(ValueError, match=r"state\[0\]\['acc_delta'\] has negative"):
        fresh.load_state_dict(state)
    assert fresh.state == {}


rates = st.floats(0.001, 0.2)
fractions = st.floats(0.0, 0.95)
#: Each optimiser with hyper-parameters drawn from their valid ranges.
RANDOM_OPTIMISERS = st.one_of(
    st.builds(
        lambda lr, momentum, dampening, decay, maximize: (
            lambda ps: SGD(ps, lr, momentum, dampening, decay, maximize=maximize)
        ),
        rates,
        fractions,
        fractions,
        fractions,
        st.booleans(),
    ),
    st.builds(
        lambda lr, beta1, beta2, decay, amsgrad, decoupled: (
            lambda ps: Adam(
                ps, lr, (beta1, beta2), 1e-8, decay, amsgrad, decoupled_weight_decay=decoupled
            )
        ),
        rates,
        fractions,
        fractions,
        fractions,
        st.booleans(),
        st.booleans(),
    ),
    st.builds(
        lambda lr, alpha, momentum, centered: (
            lambda ps: RMSprop(ps, lr, alpha, momentum=momentum, centered=centered)
        ),
        rates,
        fractions,
        fractions,
        st.booleans(),
    ),
    st.builds(
        lambda lr, decay, start: lambda ps: Adagrad(ps, lr, decay, 0.0, start),
        rates,
        fractions,
        st.floats(0.0, 1.0),
    ),
)


# The mlp fixture is read-only, so sharing it between examples is safe.
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(make=RANDOM_OPTIMISERS, before=st.integers(1, 4), after=st.integers(1, 4))
def test_any_optimiser_resumes_bit_for_bit_after_a_restart(mlp, make, before, after):

    def train(optimizer, params, steps):
        for _ in range(steps):
            optimizer.zero_grad()
            mlp.loss(params).backward()
            optimizer.step()

    params = mlp.params()
    train(make(params), params, before + after)
    straight = [p.data.copy() for p in params]

    params = mlp.params()
    optimizer = make(params)
    train(optimizer, params, before)
    saved = optimizer.state_dict()
    params = mlp.params([p.data.copy() for p in params])
    optimizer = make(params)
    optimizer.load_state_dict(saved)
    train(optimizer, params, after)
    for mine, reference in zip(params, straight):
        np.testing.assert_array_equal(mine.data, reference)
