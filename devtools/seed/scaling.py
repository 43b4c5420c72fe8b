"""``seed_bench --scale N``: every bench volume times N (issue 16's ten-times network).

The command multiplies the modules' integer options (members, organisations, exchanges,
registrations, evidence records, metric updates, guides…) that were not given explicitly;
the counts a module keeps as constants go through ``scaled(options, n)``. What belongs to one
object (registrations per exchange, comments on the one bench strategy, the largest exchange)
stays as it is: ten times the network is ten times as many of each thing, not bigger things.
"""


def scale_of(options) -> int:
    """The ``--scale`` factor of a seed_bench run (1 when called without it)."""
    return max(1, int(options.get("scale") or 1))


def scaled(options, n: int) -> int:
    """``n`` rows at seed_bench's default size, times the run's ``--scale``."""
    return n * scale_of(options)
