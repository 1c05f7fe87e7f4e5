"""``gradcheck``: passes on correct gradients, and on a wrong one names the culprit."""

from __future__ import annotations

import re

import numpy as np
import pytest

import mytorch
from mytorch import Function
from mytorch.testing import GradcheckError, gradcheck


class SquareWithOneWrongElement(Function):
    """x**2, whose backward is off by 0.5 at element (1, 2) only."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        error = np.zeros(x.shape)
        error[1, 2] = 0.5
        return grad * 2 * x + mytorch.tensor(error) * grad


class WrongShapeGradient(Function):
    @staticmethod
    def forward(ctx, x):
        return x.data.sum()

    @staticmethod
    def backward(ctx, grad):
        return grad  # should have been expanded to x's shape


def test_passes_on_correct_gradients() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(2, 3)), rng.normal(size=(3, 4))
    assert gradcheck(lambda x, w: (x @ w).tanh(), [a, b]) is True
    assert gradcheck(lambda x: (x * x).sum(), [mytorch.tensor([1.0, 2.0])]) is True


def test_names_the_input_the_worst_element_and_both_values() -> None:
    x = np.arange(12.0).reshape(3, 4) / 10
    good = np.ones(2)
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda g, t: g.sum() + SquareWithOneWrongElement.apply(t), [good, x])
    message = str(info.value)
    assert message.startswith("gradcheck: input 1, element (1, 2): analytical gradient ")
    found = re.search(
        r"analytical gradient (\S+) but numerical (\S+) \(atol=1e-05, rtol=0.001\)$", message
    )
    analytical, numerical = float(found[1]), float(found[2])
    # Both carry gradcheck's random weight on that output element; their ratio does not.
    assert analytical / numerical == pytest.approx((2 * x[1, 2] + 0.5) / (2 * x[1, 2]), rel=1e-6)
    assert isinstance(info.value, AssertionError)


def test_reports_a_gradient_of_the_wrong_shape() -> None:
    with pytest.raises(
        GradcheckError,
        match=r"WrongShapeGradientBackward returned an invalid gradient at index 0: got shape "
        r"\(\) but expected a shape compatible with \(3,\)",
    ):
        gradcheck(WrongShapeGradient.apply, [np.ones(3)])


def test_inputs_become_float64_leaves_and_other_arguments_pass_through() -> None:
    seen = {}

    def fn(x, power, label):
        seen.update(dtype=x.dtype, requires_grad=x.requires_grad, power=power, label=label)
        return x**power

    float32_input = mytorch.tensor([1.0, 2.0])
    assert gradcheck(fn, [float32_input, 3, "cube"])
    assert seen == {"dtype": np.float64, "requires_grad": True, "power": 3, "label": "cube"}
    assert float32_input.dtype == np.float32 and not float32_input.requires_grad


def test_a_constant_output_has_zero_gradient() -> None:
    assert gradcheck(lambda x: mytorch.ones(2), [np.ones(3)])


def test_checks_second_derivatives_through_grad() -> None:
    def first_derivative(x):
        (g,) = mytorch.grad((x**3).sum(), x, create_graph=True)
        return g

    assert gradcheck(first_derivative, [np.array([-1.0, 0.5, 2.0])])


def test_refuses_calls_it_cannot_check() -> None:
    with pytest.raises(ValueError, match="gradcheck: no floating-point tensor among the inputs"):
        gradcheck(lambda n: mytorch.ones(n), [3])
    with pytest.raises(TypeError, match="gradcheck: fn must return a Tensor, got float"):
        gradcheck(lambda x: 1.0, [np.ones(2)])
