"""MoCo with the teacher-attention head."""
from typing import Dict, List, Optional

import torch
from mmengine.model import ExponentialMovingAverage
from mmpretrain.models import MoCo
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn

from ...attention import momentum_contrast_grad_cam
from .attention import SelfSupervisedAttentionMixin


class _LastStage(nn.Module):
    """Keeps only the backbone's last stage, the one the neck projects."""

    def forward(self, feats):
        return feats[-1:]


@MODELS.register_module()
class TeacherAttentionMoCo(SelfSupervisedAttentionMixin, MoCo):
    """MoCo plus an attention head trained on teacher maps (Yao et al., CVPR 2023).

    ``L = InfoNCE(q, k, queue) + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)``, the
    attention loss on the query view (the one the gradient flows through). The backbone
    returns the head's stage and the last one; the momentum encoder keeps only the last.

    Args:
        backbone (dict): e.g. a ResNet with ``out_indices=(2, 3)``.
        neck (dict): e.g. ``MoCoV2Neck``.
        head (dict): ``ContrastiveHead``.
        attn_head (dict, optional): a ``SpatialAttentionHead`` config, or None (plain MoCo).
        attn_in_index (int): index into the backbone outputs of the head's stage.
        target_key (str): data-sample field with ``m_t`` per view, ``(V, H, W)``.
        fixation_key (str, optional): field with human fixation maps to use as ``p_t``.
        queue_len (int): negatives in the queue.
        feat_dim (int): projection size.
        momentum (float): momentum-encoder update rate (mmengine's EMA convention).
        data_preprocessor (dict, optional): defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 attn_head: Optional[dict] = None,
                 attn_in_index: int = 0,
                 target_key: str = 'saliency',
                 fixation_key: Optional[str] = None,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 momentum: float = 0.001,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, queue_len=queue_len,
                         feat_dim=feat_dim, momentum=momentum,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.encoder_k = ExponentialMovingAverage(self._query_encoder(), momentum)
        self.init_attention(attn_head, attn_in_index, target_key, fixation_key)

    def grad_cam_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Without an attention head: Grad-CAM of query . key of the same image."""
        return momentum_contrast_grad_cam(self, inputs)

    def _query_encoder(self) -> nn.Module:
        return nn.Sequential(self.backbone, _LastStage(), self.neck)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """InfoNCE of query and key plus ``L_attn`` on the query view.

        Args:
            inputs (list[torch.Tensor]): query and key views, each (N, 3, H, W).
            data_samples (list[DataSample]): with the per-view targets.

        Returns:
            dict[str, torch.Tensor]: ``loss_contra``, ``loss_attn_kld``, ``loss_attn_nss``.
        """
        assert isinstance(inputs, list)
        im_q, im_k = inputs
        feats = self.backbone(im_q)  # query stages: NxCxhxw
        q = nn.functional.normalize(self.neck(feats[-1:])[0], dim=1)  # queries: NxC

        with torch.no_grad():  # no gradient to keys
            self.encoder_k.update_parameters(self._query_encoder())
            im_k, idx_unshuffle = batch_shuffle_ddp(im_k)  # shuffle for BN
            k = nn.functional.normalize(self.encoder_k(im_k)[0], dim=1)  # keys: NxC
            k = batch_unshuffle_ddp(k, idx_unshuffle)

        l_pos = torch.einsum('nc,nc->n', [q, k]).unsqueeze(-1)  # positive logits: Nx1
        l_neg = torch.einsum('nc,ck->nk', [q, self.queue.clone().detach()])  # negatives: NxK
        losses = dict(loss_contra=self.head.loss(l_pos, l_neg))
        self._dequeue_and_enqueue(k)
        losses.update(self.attention_loss(feats, data_samples, views=(0, )))
        return losses
