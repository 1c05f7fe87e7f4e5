"""Hostile and bad input to nn: modules, containers, state loading, losses and nn.utils.

One table, one test, as the other hostile tables: each bad call raises the
exception type given, with a message naming the op and the offending key,
shape or value (a regex), and changes nothing (``refused`` in conftest.py):
a refused ``load_state_dict`` leaves every parameter as it was, even when only
the last entry is bad (issue 15: check everything first, then write).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from hostile_tables import Case, params

import mytorch
import mytorch.nn.functional as F
from mytorch import nn


def two_layers() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 1))


def with_read_only_last_weight() -> list[nn.Module]:
    model = two_layers()
    model[1].weight.data.flags.writeable = False
    return [model]


def ones_for(model: nn.Module) -> dict[str, np.ndarray]:
    return {key: np.ones(value.shape) for key, value in model.state_dict().items()}


def with_grads(*values: list[float]) -> list[list[nn.Parameter]]:
    parameters = []
    for value in values:
        param = nn.Parameter(mytorch.zeros(len(value)))
        param.grad = mytorch.tensor(value)
        parameters.append(param)
    return [parameters]


CASES = [
    # load_state_dict: all or nothing.
    Case(
        "load_state_dict: a read-only parameter after good ones",
        with_read_only_last_weight,
        lambda m: m.load_state_dict(ones_for(m)),
        RuntimeError,
        r"cannot load 1\.weight: the model's tensor is read-only",
    ),
    Case(
        "load_state_dict: a ragged list",
        lambda: [nn.Linear(2, 1)],
        lambda m: m.load_state_dict({"weight": [[1.0], [2.0, 3.0]], "bias": [0.0]}),
        RuntimeError,
        r"bad value for weight: a list whose rows differ in length",
    ),
    Case(
        "load_state_dict: a wrong shape in the last entry only",
        lambda: [two_layers()],
        lambda m: m.load_state_dict({**ones_for(m), "1.bias": np.ones(3)}),
        RuntimeError,
        r"size mismatch for 1\.bias: .*\(3,\).*\(1,\)",
    ),
    Case(
        "load_state_dict: an unexpected key besides good ones",
        lambda: [two_layers()],
        lambda m: m.load_state_dict({**ones_for(m), "2.weight": np.ones(1)}),
        RuntimeError,
        r"Unexpected key\(s\) in state_dict: '2\.weight'",
    ),
    # Containers: PyTorch's TypeError / IndexError, in our words.
    Case(
        "Sequential['0']",
        lambda: [nn.Sequential(nn.ReLU())],
        lambda s: s["0"],
        TypeError,
        r"Sequential: indices must be integers or slices, not str \('0'\)",
    ),
    Case(
        "Sequential[1.0]",
        lambda: [nn.Sequential(nn.ReLU())],
        lambda s: s[1.0],
        TypeError,
        r"Sequential: indices must be integers or slices, not float",
    ),
    Case(
        "Sequential[5]",
        lambda: [nn.Sequential(nn.ReLU())],
        lambda s: s[5],
        IndexError,
        r"Sequential: index 5 is out of range for 1 modules",
    ),
    Case(
        "ModuleList['0']",
        lambda: [nn.ModuleList([nn.ReLU()])],
        lambda s: s["0"],
        TypeError,
        r"ModuleList: indices must be integers or slices, not str",
    ),
    Case(
        "ModuleList.extend: a non-module among modules",
        lambda: [nn.ModuleList([nn.Linear(1, 1)])],
        lambda s: s.extend([nn.Linear(1, 1), "relu"]),
        TypeError,
        r"ModuleList.extend: str is not a Module",
    ),
    Case(
        "ModuleDict.update: a non-module among modules",
        lambda: [nn.ModuleDict({"a": nn.Linear(1, 1)})],
        lambda s: s.update({"b": nn.Linear(1, 1), "c": 3}),
        TypeError,
        r"ModuleDict.update: entry 'c': int is not a Module",
    ),
    Case(
        "ModuleDict: a key that is a method",
        lambda: [nn.ModuleDict()],
        lambda s: s.__setitem__("update", nn.ReLU()),
        KeyError,
        r"'update' is already an attribute of ModuleDict",
    ),
    Case(
        "ParameterList: a list of floats",
        lambda: [nn.ParameterList([mytorch.zeros(1)])],
        lambda s: s.append([1.0]),
        TypeError,
        r"ParameterList.append: expected a Parameter or Tensor, got list",
    ),
    Case(
        "get_submodule: a missing path",
        lambda: [nn.Sequential(nn.Sequential(nn.ReLU()))],
        lambda m: m.get_submodule("0.3"),
        AttributeError,
        r"get_submodule: Sequential at '0' has no sub-module '3'",
    ),
    Case(
        "requires_grad_: not a bool",
        lambda: [two_layers()],
        lambda m: m.requires_grad_("False"),
        TypeError,
        r"Sequential.requires_grad_: requires_grad must be a bool, got str",
    ),
    Case(
        "register_forward_hook: not callable",
        lambda: [nn.ReLU()],
        lambda m: m.register_forward_hook("print"),
        TypeError,
        r"register_forward_hook: a hook must be callable, got str",
    ),
    # nn.utils: check, then write.
    Case(
        "clip_grad_norm_: an infinite gradient with error_if_nonfinite",
        lambda: with_grads([3.0, 4.0], [np.inf]),
        lambda p: nn.utils.clip_grad_norm_(p, 1.0, error_if_nonfinite=True),
        RuntimeError,
        r"clip_grad_norm_: the total norm of order 2\.0 .* is inf.*nothing was changed",
    ),
    Case(
        "vector_to_parameters: a vector too short",
        lambda: [mytorch.ones(3), list(nn.Linear(2, 2).parameters())],
        nn.utils.vector_to_parameters,
        ValueError,
        r"vector_to_parameters: expected a 1-D vector of 6 elements for 2 parameters, "
        r"got shape \(3,\)",
    ),
    Case(
        "vector_to_parameters: a list",
        lambda: [[1.0, 2.0], list(nn.Linear(1, 1).parameters())],
        nn.utils.vector_to_parameters,
        TypeError,
        r"vector_to_parameters: expected a Tensor, got list",
    ),
    # Layers and losses.
    Case(
        "Embedding: an index out of range",
        lambda: [nn.Embedding(3, 2), mytorch.tensor([0, 3], dtype=mytorch.int64)],
        lambda m, i: m(i),
        IndexError,
        r"embedding: indices must be in \[0, 3\) for 3 embeddings, got \[3\] at position",
    ),
    Case(
        "LayerNorm: the wrong trailing shape",
        lambda: [nn.LayerNorm(3), mytorch.ones(2, 4, requires_grad=True)],
        lambda m, x: m(x),
        ValueError,
        r"layer_norm: input of shape \(2, 4\) does not end in the normalized shape \(3,\)",
    ),
    Case(
        "cross_entropy: a weight per example instead of per class",
        lambda: [mytorch.ones(4, 3, requires_grad=True), mytorch.zeros(4, dtype=mytorch.int64)],
        lambda x, t: F.cross_entropy(x, t, mytorch.ones(4)),
        ValueError,
        r"cross_entropy: weight must hold one number per class, shape \(3,\), got \(4,\)",
    ),
    Case(
        "cross_entropy: the reduction given as the weight",
        lambda: [mytorch.ones(4, 3, requires_grad=True), mytorch.zeros(4, dtype=mytorch.int64)],
        lambda x, t: F.cross_entropy(x, t, "sum"),
        TypeError,
        r"pass the reduction by name: reduction='sum'",
    ),
    Case(
        "binary_cross_entropy: a probability above 1",
        lambda: [mytorch.tensor([0.5, 1.5], requires_grad=True), mytorch.ones(2)],
        F.binary_cross_entropy,
        RuntimeError,
        r"binary_cross_entropy: all elements of input should be between 0 and 1, got \[1\.5\]",
    ),
    Case(
        "kl_div: an unknown reduction",
        lambda: [mytorch.ones(2, requires_grad=True), mytorch.ones(2)],
        lambda x, t: F.kl_div(x, t, reduction="average"),
        ValueError,
        r"kl_div: reduction must be 'none', 'batchmean', 'sum' or 'mean', got 'average'",
    ),
    Case(
        "huber_loss: delta 0",
        lambda: [mytorch.ones(2, requires_grad=True), mytorch.ones(2)],
        lambda x, t: F.huber_loss(x, t, delta=0.0),
        ValueError,
        r"huber_loss: delta must be positive, got 0\.0",
    ),
]


@pytest.mark.parametrize("case", params(CASES))
def test_bad_input_to_nn_is_refused_clearly_and_changes_nothing(
    case: Case, refused: Callable[..., None]
) -> None:
    refused(case.call, case.build(), case.error, case.match)
