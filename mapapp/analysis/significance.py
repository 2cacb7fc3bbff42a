"""Is a change between two counts more than normal variation? The two-sample Poisson test.

Counts of crimes in a zone are small: 16 → 25 robberies is +56 % and still well within what
chance alone gives. Every change the app shows is therefore tested.

**The test** (the exact conditional test of two Poisson rates, Przyborowski & Wileński 1940):
with ``n1`` events in exposure ``t1`` (e.g. days) and ``n2`` in ``t2``, and equal rates under
the null hypothesis, ``n1`` given ``n = n1 + n2`` is Binomial(n, q) with
``q = t1 / (t1 + t2)``. The two-sided p-value is the sum of the probabilities of every
outcome no more likely than the one observed (the "minimum likelihood" rule, as
:func:`scipy.stats.binomtest` computes it, with the same relative tolerance 1e-7 for ties).
For equal exposures this is ``min(1, 2 · P(X ≤ min(n1, n2)))`` with q = ½.

A change is *significant* when ``p < 1 − confidence`` (confidence 0.95 by default,
``MAPAPP_CONFIDENCE_LEVEL``). Nothing here makes text: a comparison returns numbers and a trend
code — ``"increase"``, ``"decrease"`` (significant only), ``"stable"`` (not significant: "unchanged
within normal variation") or ``None`` (nothing to compare with) — and the edges word it.

>>> round(poisson_p_value(16, 25), 3), round(poisson_p_value(100, 160), 5)
(0.211, 0.00024)
>>> trend(16, 25), trend(100, 160), trend(None, 7)
('stable', 'increase', None)
>>> poisson_p_value(0, 0)
1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

DEFAULT_CONFIDENCE = 0.95
TRENDS: tuple[str, ...] = ("increase", "decrease", "stable")
_RERR = 1.0 + 1e-7


def _binom_logpmf(n: int, q: float) -> NDArray[np.float64]:
    # imported here: scipy.special takes most of a second to import, and `mapapp stats`
    # needs it only when a change is tested
    from scipy.special import gammaln

    k = np.arange(n + 1, dtype=np.float64)
    if q <= 0.0 or q >= 1.0:
        out = np.full(n + 1, -np.inf)
        out[0 if q <= 0.0 else n] = 0.0
        return out
    out = (gammaln(n + 1.0) - gammaln(k + 1.0) - gammaln(n - k + 1.0)
           + k * np.log(q) + (n - k) * np.log1p(-q))
    return np.asarray(out, dtype=np.float64)


def poisson_p_value(n1: int, n2: int, t1: float = 1.0, t2: float = 1.0) -> float:
    """Two-sided p-value of "the rates n1/t1 and n2/t2 are equal" (exact conditional test).

    ``n1`` is the earlier count, ``n2`` the later; exposures ``t1``, ``t2`` > 0 (equal by
    default: two periods of the same length)."""
    n1, n2 = int(n1), int(n2)
    if n1 < 0 or n2 < 0:
        raise ValueError("counts must not be negative")
    if not (t1 > 0 and t2 > 0):
        raise ValueError("exposures must be positive")
    n = n1 + n2
    if n == 0:
        return 1.0
    q = float(t1) / (float(t1) + float(t2))
    if q == 0.5:
        m = min(n1, n2)
        if 2 * m == n:
            return 1.0
        logp = _binom_logpmf(n, 0.5)[: m + 1]
        return float(min(1.0, 2.0 * np.exp(logp).sum()))
    logp = _binom_logpmf(n, q)
    keep = logp <= logp[n1] + np.log(_RERR)
    return float(min(1.0, np.exp(logp[keep]).sum()))


def p_values(before: ArrayLike, after: ArrayLike, t_before: ArrayLike = 1.0,
             t_after: ArrayLike = 1.0) -> NDArray[np.float64]:
    """:func:`poisson_p_value` of each pair (NaN where ``before`` is NaN/negative = nothing to
    compare with). Pairs are computed once per distinct (before, after, exposures)."""
    b = np.asarray(before, dtype=np.float64)
    a = np.asarray(after, dtype=np.float64)
    tb = np.broadcast_to(np.asarray(t_before, dtype=np.float64), b.shape)
    ta = np.broadcast_to(np.asarray(t_after, dtype=np.float64), a.shape)
    out = np.full(b.shape, np.nan)
    ok = np.isfinite(b) & np.isfinite(a) & (b >= 0) & (a >= 0)
    if not ok.any():
        return out
    keys = np.column_stack([b[ok], a[ok], tb[ok], ta[ok]])
    uniq, inv = np.unique(keys, axis=0, return_inverse=True)
    vals = np.array([poisson_p_value(int(u[0]), int(u[1]), float(u[2]), float(u[3]))
                     for u in uniq])
    out[ok] = vals[np.asarray(inv).reshape(-1)]
    return out


def significant(p: Any, confidence: float = DEFAULT_CONFIDENCE) -> Any:
    """``p < 1 − confidence`` (elementwise for arrays; None for a missing p)."""
    alpha = 1.0 - float(confidence)
    if np.ndim(p) == 0:
        if p is None or not np.isfinite(float(p)):
            return None
        return bool(float(p) < alpha)
    return np.asarray(p, dtype=np.float64) < alpha


def trend_code(change: float | int | None, is_significant: bool | None) -> str | None:
    """"increase"/"decrease" for a significant change, "stable" for one within normal variation,
    None when there is nothing to compare."""
    if change is None or is_significant is None:
        return None
    try:
        if np.isnan(float(change)):
            return None
    except (TypeError, ValueError):
        return None
    if not is_significant or float(change) == 0:
        return "stable"
    return "increase" if float(change) > 0 else "decrease"


def trend(before: int | None, after: int | None, t_before: float = 1.0, t_after: float = 1.0,
          *, confidence: float = DEFAULT_CONFIDENCE) -> str | None:
    """The trend code of one change from ``before`` to ``after``."""
    if before is None or after is None:
        return None
    p = poisson_p_value(before, after, t_before, t_after)
    return trend_code(after - before, significant(p, confidence))


@dataclass(frozen=True)
class Change:
    """One tested change: ``after − before`` with its p-value and verdict."""

    before: int
    after: int
    change: int
    change_pct: float | None
    p_value: float
    significant: bool
    trend: str

    def as_dict(self) -> dict[str, Any]:
        return {"before": self.before, "after": self.after, "change": self.change,
                "change_pct": self.change_pct, "p_value": self.p_value,
                "significant": self.significant, "trend": self.trend}


def compare(before: int, after: int, t_before: float = 1.0, t_after: float = 1.0, *,
            confidence: float = DEFAULT_CONFIDENCE) -> Change:
    """Test the change ``before`` → ``after`` (exposures for unequal windows).

    >>> c = compare(16, 25)
    >>> c.change, round(c.change_pct, 1), c.significant, c.trend
    (9, 56.2, False, 'stable')
    """
    p = poisson_p_value(before, after, t_before, t_after)
    sig = bool(significant(p, confidence))
    d = int(after) - int(before)
    return Change(int(before), int(after), d,
                  None if before == 0 else 100.0 * d / int(before), p, sig,
                  str(trend_code(d, sig)))
