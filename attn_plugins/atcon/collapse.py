"""Collapse guards for attention-consistency training, and the label baselines of a split.

ATCON's loss can be met without learning anything about the images: a Grad-CAM map that
ignores the input agrees with itself on the masked image, and a guided mask that is about
0.5 everywhere turns the loss into ``CAM(x) = CAM(0.5 x)``. These numbers tell such a run
from a real one (pure torch / numpy):

- :func:`cross_image_correlation`: mean Pearson correlation between the Grad-CAM maps of
  *different* images; 1 means the map ignores the input.
- :func:`mask_binariness`: how far the guided mask is from the constant 0.5 (0) towards a
  binary mask (1).
- :func:`positive_rate`: share of (image, class) scores above the threshold; 1 means the
  model answers "present" for everything.
- :func:`label_prior` and :func:`all_present_f1`: what a split's labels alone give, to read
  beside an F1: a classifier that answers "present" for every class scores
  :func:`all_present_f1`.
"""
from typing import Union

import numpy as np
import torch

from .consistency import zscore

ArrayOrTensor = Union[np.ndarray, torch.Tensor]


def cross_image_correlation(maps: ArrayOrTensor) -> float:
    """Mean Pearson correlation between the maps of different images.

    Args:
        maps (np.ndarray | Tensor): ``(N, h, w)`` maps of ``N >= 2`` images (e.g. the
            Grad-CAM ``A1`` of each image's explained class).

    Returns:
        float: the mean over the ``N (N - 1) / 2`` pairs of images, in ``[-1, 1]``; a
        constant map correlates 0 with anything (the convention of
        :func:`attn_plugins.atcon.map_correlation`).

    Example:
        >>> base = torch.arange(9.).view(1, 3, 3)
        >>> round(cross_image_correlation(torch.cat([base, 2 * base, base + 5])), 6)
        1.0
        >>> round(cross_image_correlation(torch.stack([base[0], base[0].flip(1)])), 3)
        0.8
    """
    maps = torch.as_tensor(maps).detach().to(torch.float64)
    if maps.dim() != 3 or maps.shape[0] < 2:
        raise ValueError(f'cross_image_correlation needs (N, h, w) maps of N >= 2 images, got '
                         f'shape {tuple(maps.shape)}.')
    count = maps.shape[1] * maps.shape[2]
    if count < 2:
        raise ValueError(f'maps need at least 2 pixels for a correlation, got shape '
                         f'{tuple(maps.shape)}.')
    z = zscore(maps).flatten(1)  # unbiased z-scores: Pearson = z_i . z_j / (count - 1)
    gram = z @ z.T / (count - 1)
    n = maps.shape[0]
    off_diagonal = gram.sum() - gram.diagonal().sum()
    return float(off_diagonal / (n * (n - 1)))


def mask_binariness(mask: ArrayOrTensor) -> torch.Tensor:
    """Per-image mean of ``|2 M - 1|``: 0 for a mask of 0.5 everywhere, 1 for a binary one.

    A mask near 0.5 everywhere multiplies the image by about one half: ATCON's second map is
    then the Grad-CAM of a dimmer copy of the image, whatever Guided Backprop found.

    Args:
        mask (np.ndarray | Tensor): ``(B, H, W)`` masks in ``[0, 1]``.

    Returns:
        Tensor: ``(B,)`` binariness in ``[0, 1]``.

    Example:
        >>> mask_binariness(torch.tensor([[[0.5, 0.5]], [[0.0, 1.0]], [[0.25, 0.5]]]))
        tensor([0.0000, 1.0000, 0.2500])
    """
    mask = torch.as_tensor(mask).detach()
    if mask.dim() != 3:
        raise ValueError(f'mask must be (B, H, W), got shape {tuple(mask.shape)}.')
    return (2 * mask - 1).abs().mean(dim=(1, 2))


def positive_rate(scores: ArrayOrTensor, threshold: float = 0.5) -> float:
    """Share of (image, class) scores above ``threshold`` (answers "present").

    Args:
        scores (np.ndarray | Tensor): ``(N, K)`` class scores (probabilities).
        threshold (float): The decision threshold of the F1 it is read beside. Defaults to
            0.5.

    Returns:
        float: the share in ``[0, 1]``.

    Example:
        >>> positive_rate(np.array([[0.9, 0.2], [0.6, 0.5]]))
        0.5
    """
    scores = np.asarray(torch.as_tensor(scores).detach().cpu(), dtype=np.float64)
    if scores.ndim != 2 or scores.size == 0:
        raise ValueError(f'scores must be a non-empty (N, K) array, got shape {scores.shape}.')
    return float((scores > threshold).mean())


def _label_matrix(labels: ArrayOrTensor) -> np.ndarray:
    labels = np.asarray(torch.as_tensor(labels).detach().cpu())
    if labels.ndim != 2 or labels.shape[0] == 0:
        raise ValueError(f'labels must be a non-empty (N, K) matrix of 1 (present), 0 (absent) '
                         f'and -1 (ignored, e.g. difficult), got shape {labels.shape}.')
    if not np.isin(labels, (-1, 0, 1)).all():
        raise ValueError(f'labels must hold only 1 (present), 0 (absent) and -1 (ignored), '
                         f'got values {np.unique(labels).tolist()}.')
    return labels.astype(np.int64)


def label_prior(labels: ArrayOrTensor) -> np.ndarray:
    """Per-class share of positive labels, ignored (-1) entries left out.

    Args:
        labels (np.ndarray | Tensor): ``(N, K)`` matrix: 1 present, 0 absent, -1 ignored
            (mmpretrain's VOC metrics mark difficult-only labels so).

    Returns:
        np.ndarray: ``(K,)`` priors in ``[0, 1]`` (0 for a class with no counted label).
        Their mean is about the mAP of a classifier that ranks at random.

    Example:
        >>> label_prior(np.array([[1, 0], [1, 1], [0, -1], [1, 0]]))
        array([0.75      , 0.33333333])
    """
    labels = _label_matrix(labels)
    counted = (labels >= 0).sum(axis=0)
    return (labels == 1).sum(axis=0) / np.maximum(counted, 1)


def all_present_f1(labels: ArrayOrTensor) -> float:
    """Mean per-class F1 of the answer "present" for every image and class.

    Per class: recall 1, precision = its prior ``p``, so ``F1 = 2 p / (1 + p)`` (0 for a
    class without positives), averaged over the classes as mmpretrain's
    ``MultiLabelMetric`` / ``VOCMultiLabelMetric`` (``average='macro'``) average the F1 they
    report; ignored (-1) entries count neither way.

    Args:
        labels (np.ndarray | Tensor): ``(N, K)`` matrix: 1 present, 0 absent, -1 ignored.

    Returns:
        float: the mean F1 in ``[0, 1]``.

    Example:
        >>> round(all_present_f1(np.array([[1, 0], [1, 1], [0, 0], [1, 0]])), 4)
        0.6286
    """
    prior = label_prior(labels)
    return float(np.mean(2 * prior / (1 + prior)))
