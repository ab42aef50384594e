"""Method-vs-baseline statistics against hand computations: Welch's t, degrees of freedom,
two-sided p-value and the 95% interval of the difference of means."""
import math

import numpy as np
import pytest
from scipy import special

from attn_plugins.probes import claim_verdict, compare, holm_adjust, mean_std


def test_mean_std_is_the_sample_standard_deviation():
    mean, std = mean_std([61.0, 63.0, 62.0, 66.0])
    assert mean == 63.0
    assert std == pytest.approx(math.sqrt(((-2) ** 2 + 0 + 1 + 9) / 3))
    assert math.isnan(mean_std([5.0])[1])


def test_welch_test_and_interval_against_the_formulas():
    method = [68.2, 67.9, 68.6, 68.1, 68.4]
    baseline = [67.5, 67.9, 67.2, 67.8]
    a, b = np.array(method), np.array(baseline)
    # By hand: Welch's standard error, t and Welch-Satterthwaite degrees of freedom.
    va, vb = a.var(ddof=1) / 5, b.var(ddof=1) / 4
    se = math.sqrt(va + vb)
    t = (a.mean() - b.mean()) / se
    df = (va + vb) ** 2 / (va ** 2 / 4 + vb ** 2 / 3)
    # Two-sided p of Student's t: the regularised incomplete beta I_{df/(df+t^2)}(df/2, 1/2).
    p = special.betainc(df / 2, 0.5, df / (df + t * t))
    result = compare(method, baseline)
    assert result['diff'] == pytest.approx(a.mean() - b.mean())
    assert result['t'] == pytest.approx(t)
    assert result['df'] == pytest.approx(df)
    assert result['p'] == pytest.approx(p, rel=1e-9)
    # The interval's half width divided by se is the t quantile at 97.5%: the t CDF there
    # (again through the incomplete beta) is 0.975.
    half = (result['ci_high'] - result['ci_low']) / 2
    assert result['ci_low'] + half == pytest.approx(result['diff'])
    q = half / se
    assert 1 - 0.5 * special.betainc(df / 2, 0.5, df / (df + q * q)) == pytest.approx(0.975)
    # Known shape of the answer: the method is better, and significantly so.
    assert result['ci_low'] > 0 and result['p'] < 0.05


def test_no_interval_without_spread_or_seeds():
    one_seed = compare([70.0], [60.0, 61.0])
    assert one_seed['diff'] == pytest.approx(9.5)
    assert all(math.isnan(one_seed[k]) for k in ('ci_low', 'ci_high', 't', 'df', 'p'))
    assert math.isnan(compare([1.0, 1.0], [1.0, 1.0])['p'])


@pytest.mark.parametrize('low, high, direction, verdict', [
    (0.1, 2.0, 'higher', 'reproduced'), (-2.0, -0.1, 'lower', 'reproduced'),
    (-2.0, -0.1, 'higher', 'contrary'), (0.1, 2.0, 'lower', 'contrary'),
    (-0.1, 2.0, 'higher', 'not at this scale'), (-0.1, 2.0, 'lower', 'not at this scale'),
    (math.nan, math.nan, 'higher', 'one seed: not tested')])
def test_claim_verdict_reads_the_interval(low, high, direction, verdict):
    assert claim_verdict(dict(diff=(low + high) / 2, ci_low=low, ci_high=high),
                         direction) == verdict


def test_claim_verdict_on_measured_seeds():
    """A clear gain over three seeds bears out 'higher'; a gain inside the noise does not."""
    assert claim_verdict(compare([54.7, 53.9, 55.2], [42.0, 41.6, 42.5]), 'higher') == \
        'reproduced'
    assert claim_verdict(compare([43.0, 41.0, 44.5], [42.0, 43.1, 41.5]), 'higher') == \
        'not at this scale'
    with pytest.raises(ValueError, match="direction must be 'higher' or 'lower'"):
        claim_verdict(compare([1.0, 2.0], [1.0, 2.0]), 'better')


def test_holm_adjust_known_values():
    # sorted: 0.005 * 4, 0.01 * 3, 0.03 * 2, then 0.04 * 1 raised to the running max 0.06
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm_adjust([0.5, 0.6]) == [1.0, 1.0]  # capped at 1
    assert holm_adjust([0.02]) == [0.02]  # a family of one is not corrected
    adjusted = holm_adjust([0.01, math.nan, 0.02])  # a test not run is left out
    assert math.isnan(adjusted[1]) and adjusted[0] == pytest.approx(0.02)
    assert adjusted[2] == pytest.approx(0.02)


def test_holm_adjust_rejects_what_the_step_down_procedure_rejects():
    """Holm's procedure at level alpha: walk the p-values up from the smallest, reject the
    i-th (0-based) while it is <= alpha / (m - i), stop at the first that is not. The
    adjusted p-values must be <= alpha exactly for the rejected tests, at every alpha."""
    rng = np.random.default_rng(0)
    for _ in range(200):
        p = rng.uniform(0, 0.2, size=rng.integers(1, 7)) ** 2
        adjusted = holm_adjust(p.tolist())
        for alpha in (0.01, 0.05, 0.1):
            rejected = set()
            for i, index in enumerate(np.argsort(p)):
                if p[index] > alpha / (len(p) - i):
                    break
                rejected.add(int(index))
            assert {i for i, a in enumerate(adjusted) if a <= alpha} == rejected
