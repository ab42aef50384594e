"""The student's attention loss (Yao et al., CVPR 2023) and the fixation-like map it uses.

Per image i, with the student's predicted spatial distribution ``m_p``, the teacher's map
``m_t`` and a fixation-like binary map ``p_t``::

    L_attn = lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)

KLD and NSS are the benchmark metrics (:func:`attn_plugins.saliency.kld_loss`,
:func:`attn_plugins.saliency.nss_loss`): KLD is ``sum_i Q_i log(eps + Q_i / (P_i + eps))``
with P the prediction and Q the teacher map, both normalised to sum 1. The teacher map (and
a given fixation map) is brought to the prediction's size first: the map by area pooling
(mass-preserving), a fixation map by max pooling (a cell is fixated if any pixel in it is).

``p_t``: the teacher gives a dense map, but NSS scores a prediction at *fixated* pixels, so
a binary map is derived from ``m_t`` (:func:`fixation_like_map`), in one of three ways:

- ``'topk'``: the ``ratio`` share of positions where ``m_t`` is highest (at least one);
- ``'threshold'``: the positions where ``m_t >= ratio * max(m_t)``;
- ``'sample'``: ``num_fixations`` positions drawn from ``m_t`` as a distribution, as if an
  observer fixated them (stochastic: a new draw every call).

When human fixations are available (co-training on human labels) they are used instead.
"""
from typing import NamedTuple, Optional

import torch
import torch.nn.functional as F

from ..saliency import kld_loss, nss_loss

FIXATION_METHODS = ('topk', 'threshold', 'sample')


class AttentionLossTerms(NamedTuple):
    """The two weighted terms of ``L_attn``; their sum is the loss.

    Attributes:
        kld (torch.Tensor): ``lambda * KLD(m_p, m_t)``, scalar or (B,).
        nss (torch.Tensor): ``-beta * NSS(m_p, p_t)``, scalar or (B,).
    """

    kld: torch.Tensor
    nss: torch.Tensor

    @property
    def total(self) -> torch.Tensor:
        """``L_attn = kld + nss``."""
        return self.kld + self.nss


def _as_bhw(maps: torch.Tensor, name: str) -> torch.Tensor:
    if maps.ndim == 4 and maps.shape[1] == 1:
        maps = maps[:, 0]
    if maps.ndim != 3:
        raise ValueError(f'{name} must have shape (B, H, W) or (B, 1, H, W), got '
                         f'{tuple(maps.shape)}')
    return maps


def fixation_like_map(saliency: torch.Tensor, method: str = 'topk', ratio: float = 0.1,
                      num_fixations: int = 16,
                      generator: Optional[torch.Generator] = None) -> torch.Tensor:
    """A binary fixation-like map ``p_t`` derived from a dense saliency map ``m_t``.

    Args:
        saliency (torch.Tensor): non-negative maps, (B, H, W).
        method (str): ``'topk'``, ``'threshold'`` or ``'sample'`` (see the module docstring).
        ratio (float): in (0, 1]: the share of positions kept by ``'topk'``, or the fraction
            of the maximum that ``'threshold'`` keeps.
        num_fixations (int): positions drawn per map by ``'sample'``.
        generator (torch.Generator, optional): random source of ``'sample'``.

    Returns:
        torch.Tensor: (B, H, W) maps of the input's dtype, 1 at the chosen positions and 0
        elsewhere; all zero for an all-zero input map (no information, no fixation).

    Example:
        >>> import torch
        >>> m_t = torch.tensor([[[0.1, 0.9], [0.4, 0.0]]])
        >>> fixation_like_map(m_t, 'topk', ratio=0.5)
        tensor([[[0., 1.],
                 [1., 0.]]])
    """
    if method not in FIXATION_METHODS:
        raise ValueError(f'method must be one of {FIXATION_METHODS}, got {method!r}')
    if not 0 < ratio <= 1:
        raise ValueError(f'ratio must be in (0, 1], got {ratio}')
    if num_fixations < 1:
        raise ValueError(f'num_fixations must be a positive integer, got {num_fixations}')
    saliency = _as_bhw(saliency, 'saliency')
    if (saliency < 0).any():
        raise ValueError('saliency must be non-negative to derive fixations from it')
    flat = saliency.detach().flatten(1)  # (B, H*W)
    nonzero = flat.amax(dim=1, keepdim=True) > 0  # (B, 1)
    fixations = torch.zeros_like(flat)
    if method == 'topk':
        k = max(1, round(ratio * flat.shape[1]))
        fixations.scatter_(1, flat.topk(k, dim=1).indices, 1.0)
    elif method == 'threshold':
        fixations = (flat >= ratio * flat.amax(dim=1, keepdim=True)).to(flat.dtype)
    else:
        # Rows without mass draw from the uniform distribution, then are zeroed below.
        weights = torch.where(nonzero, flat, torch.ones_like(flat))
        drawn = torch.multinomial(weights, num_fixations, replacement=True,
                                  generator=generator)
        fixations.scatter_(1, drawn, 1.0)
    return (fixations * nonzero).view_as(saliency)


def teacher_attention_loss(prediction: torch.Tensor, teacher_map: torch.Tensor,
                           lam: float = 1.0, beta: float = 1.0,
                           fixation_map: Optional[torch.Tensor] = None,
                           fixation_from: str = 'topk', fixation_ratio: float = 0.1,
                           num_fixations: int = 16,
                           reduction: str = 'mean') -> AttentionLossTerms:
    """``L_attn = lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)``, as its two terms.

    Args:
        prediction (torch.Tensor): the student's spatial distribution ``m_p`` (a softmax
            over positions, or any non-negative map), (B, h, w).
        teacher_map (torch.Tensor): the teacher's map ``m_t``, non-negative, (B, H, W) with
            H >= h and W >= w (pooled to (h, w) here). An all-zero map marks a sample
            without a target: it adds 0 and is left out of the mean.
        lam (float): weight ``lambda`` of the KLD term.
        beta (float): weight ``beta`` of the NSS term.
        fixation_map (torch.Tensor, optional): a binary fixation map ``p_t`` (B, H, W)
            to use instead of deriving one from ``teacher_map`` (human fixations).
        fixation_from (str): how ``p_t`` is derived: ``'topk'``, ``'threshold'`` or
            ``'sample'`` (see :func:`fixation_like_map`).
        fixation_ratio (float): ``ratio`` of :func:`fixation_like_map`.
        num_fixations (int): ``num_fixations`` of :func:`fixation_like_map`.
        reduction (str): ``'mean'`` (over samples with a target), ``'sum'`` or ``'none'``.

    Returns:
        AttentionLossTerms: ``kld`` and ``nss``, each a scalar (or (B,) for ``'none'``).

    Example:
        >>> import torch
        >>> logits = torch.randn(2, 7, 7, requires_grad=True)
        >>> m_p = logits.flatten(1).softmax(1).view_as(logits)
        >>> terms = teacher_attention_loss(m_p, torch.rand(2, 28, 28), lam=1.0, beta=0.5)
        >>> terms.total.backward()
        >>> logits.grad.shape
        torch.Size([2, 7, 7])
    """
    if fixation_from not in FIXATION_METHODS:
        raise ValueError(f'fixation_from must be one of {FIXATION_METHODS}, got '
                         f'{fixation_from!r}')
    prediction = _as_bhw(prediction, 'prediction')
    teacher_map = _as_bhw(teacher_map, 'teacher_map')
    size = prediction.shape[-2:]
    if teacher_map.shape[0] != prediction.shape[0] or any(
            t < p for t, p in zip(teacher_map.shape[-2:], size)):
        raise ValueError(f'teacher_map {tuple(teacher_map.shape)} must hold one map per '
                         f'prediction {tuple(prediction.shape)}, at least as large')
    target = F.adaptive_avg_pool2d(teacher_map.to(prediction.dtype)[:, None], size)[:, 0]
    if fixation_map is None:
        fixations = fixation_like_map(target, fixation_from, fixation_ratio, num_fixations)
    else:
        fixation_map = _as_bhw(fixation_map, 'fixation_map')
        fixations = F.adaptive_max_pool2d((fixation_map > 0).to(prediction.dtype)[:, None],
                                          size)[:, 0]
    return AttentionLossTerms(
        kld=lam * kld_loss(prediction, target, reduction=reduction),
        nss=beta * nss_loss(prediction, fixations, reduction=reduction))
