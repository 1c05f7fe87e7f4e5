"""Grad mode: ``no_grad``, ``enable_grad``, ``set_grad_enabled``, per thread."""

from __future__ import annotations

import threading

import pytest

import mytorch


def test_no_grad_as_a_context_manager_records_nothing() -> None:
    x = mytorch.tensor([1.0, 2.0], requires_grad=True)
    with mytorch.no_grad():
        assert not mytorch.is_grad_enabled()
        y = x * 2
    assert mytorch.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_no_grad_as_a_decorator() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)

    @mytorch.no_grad()
    def evaluate(t):
        """Doubles t."""
        return t * 2, mytorch.is_grad_enabled()

    y, enabled = evaluate(x)
    assert not enabled and not y.requires_grad
    assert mytorch.is_grad_enabled()
    assert evaluate.__name__ == "evaluate" and evaluate.__doc__ == "Doubles t."


def test_a_decorated_function_restores_the_mode_after_an_exception() -> None:
    @mytorch.no_grad()
    def fail():
        raise KeyError("boom")

    @mytorch.enable_grad()
    def fail_enabled():
        fail()

    with pytest.raises(KeyError):
        fail()
    assert mytorch.is_grad_enabled()
    with mytorch.no_grad():
        with pytest.raises(KeyError):
            fail_enabled()
        assert not mytorch.is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = mytorch.tensor(1.0, requires_grad=True)
    with mytorch.no_grad():
        with mytorch.enable_grad():
            y = x * 2
        z = x * 2

        @mytorch.enable_grad()
        def recorded(t):
            return t * 3

        w = recorded(x)
    assert y.requires_grad and not z.requires_grad and w.requires_grad


def test_set_grad_enabled_as_a_function_and_a_context_manager() -> None:
    with mytorch.set_grad_enabled(False):
        assert not mytorch.is_grad_enabled()
    assert mytorch.is_grad_enabled()
    mytorch.set_grad_enabled(False)  # a plain call switches at once, as in PyTorch
    try:
        assert not mytorch.is_grad_enabled()
    finally:
        mytorch.set_grad_enabled(True)
    assert mytorch.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception() -> None:
    with pytest.raises(KeyError), mytorch.no_grad():
        raise KeyError("boom")
    assert mytorch.is_grad_enabled()


def test_nested_no_grad_restores_the_outer_mode() -> None:
    with mytorch.no_grad():
        with mytorch.no_grad():
            pass
        assert not mytorch.is_grad_enabled()
    assert mytorch.is_grad_enabled()


def test_grad_mode_is_per_thread() -> None:
    seen = {}
    ready, release = threading.Event(), threading.Event()

    def other_thread() -> None:
        seen["at start"] = mytorch.is_grad_enabled()
        with mytorch.no_grad():
            ready.set()
            release.wait(timeout=10)
            seen["inside its no_grad"] = mytorch.is_grad_enabled()

    with mytorch.no_grad():
        thread = threading.Thread(target=other_thread)
        thread.start()
        ready.wait(timeout=10)
        # The other thread is inside its own no_grad; ours is unaffected by it.
        with mytorch.enable_grad():
            enabled_here = mytorch.is_grad_enabled()
        release.set()
        thread.join(timeout=10)
    assert seen == {"at start": True, "inside its no_grad": False}
    assert enabled_here and mytorch.is_grad_enabled()
