"""The two-layer-net series of PyTorch's "Learning PyTorch with Examples", imports changed only.

A ReLU network fitting random data, written with raw tensors and gradients by
hand, with autograd, with a custom ``autograd.Function``, with ``nn``, with
``optim``, as a custom ``Module``, and as a net whose depth changes per step.
Each program is our own wording of the tutorial's, making the same API calls,
and takes the library as ``torch``: from the same start (smaller sizes, so the
test is quick) the losses must fall, and equal PyTorch's.
"""

from __future__ import annotations

import math
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import mytorch

N, D_IN, H, D_OUT, STEPS = 16, 30, 20, 5, 60
_RNG = np.random.default_rng(0)
X, Y = _RNG.normal(size=(N, D_IN)), _RNG.normal(size=(N, D_OUT))
W1, W2 = _RNG.normal(size=(D_IN, H)) * 0.3, _RNG.normal(size=(H, D_OUT)) * 0.3


def data(torch: ModuleType) -> tuple[Any, Any]:
    device, dtype = torch.device("cpu"), torch.float
    return (
        torch.tensor(X.tolist(), device=device, dtype=dtype),
        torch.tensor(Y.tolist(), device=device, dtype=dtype),
    )


def weights(torch: ModuleType, requires_grad: bool) -> list[Any]:
    return [
        torch.tensor(w.tolist(), dtype=torch.float, requires_grad=requires_grad) for w in (W1, W2)
    ]


def with_tensors(torch: ModuleType) -> list[float]:
    """Forward and backward written by hand on tensors."""
    x, y = data(torch)
    w1, w2 = weights(torch, requires_grad=False)
    learning_rate, losses = 1e-3, []
    for _ in range(STEPS):
        h = x.mm(w1)
        h_relu = h.clamp(min=0)
        y_pred = h_relu.mm(w2)
        losses.append((y_pred - y).pow(2).sum().item())
        grad_y_pred = 2.0 * (y_pred - y)
        grad_w2 = h_relu.t().mm(grad_y_pred)
        grad_h_relu = grad_y_pred.mm(w2.t())
        grad_h = grad_h_relu.clone()
        grad_h[h < 0] = 0
        grad_w1 = x.t().mm(grad_h)
        w1 -= learning_rate * grad_w1
        w2 -= learning_rate * grad_w2
    return losses


def with_autograd(torch: ModuleType) -> list[float]:
    """backward() computes the gradients; the update runs under no_grad."""
    x, y = data(torch)
    w1, w2 = weights(torch, requires_grad=True)
    learning_rate, losses = 1e-3, []
    for _ in range(STEPS):
        y_pred = x.mm(w1).clamp(min=0).mm(w2)
        loss = (y_pred - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


def with_custom_function(torch: ModuleType) -> list[float]:
    """ReLU as an autograd.Function whose backward masks the gradient by item assignment."""

    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, input: Any) -> Any:
            ctx.save_for_backward(input)
            return input.clamp(min=0)

        @staticmethod
        def backward(ctx: Any, grad_output: Any) -> Any:
            (input,) = ctx.saved_tensors
            grad_input = grad_output.clone()
            grad_input[input < 0] = 0
            return grad_input

    x, y = data(torch)
    w1, w2 = weights(torch, requires_grad=True)
    learning_rate, losses = 1e-3, []
    for _ in range(STEPS):
        loss = (MyReLU.apply(x.mm(w1)).mm(w2) - y).pow(2).sum()
        losses.append(loss.item())
        loss.backward()
        with torch.no_grad():
            w1 -= learning_rate * w1.grad
            w2 -= learning_rate * w2.grad
            w1.grad.zero_()
            w2.grad.zero_()
    return losses


def _start_model(torch: ModuleType, first: Any, last: Any) -> None:
    with torch.no_grad():
        first.weight.copy_(torch.tensor(W1.T.tolist()))
        last.weight.copy_(torch.tensor(W2.T.tolist()))
        first.bias.zero_()
        last.bias.zero_()


def with_nn(torch: ModuleType) -> list[float]:
    """nn.Sequential and MSELoss(reduction='sum'); the update written by hand."""
    x, y = data(torch)
    model = torch.nn.Sequential(
        torch.nn.Linear(D_IN, H), torch.nn.ReLU(), torch.nn.Linear(H, D_OUT)
    )
    _start_model(torch, model[0], model[2])
    loss_fn = torch.nn.MSELoss(reduction="sum")
    learning_rate, losses = 1e-3, []
    for _ in range(STEPS):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for param in model.parameters():
                param -= learning_rate * param.grad
    return losses


def with_optim(torch: ModuleType) -> list[float]:
    """The same model trained by optim.Adam."""
    x, y = data(torch)
    model = torch.nn.Sequential(
        torch.nn.Linear(D_IN, H), torch.nn.ReLU(), torch.nn.Linear(H, D_OUT)
    )
    _start_model(torch, model[0], model[2])
    loss_fn = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    for _ in range(STEPS):
        loss = loss_fn(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def with_module(torch: ModuleType) -> list[float]:
    """A Module subclass whose forward clamps between its two Linear layers."""

    class TwoLayerNet(torch.nn.Module):
        def __init__(self, d_in: int, hidden: int, d_out: int) -> None:
            super().__init__()
            self.linear1 = torch.nn.Linear(d_in, hidden)
            self.linear2 = torch.nn.Linear(hidden, d_out)

        def forward(self, x: Any) -> Any:
            return self.linear2(self.linear1(x).clamp(min=0))

    x, y = data(torch)
    model = TwoLayerNet(D_IN, H, D_OUT)
    _start_model(torch, model.linear1, model.linear2)
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    losses = []
    for _ in range(STEPS):
        loss = criterion(model(x), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


def dynamic_net(torch: ModuleType) -> list[float]:
    """The middle layer reused 0 to 3 times per step (a fixed schedule here, not random)."""

    class DynamicNet(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.input_linear = torch.nn.Linear(D_IN, H)
            self.middle_linear = torch.nn.Linear(H, H)
            self.output_linear = torch.nn.Linear(H, D_OUT)

        def forward(self, x: Any, repeats: int) -> Any:
            h_relu = self.input_linear(x).clamp(min=0)
            for _ in range(repeats):
                h_relu = self.middle_linear(h_relu).clamp(min=0)
            return self.output_linear(h_relu)

    x, y = data(torch)
    model = DynamicNet()
    _start_model(torch, model.input_linear, model.output_linear)
    with torch.no_grad():
        model.middle_linear.weight.copy_(torch.eye(H) * 0.5)
        model.middle_linear.bias.zero_()
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4, momentum=0.9)
    losses = []
    for step in range(STEPS):
        loss = criterion(model(x, step % 4), y)
        losses.append(loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses


PROGRAMS = [with_tensors, with_autograd, with_custom_function, with_nn, with_optim, with_module]
PROGRAMS += [dynamic_net]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.__name__)
def test_the_loss_falls(program: Any) -> None:
    losses = program(mytorch)
    assert all(math.isfinite(loss) for loss in losses)
    assert losses[-1] < 0.75 * losses[0]


@pytest.mark.parametrize("program", PROGRAMS, ids=lambda program: program.__name__)
def test_the_losses_are_pytorchs(program: Any) -> None:
    torch = pytest.importorskip("torch")
    torch.set_num_threads(1)
    np.testing.assert_allclose(program(mytorch), program(torch), rtol=2e-4)
