"""What every student shares: the attention head, its targets and its predictions."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...data import stack_field
from ..heads import SpatialAttentionHead

MODELS.register_module(module=SpatialAttentionHead)


class TeacherAttentionMixin:
    """Adds ``L_attn`` and attention predictions to an mmpretrain model.

    The head reads backbone stage ``attn_in_index`` (an index into the backbone's
    ``out_indices`` outputs). Its target ``m_t`` is the data samples' ``target_key`` field:
    the teacher map (``'saliency'``: from files via ``LoadSaliencyMap``, or online via
    ``OnlineTeacherHook``) or a human fixation density (``'fixation_density'``, co-training).
    ``p_t`` is the ``fixation_key`` field (human fixations) or, when that is None, derived
    from ``m_t`` as the head's ``fixation_from`` says. A sample whose target is all zero
    (``AddEmptyMaps``) is left out of ``L_attn``. ``attn_head=None`` turns all of this off:
    the plain baseline on the same code path.
    """

    def init_attention(self, attn_head: Optional[Union[dict, torch.nn.Module]],
                       attn_in_index: int, target_key: str,
                       fixation_key: Optional[str]) -> None:
        """Build the head and remember where its targets are (call from ``__init__``)."""
        if isinstance(attn_head, dict):
            attn_head = MODELS.build(attn_head)
        self.attn_head = attn_head
        self.attn_in_index = attn_in_index
        self.target_key = target_key
        self.fixation_key = fixation_key

    @property
    def with_attention(self) -> bool:
        """Whether the model has an attention head."""
        return self.attn_head is not None

    def attention_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Where the model looks: the attention head's distribution or, without a head, the
        backbone's own attention (a VARS ViT) or else the model's Grad-CAM
        (:meth:`grad_cam_maps`).

        Args:
            inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            torch.Tensor: ``(B, h, w)`` maps, detached.
        """
        if not self.with_attention:
            if hasattr(self.backbone, 'attention_maps'):
                with torch.no_grad():
                    return self.backbone.attention_maps(inputs)
            return self.grad_cam_maps(inputs)
        with torch.no_grad():
            samples = self(inputs, mode='predict')
        return torch.stack([sample.pred_saliency for sample in samples])

    def grad_cam_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Grad-CAM of the headless model; a subclass with a score to explain defines it."""
        raise TypeError(f'a {type(self).__name__} without an attention head has no score for '
                        'Grad-CAM to explain; give it an attn_head')

    def _targets(self, data_samples: List[DataSample], key: str, views: Optional[Sequence[int]],
                 device: torch.device) -> torch.Tensor:
        """``key`` of every sample, (B, H, W), or the ``views`` concatenated, (V' * B, H, W)."""
        maps = stack_field(data_samples, key, device)  # (B, [V,] H, W)
        if views is None:
            return maps
        if maps.ndim != 4:
            raise ValueError(f'{key!r} has one map per sample, but this model needs one per '
                             'view: make the views with SaliencyMultiView, which keeps each '
                             "view's maps, not MultiView")
        return torch.cat([maps[:, v] for v in views])

    def attention_loss(self, feats: Sequence[torch.Tensor], data_samples: List[DataSample],
                       views: Optional[Sequence[int]] = None) -> Dict[str, torch.Tensor]:
        """``L_attn`` of the head on one backbone stage, as its two logged terms.

        Args:
            feats (Sequence[torch.Tensor]): backbone outputs for a batch in which the images
                of ``views`` are concatenated view after view, each (V' * B, C, h, w).
            data_samples (list[DataSample]): the B samples, carrying the targets.
            views (Sequence[int], optional): the views in the batch, in order; None for
                single-view samples.

        Returns:
            dict[str, torch.Tensor]: ``loss_attn_kld`` (``lambda * KLD``) and
            ``loss_attn_nss`` (``-beta * NSS``), empty without an attention head.
        """
        if not self.with_attention:
            return {}
        feat = feats[self.attn_in_index]
        teacher_map = self._targets(data_samples, self.target_key, views, feat.device)
        fixation_map = None if self.fixation_key is None else self._targets(
            data_samples, self.fixation_key, views, feat.device)
        terms = self.attn_head.loss(feat, teacher_map, fixation_map)
        return dict(loss_attn_kld=terms.kld, loss_attn_nss=terms.nss)

    def attach_attention(self, feats: Sequence[torch.Tensor],
                         data_samples: Optional[List[DataSample]]) -> List[DataSample]:
        """Set ``pred_saliency``, the head's distribution (h, w), on each data sample."""
        if not self.with_attention:
            raise RuntimeError(f'{type(self).__name__} has no attention head (attn_head=None) '
                               'to predict attention with')
        maps = self.attn_head(feats[self.attn_in_index])  # (B, h, w)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(len(maps))]
        for sample, attention in zip(data_samples, maps):
            sample.set_field(attention, 'pred_saliency')
        return data_samples


class SelfSupervisedAttentionMixin(TeacherAttentionMixin):
    """For self-supervised students: a ``'predict'`` mode that answers with attention maps.

    mmpretrain's self-supervised models have only ``'tensor'`` and ``'loss'``; with an
    attention head, ``'predict'`` sets ``pred_saliency`` on each sample (what
    ``SaliencyMetric`` and the alignment tools read). Put it before the mmpretrain base
    class.
    """

    def forward(self, inputs, data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """mmpretrain's ``'tensor'`` and ``'loss'``, plus ``'predict'`` (attention maps)."""
        if mode == 'predict':
            return self.attach_attention(self.backbone(inputs), data_samples)
        return super().forward(inputs, data_samples, mode)
