"""Statistics of a method-vs-baseline comparison over seeds.

Each arm of an experiment is trained with several seeds; a metric then has one value per
seed. :func:`mean_std` summarises an arm, :func:`compare` the difference of two arms: the
difference of the means, its 95% confidence interval with Welch's standard error and
Welch-Satterthwaite degrees of freedom, and the two-sided Welch t-test p-value (scipy).
Neither assumes equal variances or equal seed counts. :func:`holm_adjust` corrects the
p-values of an experiment's several claims for being judged together.
"""
import math
from typing import Dict, List, Sequence, Tuple

import numpy as np


def mean_std(values: Sequence[float]) -> Tuple[float, float]:
    """Mean and sample standard deviation (``ddof=1``; NaN for fewer than two values).

    Args:
        values (Sequence[float]): One value per seed (or draw).

    Returns:
        tuple[float, float]: (mean, std).

    Example:
        >>> mean_std([1.0, 2.0, 3.0])
        (2.0, 1.0)
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError('mean_std of no values')
    std = float(values.std(ddof=1)) if values.size > 1 else math.nan
    return float(values.mean()), std


def compare(method: Sequence[float], baseline: Sequence[float],
            confidence: float = 0.95) -> Dict[str, float]:
    """Difference of means of ``method`` and ``baseline`` with a Welch interval and test.

    ``diff = mean(method) - mean(baseline)``; ``se = sqrt(s_m^2 / n_m + s_b^2 / n_b)``;
    ``df = se^4 / ((s_m^2 / n_m)^2 / (n_m - 1) + (s_b^2 / n_b)^2 / (n_b - 1))``; the interval
    is ``diff +- t_{(1 + confidence) / 2, df} * se`` and ``p`` the two-sided p-value of
    ``scipy.stats.ttest_ind(method, baseline, equal_var=False)``.

    Args:
        method (Sequence[float]): The method's values (one per seed).
        baseline (Sequence[float]): The baseline's.
        confidence (float): Level of the interval.

    Returns:
        dict: ``diff``, ``ci_low``, ``ci_high``, ``t``, ``df``, ``p``. With fewer than two
        values on a side, or no spread on either, everything but ``diff`` is NaN: one seed
        per arm says nothing about noise.
    """
    from scipy import stats

    a = np.asarray(method, dtype=np.float64)
    b = np.asarray(baseline, dtype=np.float64)
    if a.size == 0 or b.size == 0:
        raise ValueError('compare needs at least one value per arm')
    result = dict(diff=float(a.mean() - b.mean()), ci_low=math.nan, ci_high=math.nan,
                  t=math.nan, df=math.nan, p=math.nan)
    if a.size < 2 or b.size < 2:
        return result
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    se = math.sqrt(va + vb)
    if se == 0:
        return result
    df = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = float(stats.t.ppf((1 + confidence) / 2, df)) * se
    test = stats.ttest_ind(a, b, equal_var=False)
    result.update(ci_low=result['diff'] - half, ci_high=result['diff'] + half,
                  t=float(test.statistic), df=float(df), p=float(test.pvalue))
    return result


#: The verdicts of :func:`claim_verdict`.
VERDICTS = ('reproduced', 'not at this scale', 'contrary', 'one seed: not tested')


def claim_verdict(comparison: Dict[str, float], direction: str) -> str:
    """Whether a comparison bears out a claim that an arm scores higher (or lower).

    ``'reproduced'`` when the whole 95% interval of the difference lies on the claimed side
    of zero, ``'contrary'`` when it lies wholly on the other side, ``'not at this scale'`` when
    it contains zero, and ``'one seed: not tested'`` when there is no interval (fewer than two
    seeds on a side, or no spread).

    Args:
        comparison (dict): From :func:`compare` (``diff``, ``ci_low``, ``ci_high``).
        direction (str): ``'higher'`` or ``'lower'``: what the claim says of the arm.

    Returns:
        str: One of :data:`VERDICTS`.

    Example:
        >>> claim_verdict(compare([3.0, 3.5, 4.0], [1.0, 1.5, 2.0]), 'higher')
        'reproduced'
        >>> claim_verdict(compare([3.0, 3.5, 4.0], [1.0, 1.5, 2.0]), 'lower')
        'contrary'
        >>> claim_verdict(compare([1.0, 3.0], [1.5, 2.5]), 'higher')
        'not at this scale'
    """
    if direction not in ('higher', 'lower'):
        raise ValueError(f"direction must be 'higher' or 'lower', got {direction!r}")
    low, high = comparison['ci_low'], comparison['ci_high']
    if math.isnan(low) or math.isnan(high):
        return VERDICTS[3]
    if direction == 'lower':
        low, high = -high, -low
    if low > 0:
        return VERDICTS[0]
    if high < 0:
        return VERDICTS[2]
    return VERDICTS[1]


def holm_adjust(pvalues: Sequence[float]) -> List[float]:
    """Holm's step-down adjusted p-values: one family of tests judged together.

    Each test whose adjusted p is below ``alpha`` is rejected by Holm's procedure at level
    ``alpha``, which bounds the chance of any false rejection in the family by ``alpha``
    (the per-test p-values bound it only per test). With the p-values sorted ascending,
    ``p_adj(i) = max_{j <= i} min(1, (m - j) * p(j))`` for ``j = 0 .. m - 1``.

    Args:
        pvalues (Sequence[float]): One p-value per test. NaN (a test that did not run) is
            left out of the family and stays NaN.

    Returns:
        list[float]: The adjusted p-values, in the order given.

    Example:
        >>> holm_adjust([0.01, 0.04, 0.03, 0.005])
        [0.03, 0.06, 0.06, 0.02]
    """
    adjusted = [math.nan] * len(pvalues)
    family = sorted((p, i) for i, p in enumerate(pvalues) if not math.isnan(p))
    running = 0.0
    for rank, (p, index) in enumerate(family):
        running = max(running, min(1.0, (len(family) - rank) * p))
        adjusted[index] = running
    return adjusted
