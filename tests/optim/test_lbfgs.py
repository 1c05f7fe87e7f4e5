"""LBFGS: PyTorch parity over many closure steps (with a mid-run restart), its state, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import mytorch
from mytorch.optim import LBFGS
from mytorch.optim.line_search import strong_wolfe

CONFIGS = {
    "defaults_few_iterations": {"max_iter": 3},
    "lr_half": {"lr": 0.5, "max_iter": 4},
    "short_history": {"lr": 0.8, "max_iter": 5, "history_size": 2},
    "max_eval": {"max_iter": 10, "max_eval": 6},
    "loose_tolerances": {"max_iter": 8, "tolerance_change": 1e-4, "tolerance_grad": 1e-3},
    "strong_wolfe": {"line_search_fn": "strong_wolfe", "max_iter": 5},
    # With 20 iterations a step this problem converges and then turns chaotic: torch
    # itself moves 4e-9 at step 3 from weights changed by 1e-15. Four stay comparable.
    "strong_wolfe_history": {
        "line_search_fn": "strong_wolfe",
        "lr": 0.5,
        "history_size": 3,
        "max_iter": 4,
    },
    "strong_wolfe_few_evals": {"line_search_fn": "strong_wolfe", "max_iter": 6, "max_eval": 8},
}


def _run_ours(mlp, config, steps, resume_at):
    params = mlp.params()
    optimizer = LBFGS(params, **config)
    trajectory, losses = [], []

    def closure():
        optimizer.zero_grad()
        loss = mlp.loss(params)
        loss.backward()
        return loss

    for step in range(steps):
        if step == resume_at:  # a restart: fresh weights and optimiser, loaded state
            saved = optimizer.state_dict()
            params[:] = mlp.params([p.data.copy() for p in params])
            optimizer = LBFGS(params, **config)
            optimizer.load_state_dict(saved)
        losses.append(float(optimizer.step(closure)))
        trajectory.append([p.data.copy() for p in params])
    return trajectory, losses, optimizer


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_trajectory_matches_torch_across_a_restart(config, mlp, torch):
    steps = 8
    ours, our_losses, _ = _run_ours(mlp, config, steps, resume_at=3)
    params = mlp.torch_params(torch)
    theirs = torch.optim.LBFGS(params, **config)

    def closure():
        theirs.zero_grad()
        loss = mlp.torch_loss(torch, params)
        loss.backward()
        return loss.detach()  # torch warns when LBFGS turns a loss that requires grad to float

    for step in range(steps):
        loss = float(theirs.step(closure))
        assert our_losses[step] == pytest.approx(loss, rel=1e-11), f"loss at step {step + 1}"
        for index, (mine, reference) in enumerate(zip(ours[step], params)):
            np.testing.assert_allclose(
                mine,
                reference.detach().numpy(),
                # Up to 10 closure calls a step, and quasi-Newton directions amplify
                # round-off (dot products summed in another order): 2e-11 after 8 steps.
                rtol=1e-10,
                atol=1e-12,
                err_msg=f"parameter {index} after step {step + 1}",
            )
    assert our_losses[-1] < our_losses[0] / 2


def test_state_counts_iterations_and_evaluations(mlp):
    _, _, optimizer = _run_ours(mlp, {"max_iter": 4}, steps=2, resume_at=-1)
    state = next(iter(optimizer.state.values()))
    assert state["n_iter"] == 8
    assert state["func_evals"] == 8  # 1 + 3 per step: the last iteration does not re-evaluate
    assert len(state["old_dirs"]) == len(state["old_stps"]) == len(state["ro"]) > 0
    assert list(optimizer.state_dict()["state"]) == [0]  # kept under the first parameter


def test_solves_a_quadratic_exactly():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((6, 6))
    hessian, target = a @ a.T + 6 * np.eye(6), rng.standard_normal(6)
    x = mytorch.zeros(6, dtype=mytorch.float64, requires_grad=True)
    opt = LBFGS([x], max_iter=50, tolerance_grad=1e-12, tolerance_change=1e-15)

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (mytorch.tensor(hessian) @ x)) - (mytorch.tensor(target) * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.data, np.linalg.solve(hessian, target), rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda ps: LBFGS(ps, lr=-1.0), ValueError, r"LBFGS: invalid learning rate -1\.0"),
        (lambda ps: LBFGS(ps, max_iter=0), ValueError, r"LBFGS: max_iter must be a positive int"),
        (lambda ps: LBFGS(ps, history_size=2.5), ValueError, r"history_size must be a positive"),
        (
            lambda ps: LBFGS(ps, line_search_fn="wolfe"),
            ValueError,
            r"LBFGS: line_search_fn must be None or 'strong_wolfe', got 'wolfe'",
        ),
        (
            lambda ps: LBFGS([{"params": ps[:1]}, {"params": ps[1:]}]),
            ValueError,
            r"LBFGS: per-group options are not supported",
        ),
        (lambda ps: LBFGS(ps).step(), TypeError, r"LBFGS.step: needs a closure"),
    ],
)
def test_bad_input_is_refused(make, error, match):
    params = [mytorch.zeros(2, requires_grad=True), mytorch.zeros(1, requires_grad=True)]
    with pytest.raises(error, match=match):
        make(params)


@pytest.mark.parametrize("first_guess", [1e-3, 0.5, 1.0, 7.0, 100.0])
@pytest.mark.parametrize("power", [2, 4])
def test_the_line_search_step_meets_the_strong_wolfe_conditions(first_guess, power):
    # f(x) = sum((x - c) ** power) along d = -grad from x = 0: a smooth descent line.
    c = np.array([1.5, -0.5, 2.0])
    x = np.zeros(3)

    def f_and_grad(point):
        return float(((point - c) ** power).sum()), power * (point - c) ** (power - 1)

    loss, grad = f_and_grad(x)
    direction = -grad
    slope = float(grad @ direction)
    new_loss, new_grad, t, evals = strong_wolfe(
        lambda step: f_and_grad(x + step * direction),
        first_guess,
        direction,
        loss,
        grad,
        slope,
        25,
    )
    # What it returns is the loss and gradient at the step it returns.
    assert new_loss == f_and_grad(x + t * direction)[0]
    np.testing.assert_array_equal(new_grad, f_and_grad(x + t * direction)[1])
    assert new_loss <= loss + 1e-4 * t * slope  # enough decrease
    assert abs(float(new_grad @ direction)) <= 0.9 * abs(slope)  # the slope has flattened
    assert 1 <= evals <= 25


def test_strong_wolfe_solves_a_quadratic_in_few_evaluations():
    x = mytorch.tensor([4.0, -3.0], dtype=mytorch.float64, requires_grad=True)
    opt = LBFGS([x], line_search_fn="strong_wolfe", tolerance_grad=1e-10)
    scale = mytorch.tensor([1.0, 100.0], dtype=mytorch.float64)

    def closure():
        opt.zero_grad()
        loss = (scale * (x - 1.0) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.data, [1.0, 1.0], atol=1e-8)
    assert opt.state[x]["func_evals"] < 20
