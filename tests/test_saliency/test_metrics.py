"""Benchmark metrics: hand-computed values on tiny maps, known properties, errors."""
import math

import numpy as np
import pytest
import torch

from attn_plugins.saliency import (KLD_EPS, auc_judd, cc, fixation_density, kld, nss, sim)

P_2x2 = np.array([[1.0, 2.0], [3.0, 4.0]])


def test_nss_by_hand():
    # mean 2.5; population variance ((1.5^2 + 0.5^2) * 2) / 4 = 1.25.
    fixations = np.array([[0, 0], [0, 1]])
    assert nss(P_2x2, fixations) == pytest.approx((4 - 2.5) / math.sqrt(1.25))
    two = np.array([[1, 0], [0, 1]])
    assert nss(P_2x2, two) == pytest.approx(((1 - 2.5) + (4 - 2.5)) / 2 / math.sqrt(1.25))


def test_nss_uses_fixated_pixels_not_their_weights():
    assert nss(P_2x2, np.array([[0, 0], [0, 7.0]])) == nss(P_2x2, np.array([[0, 0], [0, 1]]))


def test_kld_by_hand():
    prediction = np.ones((2, 2))  # P = 1/4 everywhere
    ground_truth = np.array([[3.0, 0.0], [0.0, 1.0]])  # Q = 3/4, 0, 0, 1/4
    expected = (0.75 * math.log(KLD_EPS + 0.75 / (0.25 + KLD_EPS))
                + 0.25 * math.log(KLD_EPS + 0.25 / (0.25 + KLD_EPS)))
    assert kld(prediction, ground_truth) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(0.75 * math.log(3))


def test_kld_zero_prediction_counts_as_uniform():
    ground_truth = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert kld(np.zeros((2, 2)), ground_truth) == pytest.approx(math.log(2))


def test_cc_by_hand():
    # P deviations (-1.5, -0.5, 0.5, 1.5), Q = (0, 0, 1, 1) deviations (-.5, -.5, .5, .5):
    # covariance sum 2, norms sqrt(5) and 1.
    assert cc(P_2x2, np.array([[0.0, 0.0], [1.0, 1.0]])) == pytest.approx(2 / math.sqrt(5))
    # Q = (1, 0, 0, 1): covariance sum -.75 + .25 - .25 + .75 = 0.
    assert cc(P_2x2, np.array([[1.0, 0.0], [0.0, 1.0]])) == pytest.approx(0.0, abs=1e-12)


def test_sim_by_hand():
    # P = (0, 1, 2, 3): min-max (0, 1/3, 2/3, 1), sum 2 -> (0, 1/6, 1/3, 1/2).
    # Q = (1, 1, 0, 0): min-max itself, sum 2 -> (1/2, 1/2, 0, 0). Minimum sums to 1/6.
    prediction = np.array([[0.0, 1.0], [2.0, 3.0]])
    assert sim(prediction, np.array([[1.0, 1.0], [0.0, 0.0]])) == pytest.approx(1 / 6)
    # Min-max first: adding a constant to P changes nothing.
    assert sim(prediction + 10, np.array([[1.0, 1.0], [0.0, 0.0]])) == pytest.approx(1 / 6)


def test_auc_judd_by_hand():
    prediction = np.arange(1.0, 10.0).reshape(3, 3)
    fixations = np.zeros((3, 3))
    fixations[2, 2] = 1  # value 9
    fixations[1, 1] = 1  # value 5
    # 2 fixated, 7 other pixels. Threshold 9: TPR 1/2, FPR 0. Threshold 5: five pixels
    # >= 5, TPR 1, FPR (5 - 2) / 7. Curve (0,0) (0,.5) (3/7,1) (1,1).
    expected = 0 + (3 / 7) * (0.5 + 1) / 2 + (4 / 7) * 1
    assert auc_judd(prediction, fixations) == pytest.approx(expected)
    assert expected == pytest.approx(25 / 28)


def test_auc_judd_ties_share_a_threshold():
    # The fixated pixel ties with one of three other pixels: one threshold, TPR 1, FPR 1/3.
    prediction = np.array([[1.0, 1.0], [0.0, 0.0]])
    fixations = np.array([[1, 0], [0, 0]])
    assert auc_judd(prediction, fixations) == pytest.approx((1 / 3) * 0.5 + (2 / 3) * 1)


def _auc_judd_mit_loop(saliency, fixation_map):
    """Line-by-line transcription of the MIT benchmark's AUC_Judd.m, without jitter."""
    s = saliency.ravel()
    f = fixation_map.ravel()
    sth = s[f > 0]
    n_fix, n_pix = len(sth), len(s)
    thresholds = np.sort(sth)[::-1]
    tp = np.zeros(n_fix + 2)
    fp = np.zeros(n_fix + 2)
    tp[-1] = fp[-1] = 1
    for i in range(1, n_fix + 1):
        above = np.sum(s >= thresholds[i - 1])
        tp[i] = i / n_fix
        fp[i] = (above - i) / (n_pix - n_fix)
    return np.trapezoid(tp, fp) if hasattr(np, 'trapezoid') else np.trapz(tp, fp)


@pytest.mark.parametrize('seed', range(5))
def test_auc_judd_matches_mit_code_without_ties(seed):
    rng = np.random.default_rng(seed)
    saliency = rng.random((20, 30))
    fixations = (rng.random((20, 30)) < 0.05).astype(float)
    fixations[0, 0] = 1
    assert auc_judd(saliency, fixations) == pytest.approx(_auc_judd_mit_loop(saliency, fixations))


def _random_case(seed, shape=(24, 32)):
    rng = np.random.default_rng(seed)
    prediction = rng.random(shape) ** 3
    fixations = np.zeros(shape)
    fixations[rng.integers(0, shape[0], 6), rng.integers(0, shape[1], 6)] = 1
    return prediction, fixations, fixation_density(fixations, sigma_px=2.0)


@pytest.mark.parametrize('seed', range(3))
def test_properties_of_a_map_with_itself(seed):
    prediction, fixations, density = _random_case(seed)
    assert cc(prediction, prediction) == pytest.approx(1.0)
    assert cc(3 * prediction + 1, prediction) == pytest.approx(1.0)
    assert cc(-prediction, prediction) == pytest.approx(-1.0)
    assert kld(density, density) == pytest.approx(0.0, abs=1e-9)
    assert kld(5 * density, density) == pytest.approx(0.0, abs=1e-9)
    assert kld(prediction, density) > 0.1
    assert sim(density, density) == pytest.approx(1.0)
    assert 0.0 <= sim(prediction, density) < 1.0


@pytest.mark.parametrize('seed', range(3))
def test_auc_judd_perfect_and_constant_maps(seed):
    prediction, fixations, density = _random_case(seed)
    assert auc_judd(fixations, fixations) == 1.0
    assert auc_judd(density, fixations) > 0.95
    assert auc_judd(np.full(fixations.shape, 0.3), fixations) == 0.5
    assert auc_judd(-density, fixations) < 0.5  # reversed: below chance


def test_constant_prediction_scores_as_no_information():
    _, fixations, density = _random_case(0)
    flat = np.full(fixations.shape, 0.1)  # 0.1 is inexact: its mean is off in the last bit
    assert nss(flat, fixations) == 0.0
    assert cc(flat, density) == 0.0
    uniform = np.full(fixations.shape, 1 / fixations.size)
    assert kld(flat, density) == pytest.approx(kld(uniform, density))
    assert sim(flat, density) == pytest.approx(np.minimum(uniform, density).sum())


def test_nss_is_invariant_to_affine_rescaling():
    prediction, fixations, _ = _random_case(1)
    assert nss(2 * prediction + 5, fixations) == pytest.approx(nss(prediction, fixations))
    assert nss(prediction, fixations) > 0 or nss(-prediction, fixations) > 0


def test_tensors_give_the_numpy_values():
    prediction, fixations, density = _random_case(2)
    as_tensor = torch.from_numpy
    for metric, gt in ((nss, fixations), (auc_judd, fixations), (kld, density),
                       (cc, density), (sim, density)):
        expected = metric(prediction, gt)
        value = metric(as_tensor(prediction).float().requires_grad_(), as_tensor(gt))
        assert isinstance(value, float)
        assert value == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize('metric', [nss, kld, cc, sim, auc_judd])
def test_errors_name_the_problem(metric):
    with pytest.raises(ValueError, match=r'\(2, 3\) and \(3, 2\)'):
        metric(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(ValueError, match='no fixations'):
        metric(np.ones((2, 2)), np.zeros((2, 2)))
    with pytest.raises(ValueError, match='2-D'):
        metric(np.ones((1, 2, 2)), np.ones((1, 2, 2)))
    with pytest.raises(ValueError, match='NaN or inf'):
        metric(np.array([[np.nan, 1.0]]), np.array([[1.0, 0.0]]))


def test_kld_rejects_negative_maps():
    with pytest.raises(ValueError, match='prediction has negative values'):
        kld(np.array([[-1.0, 2.0]]), np.array([[1.0, 0.0]]))


def test_auc_judd_needs_non_fixated_pixels():
    with pytest.raises(ValueError, match='every pixel is fixated'):
        auc_judd(np.array([[1.0, 2.0]]), np.array([[1, 1]]))


def test_shuffled_auc_equals_pairwise_ranking_with_ties_and_counts():
    from attn_plugins.saliency.metrics import shuffled_auc

    rng = np.random.default_rng(3)
    prediction = rng.integers(0, 6, (12, 15)).astype(float)  # many ties
    fixations = (rng.random((12, 15)) < 0.1).astype(float)
    fixations[0, 0] = 1
    others = rng.integers(0, 3, (12, 15)) * (rng.random((12, 15)) < 0.3)
    others[5, 5] = 2
    positives = prediction[fixations > 0]
    negatives = np.repeat(prediction.ravel(), others.ravel())  # a pixel counted k times
    pairs = positives[:, None] - negatives[None, :]
    expected = ((pairs > 0).sum() + 0.5 * (pairs == 0).sum()) / pairs.size
    assert shuffled_auc(prediction, fixations, others) == pytest.approx(expected, rel=1e-12)
    # negatives from the same locations as the positives: chance, exactly
    assert shuffled_auc(prediction, fixations, fixations) == pytest.approx(0.5, abs=1e-12)
    with pytest.raises(ValueError, match='other_fixation_map must hold'):
        shuffled_auc(prediction, fixations, np.zeros((12, 15)))


def test_information_gain_by_hand():
    from attn_plugins.saliency.metrics import information_gain

    rng = np.random.default_rng(4)
    prediction, baseline = rng.random((8, 9)), rng.random((8, 9)) + 0.1
    fixations = np.zeros((8, 9))
    fixations[[1, 4, 7], [2, 2, 8]] = 1
    p, b = prediction / prediction.sum(), baseline / baseline.sum()
    rows, cols = [1, 4, 7], [2, 2, 8]
    expected = np.mean([np.log2(2.2204e-16 + p[r, c]) - np.log2(2.2204e-16 + b[r, c])
                        for r, c in zip(rows, cols)])
    assert information_gain(prediction, fixations, baseline) == pytest.approx(expected)
    assert information_gain(baseline * 3, fixations, baseline) == pytest.approx(0, abs=1e-12)
    with pytest.raises(ValueError, match='non-negative'):
        information_gain(prediction - 1, fixations, baseline)
