"""Saliency benchmark metrics as the MIT/Tuebingen saliency benchmark defines them.

Every metric takes a predicted map ``P`` and a ground truth ``Q`` of the same shape (H, W),
as numpy arrays or tensors, and returns a float. Resize predictions to the ground truth
first (:func:`~attn_plugins.saliency.maps.resize_map`), as the benchmark does.

- :func:`nss` and :func:`auc_judd` score against a *fixation map* (pixels > 0 are fixated).
- :func:`kld`, :func:`cc` and :func:`sim` score against a *fixation density* (or any
  non-negative ground-truth map).
- :func:`shuffled_auc` also takes other images' fixations (its negatives) and
  :func:`information_gain` a baseline map (usually the centre bias).

Degenerate inputs are defined rather than left to produce NaN:

- a ground truth without any positive pixel raises ``ValueError`` (there is nothing to
  score against; the MIT code returns NaN or a meaningless number there);
- a constant prediction carries no information: NSS 0, CC 0, AUC-Judd 0.5, and KLD and SIM
  treat it as the uniform distribution.

The population standard deviation (numpy's ``std``, as in the Tuebingen ``pysaliency`` code)
is used; the MIT MATLAB code's ``std`` divides by N - 1, which scales NSS by
``sqrt((N - 1) / N)`` (1 - 1e-6 on an 800x600 map).
"""
import numpy as np

from ._utils import as_float_map
from .maps import minmax_scale, to_distribution

#: The benchmark's regulariser in KLD: MATLAB's ``eps`` (float64 machine epsilon).
KLD_EPS = 2.2204e-16


def _check_pair(prediction, ground_truth):
    """Both maps as float64 arrays of the same 2-D shape."""
    pred = as_float_map(prediction, 'prediction')
    gt = as_float_map(ground_truth, 'ground truth')
    if pred.shape != gt.shape:
        raise ValueError(f'prediction and ground truth must have the same shape, got '
                         f'{pred.shape} and {gt.shape}; resize the prediction to the ground '
                         'truth first (attn_plugins.saliency.resize_map)')
    return pred, gt


def _fixated(ground_truth: np.ndarray, metric: str) -> np.ndarray:
    """Boolean map of the fixated pixels, or ValueError when there are none."""
    fixated = ground_truth > 0
    if not fixated.any():
        raise ValueError(f'{metric}: the fixation map has no fixations (no pixel > 0), so '
                         'the score is undefined; skip this image')
    return fixated


def _check_nonempty(ground_truth: np.ndarray, metric: str) -> None:
    if not (ground_truth != 0).any():
        raise ValueError(f'{metric}: the ground truth is all zero (no fixations), so the score '
                         'is undefined; skip this image')


def _standardise(saliency: np.ndarray) -> np.ndarray:
    """(x - mean) / std; a constant map becomes all zeros."""
    # Test max == min rather than std == 0: the mean of a constant map can differ from its
    # value in the last bit, which leaves a tiny nonzero std and turns rounding into signal.
    std = saliency.std()
    if saliency.max() == saliency.min() or std == 0:
        return np.zeros_like(saliency)
    return (saliency - saliency.mean()) / std


def nss(prediction, fixation_map) -> float:
    """Normalized Scanpath Saliency: mean standardised prediction at the fixated pixels.

    ``NSS = mean over fixated pixels i of (P_i - mean(P)) / std(P)``.

    Args:
        prediction (np.ndarray | torch.Tensor): saliency map of shape (H, W).
        fixation_map (np.ndarray | torch.Tensor): fixation map of shape (H, W); pixels > 0
            are fixated (their values are not used as weights).

    Returns:
        float: NSS; 0 for chance, higher is better; 0 for a constant prediction.
    """
    pred, gt = _check_pair(prediction, fixation_map)
    fixated = _fixated(gt, 'nss')
    return float(_standardise(pred)[fixated].mean())


def kld(prediction, ground_truth, eps: float = KLD_EPS) -> float:
    """Kullback-Leibler divergence of the prediction from the ground truth.

    ``KLD = sum_i Q_i * log(eps + Q_i / (P_i + eps))`` with P and Q each normalised to sum 1
    (that is KL(Q || P), the ground truth first), ``eps = 2.2204e-16`` as in the benchmark.
    An all-zero prediction counts as the uniform distribution.

    Args:
        prediction (np.ndarray | torch.Tensor): non-negative saliency map of shape (H, W).
        ground_truth (np.ndarray | torch.Tensor): non-negative fixation density (or fixation
            map) of shape (H, W).
        eps (float): regulariser of the quotient and the logarithm.

    Returns:
        float: KLD; 0 for a perfect prediction, lower is better.
    """
    pred, gt = _check_pair(prediction, ground_truth)
    for name, saliency in (('prediction', pred), ('ground truth', gt)):
        if (saliency < 0).any():
            raise ValueError(f'kld: the {name} has negative values; KLD compares non-negative '
                             'maps (apply a softmax or sigmoid, or subtract the minimum, first)')
    _check_nonempty(gt, 'kld')
    p = to_distribution(pred)
    q = to_distribution(gt)
    return float(np.sum(q * np.log(eps + q / (p + eps))))


def cc(prediction, ground_truth) -> float:
    """Pearson's linear correlation coefficient between prediction and ground truth.

    Args:
        prediction (np.ndarray | torch.Tensor): saliency map of shape (H, W).
        ground_truth (np.ndarray | torch.Tensor): fixation density of shape (H, W).

    Returns:
        float: CC in [-1, 1], higher is better; 0 when either map is constant (the
        correlation is undefined there and no linear relation can be measured).
    """
    pred, gt = _check_pair(prediction, ground_truth)
    _check_nonempty(gt, 'cc')
    return float(np.mean(_standardise(pred) * _standardise(gt)))


def sim(prediction, ground_truth) -> float:
    """Similarity (histogram intersection): ``sum_i min(P_i, Q_i)``.

    Each map is min-max scaled to [0, 1] and then normalised to sum 1, as in the benchmark;
    a constant map counts as the uniform distribution.

    Args:
        prediction (np.ndarray | torch.Tensor): saliency map of shape (H, W).
        ground_truth (np.ndarray | torch.Tensor): fixation density of shape (H, W).

    Returns:
        float: SIM in [0, 1]; 1 for identical distributions, higher is better.
    """
    pred, gt = _check_pair(prediction, ground_truth)
    _check_nonempty(gt, 'sim')
    pred, gt = to_distribution(minmax_scale(pred)), to_distribution(minmax_scale(gt))
    return float(np.minimum(pred, gt).sum())


def auc_judd(prediction, fixation_map) -> float:
    """AUC-Judd: area under the ROC curve of the prediction as a classifier of fixated pixels.

    The thresholds are the prediction's values at the fixated pixels. At a threshold t the
    true-positive rate is the share of fixated pixels with ``P >= t`` and the false-positive
    rate the share of non-fixated pixels with ``P >= t``; the points (0, 0) and (1, 1) close
    the curve and the area is the trapezoid sum. Ties share one threshold, so the result is
    deterministic: a constant map scores exactly 0.5. (The MIT code instead adds uniform noise
    of 1e-7 to break ties at random; on maps without ties at the fixated values both agree.)

    Args:
        prediction (np.ndarray | torch.Tensor): saliency map of shape (H, W).
        fixation_map (np.ndarray | torch.Tensor): fixation map of shape (H, W); pixels > 0
            are fixated.

    Returns:
        float: AUC in [0, 1]; 0.5 for chance, 1 when every fixated pixel outranks every
        other pixel.
    """
    pred, gt = _check_pair(prediction, fixation_map)
    fixated = _fixated(gt, 'auc_judd').ravel()
    values = pred.ravel()
    n_fixated = int(fixated.sum())
    n_other = values.size - n_fixated
    if n_other == 0:
        raise ValueError('auc_judd: every pixel is fixated, so there are no negatives and the '
                         'ROC curve is undefined')
    fixated_values = np.sort(values[fixated])
    thresholds = np.unique(fixated_values)[::-1]
    # Pixels with a value >= t: count from the sorted values instead of comparing every
    # threshold with every pixel.
    above_all = values.size - np.searchsorted(np.sort(values), thresholds, side='left')
    above_fixated = n_fixated - np.searchsorted(fixated_values, thresholds, side='left')
    tpr = np.concatenate([[0.0], above_fixated / n_fixated, [1.0]])
    fpr = np.concatenate([[0.0], (above_all - above_fixated) / n_other, [1.0]])
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def shuffled_auc(prediction, fixation_map, other_fixation_map) -> float:
    """Shuffled AUC: the prediction as a classifier of this image's fixations against the
    fixation locations of *other* images.

    Negatives drawn from other images' fixations share the dataset's centre bias, so a map
    that only encodes "people look at the middle" scores 0.5 and only image-specific
    content scores above it (Zhang et al. 2008; the MIT benchmark's sAUC). Here every
    negative location is used and the AUC is exact: the share of (positive, negative) pairs
    the prediction ranks correctly, a tie counting one half (pysaliency's exact ROC area;
    the MIT code averages 100 random draws of as many negatives as positives, which
    converges to the same value).

    Args:
        prediction (np.ndarray | torch.Tensor): saliency map of shape (H, W).
        fixation_map (np.ndarray | torch.Tensor): this image's fixation map (H, W); pixels
            > 0 are the positives.
        other_fixation_map (np.ndarray | torch.Tensor): fixation counts of other images on
            the same (H, W) grid (e.g. the sum of their fixation maps, resized); a pixel's
            value is how many negatives it contributes.

    Returns:
        float: AUC in [0, 1]; 0.5 for chance and for the centre bias.

    Example:
        >>> import numpy as np
        >>> pred = np.array([[0., 1.], [2., 3.]])
        >>> this, others = np.array([[0, 0], [0, 1]]), np.array([[2, 1], [0, 1]])
        >>> shuffled_auc(pred, this, others)  # 3 > 0, 1 twice; 3 = 3 counts one half
        0.875
    """
    pred, gt = _check_pair(prediction, fixation_map)
    _, others = _check_pair(prediction, other_fixation_map)
    positives = pred[_fixated(gt, 'shuffled_auc')]
    if (others < 0).any() or not (others > 0).any():
        raise ValueError('shuffled_auc: other_fixation_map must hold non-negative fixation '
                         'counts with at least one fixation (the negatives)')
    negative_weights = others[others > 0]
    negatives = pred[others > 0]
    order = np.argsort(negatives, kind='stable')
    negatives, negative_weights = negatives[order], negative_weights[order]
    cumulative = np.concatenate([[0.0], np.cumsum(negative_weights)])
    below = cumulative[np.searchsorted(negatives, positives, side='left')]
    not_above = cumulative[np.searchsorted(negatives, positives, side='right')]
    # per positive: weight of negatives strictly below, plus half of those tied with it
    wins = below + (not_above - below) / 2
    return float(wins.sum() / (positives.size * cumulative[-1]))


def information_gain(prediction, fixation_map, baseline, eps: float = KLD_EPS) -> float:
    """Information gain of the prediction over a baseline at the fixated pixels, in bits.

    Both maps are normalised to sum 1 (probability distributions over pixels); the score is
    the mean over fixated pixels of ``log2(eps + P) - log2(eps + B)`` (Kümmerer, Wallis &
    Bethge, PNAS 2015; the MIT benchmark's InfoGain with its ``eps``). Positive: the
    prediction puts more probability where people looked than the baseline (usually the
    centre bias) does.

    Args:
        prediction (np.ndarray | torch.Tensor): saliency map of shape (H, W), non-negative.
        fixation_map (np.ndarray | torch.Tensor): fixation map of shape (H, W); pixels > 0
            are fixated.
        baseline (np.ndarray | torch.Tensor): baseline map of shape (H, W), non-negative.
        eps (float): regulariser, the benchmark's MATLAB ``eps``.

    Returns:
        float: bits per fixation; 0 when prediction and baseline are the same distribution.

    Example:
        >>> import numpy as np
        >>> fixations = np.array([[1, 0], [0, 0]])
        >>> round(information_gain(np.array([[2., 1.], [1., 0.]]), fixations, np.ones((2, 2))), 9)
        1.0
    """
    pred, gt = _check_pair(prediction, fixation_map)
    _, base = _check_pair(prediction, baseline)
    if (pred < 0).any() or (base < 0).any():
        raise ValueError('information_gain: prediction and baseline must be non-negative '
                         '(they are read as probability distributions)')
    fixated = _fixated(gt, 'information_gain')
    pred, base = to_distribution(pred), to_distribution(base)
    return float(np.mean(np.log2(eps + pred[fixated]) - np.log2(eps + base[fixated])))
