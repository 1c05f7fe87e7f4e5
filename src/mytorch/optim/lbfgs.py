"""L-BFGS: quasi-Newton steps from a short memory of past steps and gradient changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from mytorch.core.grad_mode import no_grad
from mytorch.core.tensor import Tensor
from mytorch.optim.line_search import strong_wolfe
from mytorch.optim.optimizer import Optimizer, ParamsT, check_number
from mytorch.optim.state_dict import Entry

__all__ = ["LBFGS"]


class LBFGS(Optimizer):
    r"""Limited-memory BFGS (Nocedal, 1980; Liu and Nocedal, 1989), as ``torch.optim.LBFGS``.

    Each ``step(closure)`` runs up to ``max_iter`` iterations, calling the closure
    to re-evaluate the loss and gradients; all the parameters are treated as one
    flat vector, so there is a single parameter group. Made for full-batch
    problems; with mini-batches the curvature memory mixes different losses.

    Parameters
    ----------
    params : iterable of Tensor
        The tensors to optimise (one group: per-group options are refused).
    lr : float, default 1
        The step length :math:`\gamma` along each direction.
    max_iter : int, default 20
        The most iterations per ``step``.
    max_eval : int, optional
        The most closure calls per ``step`` (default ``max_iter * 5 // 4``).
    tolerance_grad : float, default 1e-7
        Stop when the largest gradient entry is at most this.
    tolerance_change : float, default 1e-9
        Stop when the loss, or the step, changes by less than this.
    history_size : int, default 100
        The number :math:`m` of past (step, gradient change) pairs remembered.
    line_search_fn : {None, "strong_wolfe"}, default None
        None moves by a fixed step of ``lr`` along each direction;
        ``"strong_wolfe"`` searches along it for a step that lowers the loss
        enough and flattens its slope (see ``mytorch.optim.line_search``).

    Raises
    ------
    ValueError
        If a number is out of range, ``line_search_fn`` is unknown, or there is
        more than one parameter group.

    Notes
    -----
    With the flat gradient :math:`g_k`, the last :math:`m` pairs
    :math:`s_i = x_{i+1} - x_i`, :math:`y_i = g_{i+1} - g_i` (kept only when
    :math:`y_i^\top s_i > 10^{-10}`, which keeps the estimate positive definite)
    and :math:`\rho_i = 1 / y_i^\top s_i`, the direction
    :math:`d_k = -H_k g_k` comes from the two-loop recursion:

    .. math::

        q &= -g_k; \quad \alpha_i = \rho_i s_i^\top q,\;
            q \leftarrow q - \alpha_i y_i \quad (i = k-1, \dots, k-m) \\
        r &= \frac{y_{k-1}^\top s_{k-1}}{y_{k-1}^\top y_{k-1}}\, q; \quad
            \beta_i = \rho_i y_i^\top r,\;
            r \leftarrow r + (\alpha_i - \beta_i) s_i \quad (i = k-m, \dots, k-1) \\
        d_k &= r, \qquad x_{k+1} = x_k + t_k d_k

    with :math:`t_k = \gamma`, except the very first step, which is
    :math:`\min(1, 1 / \lVert g_0 \rVert_1)\, \gamma` (steepest descent, scaled);
    with the line search, that is only the first guess of :math:`t_k`.
    The state (kept under the first parameter, as PyTorch does) holds the
    direction ``d``, the step ``t``, the pairs ``old_stps``/``old_dirs``, ``ro``,
    ``H_diag``, the last gradient and loss, and the counters ``n_iter`` and
    ``func_evals``.

    Examples
    --------
    >>> import mytorch
    >>> w = mytorch.tensor([3.0, -1.0], dtype=mytorch.float64, requires_grad=True)
    >>> opt = mytorch.optim.LBFGS([w], lr=1.0)
    >>> def closure():
    ...     opt.zero_grad()
    ...     loss = ((w - 1.0) ** 2 * mytorch.tensor([1.0, 10.0])).sum()
    ...     loss.backward()
    ...     return loss
    >>> loss = opt.step(closure)
    >>> [round(v, 6) for v in w.tolist()]  # a quadratic: solved within one step's iterations
    [1.0, 1.0]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        defaults = {
            "lr": lr,
            "max_iter": max_iter,
            "max_eval": max_iter * 5 // 4 if max_eval is None else max_eval,
            "tolerance_grad": tolerance_grad,
            "tolerance_change": tolerance_change,
            "history_size": history_size,
            "line_search_fn": line_search_fn,
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Refused after the first group: L-BFGS treats all its parameters as one vector.

        Raises
        ------
        ValueError
            If the optimiser already has its group.

        Examples
        --------
        >>> import mytorch
        >>> opt = mytorch.optim.LBFGS([mytorch.zeros(2, requires_grad=True)])
        >>> len(opt.param_groups)
        1
        """
        if self.param_groups:
            raise ValueError("LBFGS: per-group options are not supported; pass one group")
        super().add_param_group(param_group)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_number("LBFGS", "learning rate", group["lr"], 0.0)
        for key in ("max_iter", "max_eval", "history_size"):
            value = group[key]
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise ValueError(f"LBFGS: {key} must be a positive int, got {value!r}")
        check_number("LBFGS", "tolerance_grad", group["tolerance_grad"], 0.0)
        check_number("LBFGS", "tolerance_change", group["tolerance_change"], 0.0)
        if group["line_search_fn"] not in (None, "strong_wolfe"):
            raise ValueError(
                f"LBFGS: line_search_fn must be None or 'strong_wolfe', "
                f"got {group['line_search_fn']!r}"
            )

    def _state_entries(self, group: dict[str, Any]) -> dict[str, Entry]:
        entries = {key: Entry("count") for key in ("func_evals", "n_iter")}
        entries.update((key, Entry("vector", required=False)) for key in ("d", "prev_flat_grad"))
        entries.update((key, Entry("vectors", required=False)) for key in ("old_dirs", "old_stps"))
        entries.update((key, Entry("number", required=False)) for key in ("t", "H_diag"))
        entries.update(ro=Entry("numbers", required=False), prev_loss=Entry("number", False))
        return entries

    def _flat_grad(self) -> np.ndarray:
        """All the gradients as one vector (zeros where a parameter has none)."""
        self._params_to_update()  # checks every gradient's shape and dtype first
        return np.concatenate(
            [
                np.zeros(p.data.size, p.dtype) if p.grad is None else p.grad.data.ravel()
                for p in self.param_groups[0]["params"]
            ]
        )

    def _add_to_params(self, step: float, direction: np.ndarray) -> None:
        """Move the parameters by ``step * direction`` (a flat vector)."""
        offset = 0
        for param in self.param_groups[0]["params"]:
            size = param.data.size
            param.data += step * direction[offset : offset + size].reshape(param.shape)
            param._bump_version()
            offset += size

    def _line_search(
        self,
        closure: Callable[[], Any],
        t: float,
        direction: np.ndarray,
        loss: float,
        flat_grad: np.ndarray,
        slope: float,
        max_evals: int,
    ) -> tuple[float, np.ndarray, float, int]:
        """Run ``strong_wolfe`` from the current parameters, which it leaves in place."""
        params = self.param_groups[0]["params"]
        start = [param.data.copy() for param in params]

        def evaluate(step: float) -> tuple[float, np.ndarray]:
            self._add_to_params(step, direction)
            value, grad = float(self._evaluate(closure)), self._flat_grad()
            for param, array in zip(params, start):  # back to the start
                param.data[...] = array
                param._bump_version()
            return value, grad

        return strong_wolfe(evaluate, t, direction, loss, flat_grad, slope, max_evals)

    @no_grad()
    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; return the closure's first loss.

        Parameters
        ----------
        closure : callable
            Zeroes the gradients, computes the loss, calls backward and returns
            the loss. Required: each iteration needs a new loss and gradient.

        Returns
        -------
        The loss at the start of the step.

        Raises
        ------
        TypeError
            Without a closure.

        Examples
        --------
        >>> import mytorch
        >>> w = mytorch.tensor([2.0], requires_grad=True)
        >>> opt = mytorch.optim.LBFGS([w], max_iter=1)
        >>> def closure():
        ...     opt.zero_grad()
        ...     loss = (w * w).sum()
        ...     loss.backward()
        ...     return loss
        >>> opt.step(closure).item(), opt.state[w]["n_iter"]
        (4.0, 1)
        """
        if closure is None:
            raise TypeError("LBFGS.step: needs a closure that recomputes the loss and gradients")
        group = self.param_groups[0]
        lr, max_iter, max_eval = group["lr"], group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        first_loss = self._evaluate(closure)
        loss = float(first_loss)
        flat_grad = self._flat_grad()  # checks every gradient before anything changes
        # One state for all the parameters, kept under the first (as in PyTorch).
        state = self.state.setdefault(group["params"][0], {})
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        evals = 1
        state["func_evals"] += 1
        if np.abs(flat_grad).max() <= tolerance_grad:
            return first_loss  # already optimal

        d = _array(state.get("d"))
        t = state.get("t")
        old_dirs = [_array(v) for v in state.get("old_dirs", [])]
        old_stps = [_array(v) for v in state.get("old_stps", [])]
        ro = list(state.get("ro", []))
        h_diag = state.get("H_diag", 1.0)
        prev_flat_grad = _array(state.get("prev_flat_grad"))
        prev_loss = state.get("prev_loss")

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state["n_iter"] += 1
            if state["n_iter"] == 1:
                d, old_dirs, old_stps, ro, h_diag = -flat_grad, [], [], [], 1.0
            else:
                y, s = flat_grad - prev_flat_grad, d * t
                ys = float(y @ s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == group["history_size"]:
                        del old_dirs[0], old_stps[0], ro[0]
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    h_diag = ys / float(y @ y)
                d = _two_loop(flat_grad, old_dirs, old_stps, ro, h_diag)
            prev_flat_grad, prev_loss = flat_grad.copy(), loss

            # The first step ever is steepest descent, scaled to a length of at most lr.
            t = lr if state["n_iter"] > 1 else min(1.0, 1.0 / float(np.abs(flat_grad).sum())) * lr
            slope = float(flat_grad @ d)
            if slope > -tolerance_change:
                break  # not a descent direction any more
            if group["line_search_fn"] == "strong_wolfe":
                loss, flat_grad, t, searched = self._line_search(
                    closure, t, d, loss, flat_grad, slope, max_eval - evals
                )
                self._add_to_params(t, d)
                evals += searched
                state["func_evals"] += searched
            else:
                self._add_to_params(t, d)
                if iteration != max_iter:
                    # Re-evaluate only if another iteration may follow.
                    loss = float(self._evaluate(closure))
                    flat_grad = self._flat_grad()
                    evals += 1
                    state["func_evals"] += 1
            if iteration == max_iter or evals >= max_eval:
                break
            if np.abs(flat_grad).max() <= tolerance_grad:
                break
            if np.abs(d * t).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break  # no progress

        state.update(
            d=Tensor._wrap(d),
            t=float(t),
            old_dirs=[Tensor._wrap(v) for v in old_dirs],
            old_stps=[Tensor._wrap(v) for v in old_stps],
            ro=ro,
            H_diag=float(h_diag),
            prev_flat_grad=Tensor._wrap(prev_flat_grad),
            prev_loss=prev_loss,
        )
        return first_loss


def _two_loop(
    flat_grad: np.ndarray, old_dirs: list, old_stps: list, ro: list, h_diag: float
) -> np.ndarray:
    """The L-BFGS direction ``-H g`` from the remembered pairs (Nocedal's two loops)."""
    alphas = [0.0] * len(old_dirs)
    q = -flat_grad
    for i in range(len(old_dirs) - 1, -1, -1):
        alphas[i] = float(old_stps[i] @ q) * ro[i]
        q -= alphas[i] * old_dirs[i]
    r = q * h_diag
    for i in range(len(old_dirs)):
        beta = float(old_dirs[i] @ r) * ro[i]
        r += (alphas[i] - beta) * old_stps[i]
    return r


def _array(value: Any) -> Any:
    """The array of a saved Tensor (None stays None)."""
    return value.data if isinstance(value, Tensor) else value
