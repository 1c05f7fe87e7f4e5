"""When a program may be replayed, when a new one is captured, and when a step runs eagerly."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import mytorch
from mytorch import nn, optim


def setup(seed: int = 0) -> tuple[nn.Module, optim.Optimizer]:
    mytorch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 5), nn.BatchNorm1d(5), nn.ReLU(), nn.Linear(5, 2))
    return model, optim.SGD(model.parameters(), lr=0.1, momentum=0.5)


def batch(rows: int = 6, seed: int = 0) -> tuple[mytorch.Tensor, mytorch.Tensor]:
    rng = np.random.default_rng(seed)
    x = mytorch.tensor(rng.normal(size=(rows, 3)).astype(np.float32))
    return x, mytorch.tensor(rng.integers(0, 2, rows))


def make_step(model: nn.Module, opt: optim.Optimizer, extra: Callable[..., Any] | None = None):
    def train_step(x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        if extra is not None:
            extra(loss, model)
        loss.backward()
        opt.step()
        return loss

    return train_step


def run_both(extra: Callable[..., Any] | None, calls: int = 3) -> tuple[list, list, Any]:
    """Train eagerly and compiled from one start; return both loss lists and the compiled step."""
    results = []
    for compiled in (False, True):
        model, opt = setup()
        step = make_step(model, opt, extra)
        step = mytorch.compile(step) if compiled else step
        results.append([step(*batch(seed=i)).item() for i in range(calls)])
    return results[0], results[1], step


# ------------------------------------------------------------------ refusals
REFUSED: dict[str, tuple[Callable[..., Any], str]] = {
    ".item()": (lambda loss, model: loss.item(), ".item()"),
    "Python branch on a value": (lambda loss, model: bool(loss > 0), "bool(tensor)"),
    "printing": (lambda loss, model: repr(loss), "printing a tensor"),
    "random draw in the step": (lambda loss, model: mytorch.randn(2), "random numbers"),
    "reading a .grad before backward": (lambda loss, model: model[0].bias.grad, None),
    "numpy conversion": (lambda loss, model: np.asarray(loss.detach()), "numpy array"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_step_that_cannot_be_captured_runs_eagerly_and_says_why(case: str) -> None:
    extra, reason = REFUSED[case]
    eager, compiled, step = run_both(extra)
    assert compiled == eager
    if reason is None:
        return  # reading a .grad that is None before backward is harmless: captured
    assert not step.programs()
    assert reason in step.explain()


def test_in_place_change_in_the_step_is_refused() -> None:
    def extra(loss: mytorch.Tensor, model: nn.Module) -> None:
        with mytorch.no_grad():
            model[0].bias.add_(0.0)

    eager, compiled, step = run_both(extra)
    assert compiled == eager
    assert "in-place add_" in step.explain()


def test_a_hook_makes_the_step_run_eagerly() -> None:
    def extra(loss: mytorch.Tensor, model: nn.Module) -> None:
        loss.register_hook(lambda grad: grad * 2)

    eager, compiled, step = run_both(extra)
    assert compiled == eager
    assert "hook" in step.explain()


def test_a_forward_hook_makes_the_step_run_eagerly() -> None:
    model, opt = setup()
    model[2].register_forward_hook(lambda module, args, out: None)
    step = mytorch.compile(make_step(model, opt))
    step(*batch())
    assert "forward hooks of ReLU" in step.explain()


def test_explain_true_warns_and_fullgraph_raises() -> None:
    model, opt = setup()
    step = mytorch.compile(make_step(model, opt, lambda loss, m: loss.item()), explain=True)
    with pytest.warns(UserWarning, match=r"runs eagerly: \.item\(\)"):
        step(*batch())
    strict = mytorch.compile(make_step(model, opt, lambda loss, m: loss.item()), fullgraph=True)
    with pytest.raises(RuntimeError, match="fullgraph=True"):
        strict(*batch())


def test_reading_a_gradient_in_the_step_after_backward_is_refused() -> None:
    model, opt = setup()

    def train_step(x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        norm = model[0].weight.grad.norm()  # an op on a .grad a replay replaces
        opt.step()
        return norm

    step = mytorch.compile(train_step)
    step(*batch())
    assert "reads a .grad" in step.explain()


def test_clip_grad_norm_in_the_step_is_replayed() -> None:
    def extra_after_backward(model: nn.Module, opt: optim.Optimizer):
        def train_step(x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 0.1)
            opt.step()
            return loss

        return train_step

    runs = []
    for compiled in (False, True):
        model, opt = setup()
        step = extra_after_backward(model, opt)
        step = mytorch.compile(step) if compiled else step
        runs.append([step(*batch(seed=i)).data for i in range(4)])
    np.testing.assert_array_equal(runs[0], runs[1])
    assert step.programs(), step.explain()


def test_an_array_copied_inside_the_step_is_refused() -> None:
    model, opt = setup()

    def train_step(x: np.ndarray, y: np.ndarray) -> mytorch.Tensor:
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(mytorch.tensor(x)), mytorch.from_numpy(y))
        loss.backward()
        opt.step()
        return loss

    step = mytorch.compile(train_step)
    x, y = batch()
    step(x.numpy(), y.numpy())
    assert "argument 0 (a numpy array)" in step.explain()


def test_arrays_wrapped_as_they_are_are_fed_each_call() -> None:
    runs = []
    for compiled in (False, True):
        model, opt = setup()

        def train_step(x: np.ndarray, y: np.ndarray) -> mytorch.Tensor:
            opt.zero_grad()  # noqa: B023 (each run defines its own step)
            loss = nn.functional.cross_entropy(model(mytorch.Tensor(x)), mytorch.Tensor(y))  # noqa: B023
            loss.backward()
            opt.step()  # noqa: B023
            return loss

        step = mytorch.compile(train_step) if compiled else train_step
        runs.append([step(*(t.numpy() for t in batch(seed=i))).item() for i in range(4)])
    assert runs[0] == runs[1]
    assert step.programs()


# -------------------------------------------------------------------- guards
def test_eval_mode_captures_a_program_of_its_own() -> None:
    model, _ = setup()
    compiled = mytorch.compile(model)
    x, _ = batch()
    outputs = []
    for mode in ("train", "eval", "train", "eval"):
        getattr(model, mode)()
        with mytorch.no_grad():
            outputs.append((mode, compiled(x).data))
    assert len(compiled.programs()) == 2
    model.train()
    with mytorch.no_grad():
        np.testing.assert_array_equal(model(x).data, compiled(x).data)  # BN stats moved on
    model.eval()
    with mytorch.no_grad():
        np.testing.assert_array_equal(model(x).data, compiled(x).data)


def test_a_leaf_that_stops_requiring_grad_gets_a_new_program() -> None:
    scale = mytorch.tensor([2.0], requires_grad=True)
    weight = mytorch.tensor([1.0, -1.0], requires_grad=True)

    @mytorch.compile
    def step(x: mytorch.Tensor) -> mytorch.Tensor:
        loss = (weight * scale * x).sum()
        loss.backward()
        return loss

    for _ in range(2):  # captured twice: the two captures must agree
        step(mytorch.ones(2))
    scale.requires_grad_(False)
    scale.grad = None
    for _ in range(3):
        step(mytorch.ones(2))
    assert len(step.programs()) == 2
    assert scale.grad is None
    np.testing.assert_array_equal(weight.grad.data, [2.0 * 5] * 2)


def test_max_programs_bounds_the_cache() -> None:
    double = mytorch.compile(lambda x: x * 2, max_programs=2)
    for rows in (1, 1, 2, 2, 3, 3):
        np.testing.assert_array_equal(double(mytorch.ones(rows)).data, [2.0] * rows)
    assert len(double.programs()) == 2
    assert "max_programs" in double.explain()


def test_outputs_are_new_tensors_each_call() -> None:
    double = mytorch.compile(lambda x: x * 2)
    first = double(mytorch.ones(2))
    second = double(mytorch.full((2,), 3.0))
    assert first.tolist() == [2.0, 2.0] and second.tolist() == [6.0, 6.0]
    assert first is not second and not first.requires_grad


def test_a_model_output_that_requires_grad_is_left_to_eager() -> None:
    model, _ = setup()
    compiled = mytorch.compile(model)
    x, _ = batch()
    out = compiled(x)  # grad mode on: the caller will backpropagate through it
    assert out.requires_grad
    out.sum().backward()
    assert model[0].weight.grad is not None
    assert "requires grad" in compiled.explain()


def test_decorator_forms_and_disable() -> None:
    def triple(x: mytorch.Tensor) -> mytorch.Tensor:
        return x * 3

    assert mytorch.compile(triple, disable=True) is triple
    decorated = mytorch.compile(explain=True)(triple)
    assert decorated(mytorch.ones(1)).tolist() == [3.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decorated(mytorch.ones(1)).tolist() == [3.0]  # replayed: no warning
    with pytest.raises(TypeError, match="compile: expected a function or a Module"):
        mytorch.compile(3)


def test_compile_accepts_pytorchs_keywords() -> None:
    torch = pytest.importorskip("torch")
    documented = {"model", "fullgraph", "dynamic", "backend", "mode", "options", "disable"}
    assert documented <= set(inspect.signature(torch.compile).parameters)
    assert documented <= set(inspect.signature(mytorch.compile).parameters)


def test_freezing_a_parameter_captures_again_and_trains_as_eager() -> None:
    runs = []
    for compiled in (False, True):
        model, opt = setup()
        step = make_step(model, opt)
        step = mytorch.compile(step) if compiled else step
        losses = [step(*batch(seed=i)).item() for i in range(3)]
        model[0].requires_grad_(False)  # fine-tune the rest
        losses += [step(*batch(seed=i)).item() for i in range(3, 6)]
        runs.append((losses, [p.data.copy() for p in model.parameters()]))
    assert runs[0][0] == runs[1][0]
    for eager, replayed in zip(runs[0][1], runs[1][1]):
        np.testing.assert_array_equal(eager, replayed)
    assert len(step.programs()) == 2


def test_a_scheduler_stepped_inside_the_step_is_replayed() -> None:
    runs = []
    for compiled in (False, True):
        model, opt = setup()
        schedule = optim.lr_scheduler.OneCycleLR(opt, max_lr=0.5, total_steps=20)

        def train_step(x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
            opt.zero_grad()  # noqa: B023 (each run defines its own step)
            loss = nn.functional.cross_entropy(model(x), y)  # noqa: B023
            loss.backward()
            opt.step()  # noqa: B023
            schedule.step()  # noqa: B023
            return loss

        step = mytorch.compile(train_step) if compiled else train_step
        runs.append([step(*batch(seed=i)).item() for i in range(8)] + [schedule.get_last_lr()])
    assert runs[0] == runs[1]
    assert step.programs()


def test_a_hand_written_update_through_data_is_refused() -> None:
    weight = mytorch.tensor([1.0, -1.0], requires_grad=True)

    @mytorch.compile
    def step(x: mytorch.Tensor) -> mytorch.Tensor:
        loss = (weight * x).sum()
        loss.backward()
        weight.data -= 0.1 * weight.grad.data  # the tutorials' SGD: a replay would skip it
        return loss

    for _ in range(3):
        step(mytorch.ones(2))
    # Three real updates, by the accumulated gradients 1, 2 and 3.
    np.testing.assert_allclose(weight.data, [0.4, -1.6], rtol=1e-6)
    assert "an assignment to .data" in step.explain()


@pytest.mark.parametrize(("label", "message"), [(-1, "labels must be >= 0"), (7, "below")])
def test_a_replayed_step_still_refuses_bad_labels(label: int, message: str) -> None:
    model, opt = setup()
    step = mytorch.compile(make_step(model, opt))
    x, y = batch()
    step(x, y)  # captured twice with good labels
    step(x, y)
    before = [p.data.copy() for p in model.parameters()]
    y.data[0] = label
    with pytest.raises(ValueError, match=message):
        step(x, y)  # replayed: the op itself checks
    for old, new in zip(before, model.parameters()):
        np.testing.assert_array_equal(old, new.data)  # nothing changed


def test_a_value_computed_from_data_outside_any_op_is_caught_by_the_second_capture() -> None:
    weight = mytorch.tensor([1.0, 1.0], requires_grad=True)

    @mytorch.compile
    def step(x: mytorch.Tensor) -> mytorch.Tensor:
        mask = mytorch.Tensor((x.data > 0).astype(np.float32))  # numpy on .data: unseen
        loss = (weight * x * mask).sum()
        loss.backward()
        return loss

    results = [step(mytorch.tensor(v)).item() for v in ([1.0, -1.0], [-1.0, 1.0], [2.0, 2.0])]
    assert results == [1.0, 1.0, 4.0]  # as eager: no stale mask
    assert not step.programs()
    assert "a value computed from data outside any op" in step.explain()


def test_another_threads_ops_are_not_captured() -> None:
    import threading

    started, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        started.set()
        release.wait(5)
        for _ in range(50):
            mytorch.ones(3) * 2  # runs while the main thread captures

    def step(x: mytorch.Tensor) -> mytorch.Tensor:
        release.set()
        return x * 3

    worker = threading.Thread(target=other_thread)
    worker.start()
    started.wait(5)
    compiled = mytorch.compile(step)
    compiled(mytorch.ones(2))
    compiled(mytorch.ones(2))
    worker.join()
    assert [s.describe() for s in compiled.programs()[0].steps] == [
        "forward  Mul((2,) float32, () float32) -> (2,) float32"
    ]


def test_a_compiled_method_binds_to_its_object_and_a_compiled_model_copies() -> None:
    import copy

    class Trainer:
        def __init__(self) -> None:
            self.model, self.opt = setup()

        @mytorch.compile
        def step(self, x: mytorch.Tensor, y: mytorch.Tensor) -> mytorch.Tensor:
            self.opt.zero_grad()
            loss = nn.functional.cross_entropy(self.model(x), y)
            loss.backward()
            self.opt.step()
            return loss

    trainer = Trainer()
    model, opt = setup()
    eager = make_step(model, opt)
    for i in range(4):
        assert trainer.step(*batch(seed=i)).item() == eager(*batch(seed=i)).item()
    assert Trainer.step.programs()

    compiled = mytorch.compile(nn.Linear(2, 2))
    duplicate = copy.deepcopy(compiled)
    assert duplicate.out_features == 2 and duplicate._orig_mod is not compiled._orig_mod


def test_the_replay_runs_its_source_one_block_per_step_and_copies_no_gradient() -> None:
    from mytorch.compiler.program import Accumulate

    model, opt = setup()
    step = mytorch.compile(make_step(model, opt))
    x, y = batch()
    for _ in range(3):
        step(x, y)
    (program,) = step.programs()
    lines = program.source.splitlines()
    assert lines[0] == "def replay(values):"
    comments = [line.strip()[2:] for line in lines if line.strip().startswith("#")]
    assert comments == [s.describe() for s in program.steps]
    # Every op on the way back to a parameter makes its gradients afresh (Linear's
    # products, BatchNorm's channel sums), so each leaf keeps its array: no copy.
    leaves = [s for s in program.steps if isinstance(s, Accumulate)]
    assert len(leaves) == 6
    assert all(s.owned for s in leaves)
    before = [p.grad for p in model.parameters()]
    step(x, y)
    assert all(p.grad is not old for p, old in zip(model.parameters(), before))
