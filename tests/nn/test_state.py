"""state_dict and load_state_dict: layout, round trips, all-or-nothing loading."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import nn


def _model(seed=0):
    _ = mytorch.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Linear(3, 2))


def _snapshot(model):
    return {
        name: (tensor.data.copy(), tensor._version)
        for name, tensor in model.state_dict(keep_vars=True).items()
    }


def test_layout_matches_torch(torch):
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2)
    )
    state = _model().state_dict()
    assert list(state) == list(theirs.state_dict())
    for name, value in theirs.state_dict().items():
        assert state[name].shape == tuple(value.shape)


def test_values_are_detached_and_share_memory():
    model = _model()
    state = model.state_dict()
    assert all(not value.requires_grad and value.is_leaf for value in state.values())
    assert state["0.weight"].data is model[0].weight.data
    assert model.state_dict(keep_vars=True)["0.weight"] is model[0].weight
    assert next(iter(model.state_dict(prefix="net."))) == "net.0.weight"


def test_round_trip_reproduces_the_model():
    source, target = _model(0), _model(1)
    source(mytorch.randn(8, 4))  # move the running statistics
    source.eval()
    target.eval()
    result = target.load_state_dict(source.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = mytorch.randn(5, 4)
    assert np.array_equal(source(x).data, target(x).data)
    assert target[1].num_batches_tracked.item() == 1


def test_loads_numpy_arrays_from_torch(torch, close):
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2)
    ).double()
    theirs.train()(torch.randn(6, 4, dtype=torch.float64))
    theirs.eval()
    ours = _model().double().eval()
    ours.load_state_dict({name: value.numpy() for name, value in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((5, 4))
    close(ours(mytorch.Tensor(x)), theirs(torch.tensor(x)))


def test_one_error_lists_every_problem_and_nothing_changes():
    model = _model()
    before = _snapshot(model)
    state = {name: value.data + 1 for name, value in _model(1).state_dict().items()}
    del state["0.bias"], state["1.running_var"]
    state["3.weight"] = np.zeros((5, 3))
    state["1.weight"] = np.zeros(4)
    state["extra.weight"] = np.zeros(2)
    state["3.bias"] = "not numbers"
    with pytest.raises(RuntimeError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for Sequential:")
    assert "Missing key(s) in state_dict: '0.bias', '1.running_var'." in message
    assert "Unexpected key(s) in state_dict: 'extra.weight'." in message
    assert "size mismatch for 1.weight: copying a value of shape (4,)" in message
    assert "the shape in the current model is (3,)" in message
    assert "size mismatch for 3.weight: copying a value of shape (5, 3)" in message
    assert "bad value for 3.bias" in message
    for name, (data, version) in before.items():
        tensor = model.state_dict(keep_vars=True)[name]
        assert np.array_equal(tensor.data, data) and tensor._version == version, name


def test_non_strict_loading_reports_keys_but_still_refuses_bad_shapes():
    model = _model()
    state = _model(1).state_dict()
    del state["3.bias"]
    state["extra"] = mytorch.zeros(1)
    result = model.load_state_dict(state, strict=False)
    assert result.missing_keys == ["3.bias"] and result.unexpected_keys == ["extra"]
    assert np.array_equal(model[0].weight.data, state["0.weight"].data)
    state["0.weight"] = mytorch.zeros(1, 1)
    with pytest.raises(RuntimeError, match=r"size mismatch for 0\.weight"):
        model.load_state_dict(state, strict=False)


def test_loading_is_in_place_and_outside_the_graph():
    model = _model()
    weight = model[0].weight
    array = weight.data
    model.load_state_dict(_model(1).state_dict())
    assert model[0].weight is weight and weight.data is array
    assert weight.requires_grad and weight.grad_fn is not None and weight.is_leaf


def test_a_checkpoint_of_another_dtype_is_cast():
    model = _model()
    model.load_state_dict(
        {k: v.data.astype(np.float64) for k, v in _model(1).state_dict().items()}
    )
    assert model[0].weight.dtype == mytorch.float32
    assert model[1].num_batches_tracked.dtype == mytorch.int64


def test_not_a_mapping_is_refused():
    with pytest.raises(TypeError, match="expected a mapping of names to tensors, got list"):
        _model().load_state_dict([1, 2])


def test_non_persistent_buffers_are_not_saved():
    module = nn.Module()
    module.register_buffer("kept", mytorch.zeros(1))
    module.register_buffer("scratch", mytorch.zeros(1), persistent=False)
    assert list(module.state_dict()) == ["kept"]
    assert [name for name, _ in module.named_buffers()] == ["kept", "scratch"]


def test_a_float64_value_too_large_for_float32_loads_as_inf_without_a_warning():
    # Warnings are errors in the test run: one raised mid-copy would leave a half-loaded model.
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": np.array([[1e300, -1e300]]), "bias": np.array([0.5])})
    assert layer.weight.data.tolist() == [[np.inf, -np.inf]]
    assert layer.bias.data.tolist() == [0.5]
