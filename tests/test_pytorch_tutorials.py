"""PyTorch's "Learning PyTorch with Examples", as a PyTorch user ports it: only the import changes.

Each function below is one of the tutorial's programs (fitting ``sin(x)`` on
``[-pi, pi]`` with a cubic polynomial), written here in our own words with the same
API calls the tutorial makes. Each takes the library as ``torch``, so the very same
source runs on MyTorch and, where it is installed, on PyTorch: from the same start
the losses must fall, and equal PyTorch's.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import mytorch

STEPS = 300
START = np.random.default_rng(0).normal(size=4)  # a, b, c, d: the same start everywhere


def start(torch: ModuleType, dtype: Any, requires_grad: bool = False) -> list[Any]:
    return [
        torch.tensor(float(value), dtype=dtype, requires_grad=requires_grad) for value in START
    ]


def raw_tensors(torch: ModuleType) -> list[float]:
    """Gradients written by hand, with raw tensors (no autograd)."""
    dtype, device = torch.float, torch.device("cpu")
    x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = start(torch, dtype)
    learning_rate, losses = 1e-6, []
    for _ in range(STEPS):
        y_pred = a + b * x + c * x**2 + d * x**3
        losses.append((y_pred - y).pow(2).sum().item())
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.sum()
        grad_b = (grad_y_pred * x).sum()
        grad_c = (grad_y_pred * x**2).sum()
        grad_d = (grad_y_pred * x**3).sum()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
    return losses


def with_autograd(torch: ModuleType) -> list[float]:
    """The same fit, with backward() and in-place updates under no_grad."""
    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = start(torch, dtype, requires_grad=True)
    learning_rate, losses = 1e-6, []
    for _ in range(STEPS):
        loss = (a + b * x + c * x**2 + d * x**3 - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for parameter in (a, b, c, d):
                parameter -= learning_rate * parameter.grad
                parameter.grad = None
    return losses


def custom_function(torch: ModuleType) -> list[float]:
    """A custom autograd.Function whose forward computes with tensor operations."""

    class LegendrePolynomial3(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, input: Any) -> Any:
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    dtype = torch.float
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = torch.sin(x)
    a, b, c, d = (torch.full((), float(v) * 0.1, dtype=dtype, requires_grad=True) for v in START)
    learning_rate, losses = 5e-6, []
    for _ in range(STEPS):
        p3 = LegendrePolynomial3.apply
        loss = (a + b * p3(c + d * x) - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            for parameter in (a, b, c, d):
                parameter -= learning_rate * parameter.grad
                parameter.grad = None
    return losses


def features(torch: ModuleType) -> tuple[Any, Any]:
    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    p = torch.tensor([1, 2, 3])
    return x.unsqueeze(-1).pow(p), y


def linear_model(torch: ModuleType) -> Any:
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    with torch.no_grad():
        model[0].weight.copy_(torch.tensor([START[1:].tolist()]))
        model[0].bias.fill_(float(START[0]))
    return model


def with_nn(torch: ModuleType) -> list[float]:
    """nn.Sequential, MSELoss(reduction='sum'), zero_grad and a hand-written update."""
    xx, y = features(torch)
    model = linear_model(torch)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate, losses = 1e-6, []
    for _ in range(STEPS):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    linear_layer = model[0]
    assert isinstance(linear_layer.bias.item(), float)
    assert isinstance(linear_layer.weight[:, 2].item(), float)
    return losses


def through_data(torch: ModuleType) -> list[float]:
    """The older tutorials' update, written on ``.data`` with no ``no_grad`` block."""
    xx, y = features(torch)
    model = linear_model(torch)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate, losses = 1e-6, []
    for _ in range(STEPS):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        weight, bias = model.parameters()
        weight.data -= learning_rate * weight.grad
        bias.data = bias.data - learning_rate * bias.grad  # a Tensor assigned to .data
    assert type(bias.data) is type(weight.data)  # mytorch: both ndarrays; torch: both Tensors
    return losses


def with_optim(torch: ModuleType) -> list[float]:
    """The same model trained by optim.RMSprop."""
    xx, y = features(torch)
    model = linear_model(torch)
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(STEPS):
        loss = loss_fn(model(xx), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def custom_module(torch: ModuleType) -> list[float]:
    """A Module subclass with four scalar Parameters, trained by SGD."""

    class Polynomial3(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b, self.c, self.d = (
                torch.nn.Parameter(torch.tensor(float(v))) for v in START
            )

        def forward(self, x: Any) -> Any:
            return self.a + self.b * x + self.c * x**2 + self.d * x**3

        def string(self) -> str:
            return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2"

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = Polynomial3()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-6)
    losses = []
    for _ in range(STEPS):
        loss = criterion(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert model.string().startswith("y = ")
    return losses


def dynamic_net(torch: ModuleType) -> list[float]:
    """A forward whose depth changes from step to step (a fixed schedule here, not random)."""

    class DynamicNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.a, self.b, self.c, self.d, self.e = (
                torch.nn.Parameter(torch.tensor(float(v) * 0.1)) for v in [*START, 0.0]
            )

        def forward(self, x: Any, extra: int) -> Any:
            y = self.a + self.b * x + self.c * x**2 + self.d * x**3
            for exp in range(4, 4 + extra):
                y = y + self.e * x**exp
            return y

    x = torch.linspace(-math.pi, math.pi, 2000)
    y = torch.sin(x)
    model = DynamicNet()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for step in range(STEPS):
        loss = criterion(model(x, step % 2), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


PROGRAMS = [raw_tensors, with_autograd, custom_function, with_nn, with_optim, custom_module]
PROGRAMS += [dynamic_net, through_data]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.__name__)
def test_the_loss_falls(program: Any) -> None:
    losses = program(mytorch)
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < 0.75 * losses[0]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.__name__)
def test_the_losses_are_pytorchs(program: Any) -> None:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    # float32 sums of 2000 terms, in another order: close, not equal.
    np.testing.assert_allclose(program(mytorch), program(torch), rtol=2e-4)
