"""From a zoom level s to a blend between two trained levels: the lower trained level's index
i and the weight w (0 at level i, 1 at level i + 1).

Linear by default, w = (s − s_i)/(s_{i+1} − s_i). A *calibration* — points (s_c, w_c) measured
on a held-out captured level (paper Fig. 6: the weight whose output is closest to the real
level s_c) — makes the map piecewise linear through (s_i, 0), the points inside the bracket and
(s_{i+1}, 1). Levels outside the trained range extrapolate linearly from the end bracket
(w < 0 or w > 1).
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def bracket(level: float, trained: Sequence[float]) -> int:
    """Index i of the trained bracket [s_i, s_{i+1}] holding ``level`` (the end bracket
    outside the range)."""
    i = bisect.bisect_right(list(trained), float(level)) - 1
    return min(max(i, 0), len(trained) - 2)


def blend_weight(level: float, trained: Sequence[float],
                 calibration: Sequence[Sequence[float]] = ()) -> tuple[int, float]:
    """(i, w) for ``level`` (module doc). ``trained``: sorted levels (≥ 2);
    ``calibration``: (level, weight) points, each inside a trained bracket."""
    i = bracket(level, trained)
    lo, hi = float(trained[i]), float(trained[i + 1])
    s = float(level)
    if not lo <= s <= hi:
        return i, (s - lo) / (hi - lo)
    points = sorted((float(c), float(w)) for c, w in calibration if lo < float(c) < hi)
    xs = [lo, *(c for c, _ in points), hi]
    ws = [0.0, *(w for _, w in points), 1.0]
    k = min(bisect.bisect_right(xs, s) - 1, len(xs) - 2)
    t = (s - xs[k]) / (xs[k + 1] - xs[k])
    return i, ws[k] + t * (ws[k + 1] - ws[k])


def outside(level: float, trained: Sequence[float]) -> bool:
    """True when ``level`` lies outside the trained range (an extrapolation)."""
    return not float(trained[0]) <= float(level) <= float(trained[-1])
