"""The framework's own random generator, seeded by ``mytorch.manual_seed``.

Every random draw in MyTorch (``randn``, ``rand``, initialisation, dropout masks,
shuffling) comes from this one generator, so one seed reproduces a whole run.
"""

from __future__ import annotations

import numpy as np

__all__ = ["default_generator", "manual_seed", "seed"]

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the framework's random generator, making later draws reproducible.

    MyTorch draws from a generator of its own, as PyTorch does, so
    ``numpy.random.seed`` does not reach it (the assignment MyTorch grew out of
    seeds numpy's global generator instead): call this function.

    Parameters
    ----------
    seed : int
        A non-negative integer.

    Returns
    -------
    numpy.random.Generator
        The freshly seeded generator.

    Examples
    --------
    >>> import mytorch
    >>> _ = mytorch.manual_seed(0)
    >>> a = mytorch.randn(3)
    >>> _ = mytorch.manual_seed(0)
    >>> bool((mytorch.randn(3) == a).all())
    True
    """
    global _generator
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"manual_seed: seed must be a non-negative integer, got {seed!r}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def seed() -> int:
    """Seed the generator from the operating system's entropy and return the seed used.

    Examples
    --------
    >>> import mytorch
    >>> isinstance(mytorch.seed(), int)
    True
    """
    new_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> np.uint64(1))
    manual_seed(new_seed)
    return new_seed


def default_generator() -> np.random.Generator:
    """Return the framework's generator (the one ``manual_seed`` seeds).

    Examples
    --------
    >>> import mytorch
    >>> _ = mytorch.manual_seed(1)
    >>> float(mytorch.default_generator().random()) < 1.0
    True
    """
    return _generator
