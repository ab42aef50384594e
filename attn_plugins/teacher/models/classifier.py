"""A supervised classifier with the teacher-attention head."""
from typing import Dict, List, Optional

import torch
from mmpretrain.models import ImageClassifier
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ...attention import top_class_grad_cam
from .attention import TeacherAttentionMixin


@MODELS.register_module()
class TeacherAttentionClassifier(TeacherAttentionMixin, ImageClassifier):
    """An image classifier plus an attention head trained on teacher maps.

    ``L = CE(y, y_hat) + lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)``: the supervised row
    of Yao et al.'s table. The backbone returns the head's stage and the last one (the neck
    and classification head use the last). ``predict`` returns the class predictions with
    ``pred_saliency`` (the attention) added.

    Args:
        backbone (dict): e.g. a ResNet with ``out_indices=(2, 3)``.
        neck (dict, optional): e.g. ``GlobalAveragePooling``.
        head (dict): e.g. ``LinearClsHead``.
        attn_head (dict, optional): a ``SpatialAttentionHead`` config, or None.
        attn_in_index (int): index into the backbone outputs of the head's stage.
        target_key (str): data-sample field with ``m_t``, ``(H, W)``.
        fixation_key (str, optional): field with human fixation maps to use as ``p_t``.
        train_cfg (dict, optional): batch augmentations, as ``ImageClassifier``.
        data_preprocessor (dict, optional): defaults to ``ClsDataPreprocessor``.
        init_cfg (dict, optional): initialisation config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 neck: Optional[dict] = None,
                 attn_head: Optional[dict] = None,
                 attn_in_index: int = 0,
                 target_key: str = 'saliency',
                 fixation_key: Optional[str] = None,
                 train_cfg: Optional[dict] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, train_cfg=train_cfg,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.init_attention(attn_head, attn_in_index, target_key, fixation_key)

    def _neck(self, feats):
        return self.neck(feats[-1:]) if self.with_neck else feats[-1:]

    def loss(self, inputs: torch.Tensor,
             data_samples: List[DataSample]) -> Dict[str, torch.Tensor]:
        """The classification losses plus ``L_attn``.

        Args:
            inputs (torch.Tensor): images, (N, 3, H, W).
            data_samples (list[DataSample]): with labels and targets.

        Returns:
            dict[str, torch.Tensor]: the head's ``loss`` plus ``loss_attn_kld``,
            ``loss_attn_nss``.
        """
        feats = self.backbone(inputs)  # stages: NxCxhxw
        losses = self.head.loss(self._neck(feats), data_samples)
        losses.update(self.attention_loss(feats, data_samples))
        return losses

    def grad_cam_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Without an attention head: Grad-CAM of the top predicted class."""
        return top_class_grad_cam(self, inputs)

    def predict(self, inputs: torch.Tensor, data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Class predictions, with ``pred_saliency`` too when there is an attention head."""
        feats = self.backbone(inputs)
        predictions = self.head.predict(self._neck(feats), data_samples, **kwargs)
        return self.attach_attention(feats, predictions) if self.with_attention \
            else predictions
