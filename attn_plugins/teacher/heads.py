"""The student's attention head: a backbone feature map to a spatial distribution."""
from typing import Optional

import torch
from torch import nn

from .losses import FIXATION_METHODS, AttentionLossTerms, teacher_attention_loss


class SpatialAttentionHead(nn.Module):
    """Predicts where to attend: a softmax over the positions of a feature map.

    ``3x3 conv -> BN -> ReLU -> 1x1 conv`` to one logit per position, then a softmax over
    all ``h * w`` positions, so the output ``m_p`` is a distribution (sums to 1 per image).
    It carries the settings of its loss, ``L_attn = lambda * KLD(m_p, m_t) -
    beta * NSS(m_p, p_t)`` (:func:`attn_plugins.teacher.teacher_attention_loss`).

    Args:
        in_channels (int): channels of the feature map it reads.
        hid_channels (int): channels of the hidden conv layer.
        lam (float): weight of the KLD term.
        beta (float): weight of the NSS term.
        fixation_from (str): how the fixation-like map ``p_t`` is derived from the teacher
            map: ``'topk'``, ``'threshold'`` or ``'sample'``.
        fixation_ratio (float): share of positions (``'topk'``) or fraction of the maximum
            (``'threshold'``) kept as fixated.
        num_fixations (int): positions drawn per map by ``'sample'``.

    Example:
        >>> import torch
        >>> head = SpatialAttentionHead(in_channels=32, hid_channels=16)
        >>> feats = torch.randn(2, 32, 8, 8)
        >>> m_p = head(feats)
        >>> m_p.shape, torch.allclose(m_p.sum(dim=(1, 2)), torch.ones(2))
        (torch.Size([2, 8, 8]), True)
        >>> terms = head.loss(feats, teacher_map=torch.rand(2, 64, 64))
        >>> terms.total.backward()
    """

    def __init__(self, in_channels: int, hid_channels: int = 256, lam: float = 1.0,
                 beta: float = 1.0, fixation_from: str = 'topk', fixation_ratio: float = 0.1,
                 num_fixations: int = 16) -> None:
        super().__init__()
        if fixation_from not in FIXATION_METHODS:
            raise ValueError(f'fixation_from must be one of {FIXATION_METHODS}, got '
                             f'{fixation_from!r}')
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, hid_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(hid_channels),
            nn.ReLU(inplace=True),
            nn.Conv2d(hid_channels, 1, 1))
        self.lam = lam
        self.beta = beta
        self.fixation_from = fixation_from
        self.fixation_ratio = fixation_ratio
        self.num_fixations = num_fixations

    def forward(self, feats: torch.Tensor) -> torch.Tensor:
        """The predicted distribution ``m_p``.

        Args:
            feats (torch.Tensor): a feature map, (B, C, h, w).

        Returns:
            torch.Tensor: (B, h, w), non-negative, summing to 1 over (h, w).
        """
        logits = self.layers(feats)[:, 0]  # (B, h, w)
        return logits.flatten(1).softmax(dim=1).view_as(logits)

    def loss(self, feats: torch.Tensor, teacher_map: torch.Tensor,
             fixation_map: Optional[torch.Tensor] = None) -> AttentionLossTerms:
        """``L_attn`` of the prediction on ``feats`` against the teacher's map.

        Args:
            feats (torch.Tensor): a feature map, (B, C, h, w).
            teacher_map (torch.Tensor): ``m_t``, (B, H, W) with H >= h, W >= w; an all-zero
                map marks a sample without a target (left out).
            fixation_map (torch.Tensor, optional): human fixations (B, H, W) to use as
                ``p_t`` instead of deriving it from ``teacher_map``.

        Returns:
            AttentionLossTerms: the weighted KLD and NSS terms (scalars).
        """
        return self.prediction_loss(self(feats), teacher_map, fixation_map)

    def prediction_loss(self, prediction: torch.Tensor, teacher_map: torch.Tensor,
                        fixation_map: Optional[torch.Tensor] = None) -> AttentionLossTerms:
        """``L_attn`` of a prediction of this head (e.g. made on a larger batch and split).

        Args:
            prediction (torch.Tensor): ``m_p``, (B, h, w), from :meth:`forward`.
            teacher_map (torch.Tensor): ``m_t``, (B, H, W) with H >= h, W >= w.
            fixation_map (torch.Tensor, optional): human fixations (B, H, W).

        Returns:
            AttentionLossTerms: the weighted KLD and NSS terms (scalars).
        """
        return teacher_attention_loss(
            prediction, teacher_map, lam=self.lam, beta=self.beta,
            fixation_map=fixation_map, fixation_from=self.fixation_from,
            fixation_ratio=self.fixation_ratio, num_fixations=self.num_fixations)
