"""The teacher's decoder: multi-scale encoder features plus a learned center bias to a
saliency map (as a log-density over pixels).

The design follows the usual readout of saliency models (DeepGaze II, ML-Net, SAM): the
image-dependent part is a small decoder on frozen-size features from several encoder stages,
and the image-independent part is a *learned* center-bias prior added in log space::

    log p(x | image) = log_softmax_x( readout(features)(x) + log prior(x) )

The prior is an axis-aligned Gaussian over normalised image coordinates whose mean and
standard deviations are learned. It starts as :func:`attn_plugins.saliency.center_bias`
(mean at the center, sigma 0.25 of each side) and the readout's last layer starts at zero,
so an untrained teacher predicts exactly the center-bias baseline and training moves it
from there using the image.
"""
import math
from typing import Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import nn


class GaussianCenterBias(nn.Module):
    """Learned center-bias prior: the log of a Gaussian over normalised image coordinates.

    A pixel centre (row i, column j) of an (H, W) map sits at ``y = (i + 0.5) / H - 0.5``,
    ``x = (j + 0.5) / W - 0.5``; the prior is
    ``-0.5 * ((x - mu_x) / s_x) ** 2 - 0.5 * ((y - mu_y) / s_y) ** 2`` (up to a constant),
    the same at every resolution.

    Args:
        sigma (float): initial standard deviation, a fraction of each side (0.25 matches
            :func:`attn_plugins.saliency.center_bias`).
    """

    def __init__(self, sigma: float = 0.25) -> None:
        super().__init__()
        if not sigma > 0:
            raise ValueError(f'sigma must be a positive fraction of the image side, got {sigma}')
        self.mean = nn.Parameter(torch.zeros(2))  # (mu_y, mu_x)
        self.log_sigma = nn.Parameter(torch.full((2, ), math.log(sigma)))  # (s_y, s_x)

    def forward(self, size: Tuple[int, int]) -> torch.Tensor:
        """The log prior on an ``size = (H, W)`` grid, shape (H, W)."""
        height, width = size
        device = self.mean.device
        ys = (torch.arange(height, device=device) + 0.5) / height - 0.5
        xs = (torch.arange(width, device=device) + 0.5) / width - 0.5
        sigma = self.log_sigma.exp()
        rows = -0.5 * ((ys - self.mean[0]) / sigma[0]) ** 2  # (H,)
        cols = -0.5 * ((xs - self.mean[1]) / sigma[1]) ** 2  # (W,)
        return rows[:, None] + cols[None, :]


class SaliencyDecoder(nn.Module):
    """Encoder stages to one saliency logit per pixel, with a learned center bias.

    Each stage goes through a 1x1 conv to ``channels``; all are upsampled to the finest
    stage and summed (an FPN-style merge), then ``3x3 conv -> BN -> ReLU -> 1x1 conv`` to
    one channel, upsampled bilinearly to the output size, plus the log prior.

    Args:
        in_channels (Sequence[int]): channels of the encoder stages it reads, finest first.
        channels (int): width of the decoder.
        center_bias (bool): add the learned :class:`GaussianCenterBias`.
        center_bias_sigma (float): its initial standard deviation (fraction of each side).

    Example:
        >>> import torch
        >>> decoder = SaliencyDecoder(in_channels=(8, 16), channels=4)
        >>> feats = (torch.randn(2, 8, 6, 8), torch.randn(2, 16, 3, 4))
        >>> decoder(feats, (48, 64)).shape
        torch.Size([2, 48, 64])
    """

    def __init__(self, in_channels: Sequence[int], channels: int = 64,
                 center_bias: bool = True, center_bias_sigma: float = 0.25) -> None:
        super().__init__()
        if not in_channels:
            raise ValueError('in_channels must list the channels of at least one encoder stage')
        self.lateral = nn.ModuleList(nn.Conv2d(c, channels, 1) for c in in_channels)
        self.fuse = nn.Sequential(
            nn.ReLU(inplace=True),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(inplace=True))
        self.readout = nn.Conv2d(channels, 1, 1)
        # A zero readout makes the untrained model the center-bias prior itself.
        nn.init.zeros_(self.readout.weight)
        nn.init.zeros_(self.readout.bias)
        self.center_bias = GaussianCenterBias(center_bias_sigma) if center_bias else None

    def forward(self, feats: Sequence[torch.Tensor], size: Tuple[int, int]) -> torch.Tensor:
        """Saliency logits (a log-density up to a constant).

        Args:
            feats (Sequence[torch.Tensor]): encoder stages, finest first, each (B, C_i, h_i, w_i).
            size (tuple[int, int]): output (H, W), usually the input image's size.

        Returns:
            torch.Tensor: (B, H, W) logits; ``log_softmax`` over (H, W) is the log-density.
        """
        if len(feats) != len(self.lateral):
            raise ValueError(f'SaliencyDecoder was built for {len(self.lateral)} encoder '
                             f'stages but got {len(feats)}; match in_channels to the '
                             "backbone's out_indices")
        finest = feats[0].shape[-2:]
        merged = sum(
            F.interpolate(conv(x), size=finest, mode='bilinear', align_corners=False)
            if x.shape[-2:] != finest else conv(x) for conv, x in zip(self.lateral, feats))
        logits = self.readout(self.fuse(merged))
        logits = F.interpolate(logits, size=tuple(size), mode='bilinear',
                               align_corners=False)[:, 0]
        if self.center_bias is not None:
            logits = logits + self.center_bias(tuple(size))
        return logits
