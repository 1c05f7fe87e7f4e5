"""Parameter: a leaf tensor that requires grad and marks itself for Module."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch import nn


def test_parameter_is_a_leaf_that_requires_grad():
    p = nn.Parameter(mytorch.zeros(2, 3))
    assert isinstance(p, mytorch.Tensor)
    assert p.requires_grad and p.is_leaf and p.is_parameter
    assert p.grad is None and p.shape == (2, 3) and p.dtype == mytorch.float32


def test_shares_the_tensor_array_and_keeps_dtype():
    source = mytorch.zeros(3, dtype=mytorch.float64)
    p = nn.Parameter(source)
    assert p.data is source.data and p.dtype == mytorch.float64


def test_results_of_ops_are_plain_tensors_in_the_graph():
    p = nn.Parameter(np.array([1.0, 2.0]))
    y = p * 2
    assert type(y) is mytorch.Tensor and not y.is_leaf and not y.is_parameter
    y.sum().backward()
    assert p.grad.tolist() == [2.0, 2.0]
    assert type(p.detach()) is mytorch.Tensor


def test_repr(torch):
    p = nn.Parameter(mytorch.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert repr(p) == repr(torch.nn.Parameter(torch.tensor([1.0, 2.0])))


def test_bad_parameters_are_refused():
    with pytest.raises(
        TypeError, match="Parameter: parameters must be floating point, got dtype int64"
    ):
        nn.Parameter(mytorch.zeros(2, dtype=mytorch.int64))


def test_has_no_instance_dict():
    with pytest.raises(AttributeError):
        nn.Parameter(mytorch.zeros(1)).anything = 1
