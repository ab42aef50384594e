"""Differentiable, batched saliency losses (KLD, NSS, CC) for training.

Each loss is the torch twin of the metric of the same name in
:mod:`attn_plugins.saliency.metrics`: per sample it equals ``kld``, ``-nss`` and ``-cc`` of
that sample (NSS and CC are negated so that lower is better, as in ``L = KLD - NSS - CC``).

Inputs:

- ``prediction``: a float map per sample, shape (B, H, W) or (B, 1, H, W). It is a saliency
  map, not logits: KLD needs it non-negative (e.g. a softmax over positions, or a sigmoid)
  and normalises it to sum 1 inside; NSS and CC standardise it inside, so any real map works.
- ``target``: the same shape. For KLD and CC a fixation density or teacher map (non-negative,
  any scale); for NSS a fixation map whose pixels > 0 are fixated.

Degenerate maps never give NaN or inf, in values or gradients: a constant prediction scores
like the metric does (KLD against the uniform distribution, NSS 0, CC 0), and a sample
whose target is empty (all zero) contributes 0 with zero gradient and is left out of the
``'mean'`` reduction (the mean is over the samples that have a target). Half-precision inputs
are computed in float32, because the KLD regulariser 2.2e-16 underflows in float16.
"""
from typing import Tuple

import torch
from torch import nn

from .maps import to_distribution
from .metrics import KLD_EPS

_REDUCTIONS = ('none', 'mean', 'sum')


def _check_reduction(reduction: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _prepare(prediction: torch.Tensor, target: torch.Tensor,
             loss: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """Both inputs as (B, H, W) tensors of one float dtype (at least float32)."""
    if not isinstance(prediction, torch.Tensor) or not isinstance(target, torch.Tensor):
        raise ValueError(f'{loss}: prediction and target must be torch tensors, got '
                         f'{type(prediction).__name__} and {type(target).__name__}')
    shapes = f'{tuple(prediction.shape)} and {tuple(target.shape)}'

    def as_bhw(x: torch.Tensor) -> torch.Tensor:
        if x.ndim == 4 and x.shape[1] == 1:
            return x[:, 0]
        if x.ndim == 3:
            return x
        raise ValueError(f'{loss}: prediction and target must have shape (B, H, W) or '
                         f'(B, 1, H, W), got {shapes}')

    pred, tgt = as_bhw(prediction), as_bhw(target)
    if pred.shape != tgt.shape:
        raise ValueError(f'{loss}: prediction and target must have the same batch size and '
                         f'map size, got {shapes}; resize one to the other first')
    if not pred.is_floating_point():
        raise ValueError(f'{loss}: prediction must be a float tensor, got {pred.dtype}')
    dtype = torch.promote_types(pred.dtype, torch.float32)
    return pred.to(dtype), tgt.to(dtype)


def _standardise(x: torch.Tensor) -> torch.Tensor:
    """(x - mean) / std per (H, W) map; a constant map gives ~0 with finite gradients."""
    centred = x - x.mean(dim=(-2, -1), keepdim=True)
    var = centred.pow(2).mean(dim=(-2, -1), keepdim=True)
    flat = x.amax(dim=(-2, -1), keepdim=True) == x.amin(dim=(-2, -1), keepdim=True)
    # Dividing by 1 on flat maps keeps sqrt's infinite slope at 0 out of the graph.
    safe_var = torch.where(flat | (var == 0), torch.ones_like(var), var)
    return centred / safe_var.sqrt()


def _reduce(per_sample: torch.Tensor, valid: torch.Tensor, reduction: str) -> torch.Tensor:
    """Zero the samples without a target, then reduce over the batch."""
    per_sample = torch.where(valid, per_sample, torch.zeros_like(per_sample))
    if reduction == 'none':
        return per_sample
    if reduction == 'sum':
        return per_sample.sum()
    return per_sample.sum() / valid.sum().clamp_min(1)


def kld_loss(prediction: torch.Tensor, target: torch.Tensor, reduction: str = 'mean',
             eps: float = KLD_EPS) -> torch.Tensor:
    """KL divergence of the predicted distribution from the target distribution.

    Per sample ``sum_i Q_i * log(eps + Q_i / (P_i + eps))``, P and Q the maps normalised to
    sum 1, exactly :func:`attn_plugins.saliency.kld`.

    Args:
        prediction (torch.Tensor): non-negative maps, (B, H, W) or (B, 1, H, W).
        target (torch.Tensor): non-negative target maps of the same shape.
        reduction (str): ``'none'`` (shape (B,)), ``'mean'`` over samples with a non-empty
            target, or ``'sum'``.
        eps (float): regulariser, the benchmark's 2.2204e-16 by default.

    Returns:
        torch.Tensor: the loss, shape (B,) or a scalar.
    """
    _check_reduction(reduction)
    pred, tgt = _prepare(prediction, target, 'kld_loss')
    if (pred < 0).any() or (tgt < 0).any():
        raise ValueError('kld_loss: prediction and target must be non-negative maps (apply a '
                         'softmax over positions or a sigmoid to the prediction first)')
    p, q = to_distribution(pred), to_distribution(tgt)
    per_sample = (q * torch.log(eps + q / (p + eps))).sum(dim=(-2, -1))
    return _reduce(per_sample, tgt.sum(dim=(-2, -1)) > 0, reduction)


def nss_loss(prediction: torch.Tensor, fixation_map: torch.Tensor,
             reduction: str = 'mean') -> torch.Tensor:
    """Negative Normalized Scanpath Saliency: ``-mean of standardised P at fixated pixels``.

    Per sample exactly ``-attn_plugins.saliency.nss``.

    Args:
        prediction (torch.Tensor): maps, (B, H, W) or (B, 1, H, W).
        fixation_map (torch.Tensor): maps of the same shape; pixels > 0 are fixated.
        reduction (str): ``'none'`` (shape (B,)), ``'mean'`` over samples with at least one
            fixation, or ``'sum'``.

    Returns:
        torch.Tensor: the loss, shape (B,) or a scalar.
    """
    _check_reduction(reduction)
    pred, fix = _prepare(prediction, fixation_map, 'nss_loss')
    fixated = (fix > 0).to(pred.dtype)
    count = fixated.sum(dim=(-2, -1))
    per_sample = -(_standardise(pred) * fixated).sum(dim=(-2, -1)) / count.clamp_min(1)
    return _reduce(per_sample, count > 0, reduction)


def cc_loss(prediction: torch.Tensor, target: torch.Tensor,
            reduction: str = 'mean') -> torch.Tensor:
    """Negative Pearson correlation of prediction and target.

    Per sample exactly ``-attn_plugins.saliency.cc``; 0 when either map is constant.

    Args:
        prediction (torch.Tensor): maps, (B, H, W) or (B, 1, H, W).
        target (torch.Tensor): target maps of the same shape.
        reduction (str): ``'none'`` (shape (B,)), ``'mean'`` over samples with a non-zero
            target, or ``'sum'``.

    Returns:
        torch.Tensor: the loss, shape (B,) or a scalar.
    """
    _check_reduction(reduction)
    pred, tgt = _prepare(prediction, target, 'cc_loss')
    per_sample = -(_standardise(pred) * _standardise(tgt)).mean(dim=(-2, -1))
    return _reduce(per_sample, (tgt != 0).flatten(1).any(dim=1), reduction)


class KLDLoss(nn.Module):
    """KL divergence loss between predicted and target saliency maps (see :func:`kld_loss`).

    Args:
        reduction (str): ``'none'``, ``'mean'`` (over samples with a target) or ``'sum'``.

    Example:
        >>> import torch
        >>> from attn_plugins.saliency import KLDLoss
        >>> logits = torch.randn(2, 1, 7, 7, requires_grad=True)
        >>> prediction = logits.flatten(1).softmax(dim=1).view_as(logits)
        >>> target = torch.rand(2, 1, 7, 7)
        >>> loss = KLDLoss()(prediction, target)
        >>> loss.backward()
        >>> bool(loss > 0), logits.grad.shape
        (True, torch.Size([2, 1, 7, 7]))
    """

    def __init__(self, reduction: str = 'mean'):
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of (B, H, W) or (B, 1, H, W) maps against targets of the same shape."""
        return kld_loss(prediction, target, self.reduction)


class NSSLoss(nn.Module):
    """Negative NSS loss of predicted maps at fixated pixels (see :func:`nss_loss`).

    Args:
        reduction (str): ``'none'``, ``'mean'`` (over samples with fixations) or ``'sum'``.

    Example:
        >>> import torch
        >>> from attn_plugins.saliency import NSSLoss
        >>> prediction = torch.zeros(1, 3, 3)
        >>> prediction[0, 1, 1] = 1.0
        >>> fixations = torch.zeros(1, 3, 3)
        >>> fixations[0, 1, 1] = 1.0
        >>> round(NSSLoss()(prediction, fixations).item(), 4)  # -(1 - 1/9) / std
        -2.8284
    """

    def __init__(self, reduction: str = 'mean'):
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, prediction: torch.Tensor, fixation_map: torch.Tensor) -> torch.Tensor:
        """Loss of (B, H, W) or (B, 1, H, W) maps against fixation maps of the same shape."""
        return nss_loss(prediction, fixation_map, self.reduction)


class CCLoss(nn.Module):
    """Negative correlation-coefficient loss (see :func:`cc_loss`).

    Args:
        reduction (str): ``'none'``, ``'mean'`` (over samples with a target) or ``'sum'``.

    Example:
        >>> import torch
        >>> from attn_plugins.saliency import CCLoss
        >>> target = torch.rand(4, 8, 8)
        >>> round(CCLoss()(2 * target + 1, target).item(), 4)  # perfectly correlated
        -1.0
    """

    def __init__(self, reduction: str = 'mean'):
        super().__init__()
        _check_reduction(reduction)
        self.reduction = reduction

    def forward(self, prediction: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Loss of (B, H, W) or (B, 1, H, W) maps against targets of the same shape."""
        return cc_loss(prediction, target, self.reduction)
