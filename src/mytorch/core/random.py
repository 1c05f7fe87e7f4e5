"""The framework's own random generator, seeded by ``mytorch.manual_seed``.

Every random draw in MyTorch (``randn``, ``rand``, initialisation, dropout masks,
shuffling) comes from this one generator, so one seed reproduces a whole run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Generator", "default_generator", "generator_of", "manual_seed", "seed"]

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
    new_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0]) >> 1
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


class Generator:
    """A random generator of its own, for the ``generator=`` argument of random functions.

    Draws from it leave the framework's generator (``manual_seed``) alone, as
    with PyTorch's ``torch.Generator``.

    Parameters
    ----------
    device : str, default "cpu"
        Accepted for PyTorch's signature; MyTorch has only the CPU.

    Examples
    --------
    >>> import mytorch
    >>> g = mytorch.Generator().manual_seed(42)
    >>> a = mytorch.rand(3, generator=g)
    >>> g.manual_seed(42)
    <mytorch.Generator>
    >>> bool((mytorch.rand(3, generator=g) == a).all())
    True
    """

    def __init__(self, device: Any = "cpu") -> None:
        from mytorch.core.device import check_device

        check_device(device)
        self._initial_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0]) >> 1
        self.rng = np.random.default_rng(self._initial_seed)

    def manual_seed(self, seed: int) -> Generator:
        """Seed this generator and return it.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.Generator().manual_seed(0).initial_seed()
        0
        """
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(
                f"Generator.manual_seed: seed must be a non-negative integer, got {seed!r}"
            )
        self._initial_seed = int(seed)
        self.rng = np.random.default_rng(self._initial_seed)
        return self

    def seed(self) -> int:
        """Seed this generator from the operating system's entropy and return the seed.

        Examples
        --------
        >>> import mytorch
        >>> isinstance(mytorch.Generator().seed(), int)
        True
        """
        new_seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0]) >> 1
        self.manual_seed(new_seed)
        return new_seed

    def initial_seed(self) -> int:
        """Return the seed this generator was last seeded with.

        Examples
        --------
        >>> import mytorch
        >>> mytorch.Generator().manual_seed(7).initial_seed()
        7
        """
        return self._initial_seed

    def __repr__(self) -> str:
        return "<mytorch.Generator>"


def generator_of(generator: Any, op: str) -> np.random.Generator:
    """The numpy generator to draw from: ``generator``'s, or the framework's if None."""
    if generator is None:
        return _generator
    if isinstance(generator, Generator):
        return generator.rng
    if isinstance(generator, np.random.Generator):
        return generator
    raise TypeError(
        f"{op}: generator must be a mytorch.Generator (or None), got {type(generator).__name__}"
    )
