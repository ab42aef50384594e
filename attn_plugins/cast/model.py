"""``CAST``: MoCo with saliency-constrained crops and a Grad-CAM grounding loss."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models import MoCo
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..data import stack_field
from ..saliency import to_mask
from .loss import cast_grad_cam_loss, mask_background


@MODELS.register_module()
class CAST(MoCo):
    """CAST: Contrastive Attention-Supervised Tuning.

    Implementation of `CASTing Your Model: Learning to Localize Improves Self-Supervised
    Representations <https://arxiv.org/abs/2012.04630>`_ (Selvaraju et al., CVPR 2021) on
    mmpretrain's ``MoCo``. Both views come from saliency-constrained crops
    (``SaliencyConstrainedRandomResizedCrop`` in a ``SaliencyMultiView`` pipeline, packed by
    ``PackSaliencyInputs``). The key, masked by its saliency after normalisation (background
    = mean colour), goes once more through the key encoder; the Grad-CAM of the query
    encoder's last stage for the score ``q . k_masked`` must match the query's mask. Masked
    keys are never enqueued; samples whose view has an empty mask are left out of the
    Grad-CAM loss. The total is ``ssl_weight * L_moco + cast_weight * L_cast``; both terms are
    logged.

    Args:
        backbone (dict): Backbone config; its last output is the Grad-CAM layer.
        neck (dict): Neck config.
        head (dict): Head config (``ContrastiveHead``).
        queue_len (int): Negative keys in the queue. Defaults to 65536.
        feat_dim (int): Embedding size. Defaults to 128.
        momentum (float): EMA momentum of the key encoder (mmengine's convention:
            ``0.001`` is MoCo's 0.999). Defaults to 0.001.
        ssl_weight (float): Weight of the MoCo loss. Defaults to 1.0 (released run: 0.25).
        cast_weight (float): Weight of the Grad-CAM loss. Defaults to 1.0 (released: 0.75).
        mask_threshold (float): Saliency above this is salient. Defaults to 0.5.
        cosine (str): ``'per_sample'`` (default) or ``'batch'`` (the released code's one
            cosine over the flattened batch).
        data_preprocessor (dict, optional): Defaults to ``SelfSupDataPreprocessor``.
        init_cfg (dict | list[dict], optional): Weight initialisation.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 queue_len: int = 65536,
                 feat_dim: int = 128,
                 momentum: float = 0.001,
                 ssl_weight: float = 1.0,
                 cast_weight: float = 1.0,
                 mask_threshold: float = 0.5,
                 cosine: str = 'per_sample',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, queue_len=queue_len,
                         feat_dim=feat_dim, momentum=momentum,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.ssl_weight = ssl_weight
        self.cast_weight = cast_weight
        self.mask_threshold = mask_threshold
        self.cosine = cosine

    @torch.no_grad()
    def _momentum_keys(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised key embeddings, with MoCo's batch shuffle for BatchNorm under DDP."""
        images, idx_unshuffle = batch_shuffle_ddp(images)
        keys = nn.functional.normalize(self.encoder_k(images)[0], dim=1)
        return batch_unshuffle_ddp(keys, idx_unshuffle)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the MoCo and Grad-CAM losses.

        Args:
            inputs (list[torch.Tensor]): The query and key views, each (N, 3, H, W),
                normalised.
            data_samples (list[DataSample]): Each with ``saliency`` (2, H, W) and
                ``saliency_empty`` (2,) from ``PackSaliencyInputs``.

        Returns:
            dict[str, torch.Tensor]: ``loss_moco`` and ``loss_cast``, already weighted.
        """
        im_q, im_k = inputs
        saliency = stack_field(data_samples, 'saliency', im_q.device)  # N x 2 x H x W
        empty = stack_field(data_samples, 'saliency_empty', im_q.device)  # N x 2
        mask_q = to_mask(saliency[:, 0], self.mask_threshold)
        mask_k = to_mask(saliency[:, 1], self.mask_threshold)

        feats = self.backbone(im_q)  # last: N x C x h x w
        q = nn.functional.normalize(self.neck(feats)[0], dim=1)  # queries: N x D

        with torch.no_grad():
            self.encoder_k.update_parameters(nn.Sequential(self.backbone, self.neck))
        k = self._momentum_keys(im_k)  # keys: N x D
        k_masked = self._momentum_keys(mask_background(im_k, mask_k))  # N x D

        l_pos = torch.einsum('nc,nc->n', [q, k]).unsqueeze(-1)  # N x 1
        l_neg = torch.einsum('nc,ck->nk', [q, self.queue.clone().detach()])  # N x K
        loss_moco = self.head.loss(l_pos, l_neg)

        scores = torch.einsum('nc,nc->n', [q, k_masked])  # N
        valid = ~empty.any(dim=1) & mask_q.flatten(1).any(dim=1)
        loss_cast = cast_grad_cam_loss(feats[-1], scores, mask_q, valid, cosine=self.cosine)

        self._dequeue_and_enqueue(k)  # the unmasked keys only
        return dict(loss_moco=self.ssl_weight * loss_moco,
                    loss_cast=self.cast_weight * loss_cast)
