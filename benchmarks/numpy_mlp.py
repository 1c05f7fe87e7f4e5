"""The floor: the SPEC.md MNIST network trained by hand-written numpy, no autograd at all.

``Linear(784, H) -> BatchNorm1d(H) -> ReLU -> Linear(H, 10)``, cross-entropy, plain SGD.
Everything a framework adds on top of this (graph recording, Tensor wrappers, dispatch) is
overhead, so this is written to be as cheap as numpy allows: float32 throughout, each matrix
product one BLAS call on transposed views (no copies), and the SGD update in place.
"""

from __future__ import annotations

import functools

import numpy as np


class NumpyMLP:
    """The MNIST MLP as numpy arrays, with its forward, backward and SGD step written out.

    Parameters
    ----------
    weights : dict of str to numpy.ndarray
        Initial parameters (see ``benchmarks.mlp.initial_weights``); copied.
    lr : float
        The SGD learning rate.
    eps, momentum : float
        BatchNorm1d's epsilon and running-statistics momentum (PyTorch's defaults).

    tuned : bool, default False
        Use the faster numpy that MyTorch's ops use (``_column_sums``,
        ``_log_softmax``, a ReLU mask product, ``np.dot`` for the matrix
        products), so that the ratio to this floor is MyTorch's overhead alone.
        The plain floor is the yardstick of earlier figures.
    """

    def __init__(
        self,
        weights: dict[str, np.ndarray],
        lr: float = 0.1,
        eps: float = 1e-5,
        momentum: float = 0.1,
        tuned: bool = False,
    ) -> None:
        self.params = {name: np.array(value) for name, value in weights.items()}
        hidden = self.params["bn.weight"].shape[0]
        self.running_mean = np.zeros(hidden, dtype=np.float32)
        self.running_var = np.ones(hidden, dtype=np.float32)
        self.lr, self.eps, self.momentum = lr, eps, momentum
        self.tuned = tuned

    def train_step(self, x: np.ndarray, y: np.ndarray) -> float:
        """One SGD step on the batch ``x`` (N, 784) with labels ``y`` (N,); return the loss."""
        p = self.params
        n = x.shape[0]
        rows = np.arange(n)

        # Matrix products, sums and means over the batch, and the log-softmax: plain
        # numpy, or tuned (np.dot: the BLAS call of @ without the ufunc's dispatch; a
        # sum over the batch as one BLAS product with ones: numpy's add.reduce adds
        # the rows one after another).
        if self.tuned:
            ones = np.ones(n, dtype=x.dtype)
            mm, log_softmax = np.dot, _log_softmax
            sums, means = functools.partial(np.dot, ones), lambda a: np.dot(ones, a) / n
        else:
            mm, log_softmax = np.matmul, _plain_log_softmax
            sums, means = _plain_column_sums, _plain_column_means

        # Forward. BatchNorm in training mode: batch statistics, biased variance.
        z1 = mm(x, p["fc1.weight"].T)
        z1 += p["fc1.bias"]
        mean = means(z1)
        centred = z1 - mean
        var = np.einsum("ij,ij->j", centred, centred) / n
        inv_std = 1.0 / np.sqrt(var + self.eps)
        x_hat = centred * inv_std
        h = x_hat * p["bn.weight"]
        h += p["bn.bias"]
        a = np.maximum(h, 0)
        logits = mm(a, p["fc2.weight"].T)
        logits += p["fc2.bias"]

        # Log-softmax with the max subtracted (stable), then the mean negative log-likelihood.
        log_probs = log_softmax(logits)
        loss = -log_probs[rows, y].mean()

        # Backward. d loss / d logits = (softmax - onehot) / N.
        d_logits = np.exp(log_probs)
        d_logits[rows, y] -= 1.0
        d_logits /= n
        grads = {"fc2.weight": mm(d_logits.T, a), "fc2.bias": sums(d_logits)}
        d_h = mm(d_logits, p["fc2.weight"])
        if self.tuned:
            d_h *= h > 0
        else:
            d_h[h <= 0] = 0.0
        grads["bn.weight"] = np.einsum("ij,ij->j", d_h, x_hat)
        grads["bn.bias"] = sums(d_h)
        # Through the normalisation:
        # dz = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat)).
        d_x_hat = d_h * p["bn.weight"]
        d_z1 = d_x_hat - means(d_x_hat)
        d_z1 -= x_hat * (np.einsum("ij,ij->j", d_x_hat, x_hat) / n)
        d_z1 *= inv_std
        grads["fc1.weight"] = mm(d_z1.T, x)
        grads["fc1.bias"] = sums(d_z1)

        # Running statistics use the unbiased variance, as SPEC.md and PyTorch do.
        keep = 1.0 - self.momentum
        self.running_mean *= keep
        self.running_mean += self.momentum * mean
        self.running_var *= keep
        self.running_var += (self.momentum * n / (n - 1)) * var

        for name, grad in grads.items():
            grad *= self.lr
            p[name] -= grad
        return float(loss)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Class predictions for ``x`` in evaluation mode (BatchNorm with running statistics)."""
        p = self.params
        z1 = x @ p["fc1.weight"].T + p["fc1.bias"]
        x_hat = (z1 - self.running_mean) / np.sqrt(self.running_var + self.eps)
        a = np.maximum(x_hat * p["bn.weight"] + p["bn.bias"], 0)
        return (a @ p["fc2.weight"].T + p["fc2.bias"]).argmax(axis=1)


def _plain_column_sums(array: np.ndarray) -> np.ndarray:
    return array.sum(axis=0)


def _plain_column_means(array: np.ndarray) -> np.ndarray:
    return array.mean(axis=0)


def _plain_log_softmax(logits: np.ndarray) -> np.ndarray:
    logits -= logits.max(axis=1, keepdims=True)  # in place: the caller's fresh array
    return logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))


def _log_softmax(logits: np.ndarray) -> np.ndarray:
    """The same on the transposed logits, where each reduction runs along N values."""
    return np.ascontiguousarray(_plain_log_softmax_columns(np.ascontiguousarray(logits.T)).T)


def _plain_log_softmax_columns(logits: np.ndarray) -> np.ndarray:
    logits = logits - logits.max(axis=0)
    return logits - np.log(np.exp(logits).sum(axis=0))
