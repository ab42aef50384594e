"""SimCLR (lightly's NT-Xent) with the teacher-attention head."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from lightly.loss import NTXentLoss
from mmpretrain.models import BaseSelfSupervisor
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from .attention import SelfSupervisedAttentionMixin


@MODELS.register_module()
class TeacherAttentionSimCLR(SelfSupervisedAttentionMixin, BaseSelfSupervisor):
    """SimCLR plus an attention head trained on teacher maps (Yao et al., CVPR 2023).

    ``L = NT-Xent(z_1, z_2) + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)``: the two views
    go through the backbone as one batch; the neck projects the last stage for lightly's
    ``NTXentLoss``, and the attention head on stage ``attn_in_index`` predicts each view's
    own (cropped, flipped) teacher map. With ``attn_head=None`` it is plain SimCLR, the
    contrastive row of the paper's table.

    Args:
        backbone (dict): e.g. a ResNet with ``out_indices=(2, 3)``: the head's stage and
            the last one.
        neck (dict): projection of the last stage, e.g. ``NonLinearNeck``.
        attn_head (dict, optional): a ``SpatialAttentionHead`` config (its ``lam``,
            ``beta``, ``fixation_from``), or None.
        attn_in_index (int): index into the backbone outputs of the stage the head reads.
        target_key (str): data-sample field with ``m_t`` per view, ``(V, H, W)``.
        fixation_key (str, optional): field with human fixation maps to use as ``p_t``.
        temperature (float): NT-Xent temperature tau.
        memory_bank_size (int | Sequence[int]): lightly's memory bank, ``(n, dim)``, or 0
            for none (SimCLR).
        gather_distributed (bool): gather negatives from every process.
        data_preprocessor (dict, optional): defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 attn_head: Optional[dict] = None,
                 attn_in_index: int = 0,
                 target_key: str = 'saliency',
                 fixation_key: Optional[str] = None,
                 temperature: float = 0.1,
                 memory_bank_size: Union[int, Sequence[int]] = 0,
                 gather_distributed: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        self.init_attention(attn_head, attn_in_index, target_key, fixation_key)
        self.contrastive_loss = NTXentLoss(temperature, memory_bank_size, gather_distributed)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """NT-Xent of the two views plus ``L_attn`` on both.

        Args:
            inputs (list[torch.Tensor]): the two views, each (N, 3, H, W).
            data_samples (list[DataSample]): with the per-view targets.

        Returns:
            dict[str, torch.Tensor]: ``loss_contra``, ``loss_attn_kld``, ``loss_attn_nss``.
        """
        assert isinstance(inputs, list) and len(inputs) == 2
        feats = self.backbone(torch.cat(inputs))  # stages of both views: 2NxCxhxw
        z = self.neck(feats[-1:])[0]  # projections: 2NxD
        z_1, z_2 = z.chunk(2)  # NxD each
        losses = dict(loss_contra=self.contrastive_loss(z_1, z_2))
        losses.update(self.attention_loss(feats, data_samples, views=(0, 1)))
        return losses
