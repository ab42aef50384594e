"""CE, mCE and relative mCE against a hand computation."""
import math

import pytest

from attn_plugins.robustness import corruption_errors

MODEL = {'fog': {1: 10.0, 2: 20.0}, 'snow': {1: 30.0, 2: 50.0}}
BASELINE = {'fog': {1: 20.0, 2: 40.0}, 'snow': {1: 40.0, 2: 40.0}, 'frost': {1: 1.0}}


def test_against_a_hand_computation():
    result = corruption_errors(MODEL, BASELINE)
    # fog: (10 + 20) / (20 + 40) = 0.5; snow: (30 + 50) / (40 + 40) = 1.0
    assert result['ce'] == pytest.approx({'fog': 0.5, 'snow': 1.0})
    assert result['mce'] == pytest.approx(0.75)
    assert 'relative_mce' not in result

    result = corruption_errors(MODEL, BASELINE, clean_error=5.0, baseline_clean_error=10.0)
    # fog: (30 - 2 * 5) / (60 - 2 * 10) = 0.5; snow: (80 - 10) / (80 - 20) = 7 / 6
    assert result['relative_ce'] == pytest.approx({'fog': 0.5, 'snow': 7 / 6})
    assert result['relative_mce'] == pytest.approx((0.5 + 7 / 6) / 2)


def test_undefined_cases():
    flat = corruption_errors({'fog': {1: 12.0}}, {'fog': {1: 10.0}}, 8.0, 10.0)
    assert flat['ce']['fog'] == pytest.approx(1.2) and math.isnan(flat['relative_ce']['fog'])
    with pytest.raises(ValueError, match='no error for snow at severities \\[3\\]'):
        corruption_errors({'snow': {3: 1.0}}, BASELINE)
    with pytest.raises(ValueError, match='makes no error on fog'):
        corruption_errors({'fog': {1: 1.0}}, {'fog': {1: 0.0}})
    with pytest.raises(ValueError, match='no corruption errors'):
        corruption_errors({}, BASELINE)
