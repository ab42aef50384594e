"""``CAST``: MoCo with saliency-constrained crops and a Grad-CAM grounding loss."""
from typing import Dict, List, Optional, Union

import torch
import torch.nn as nn
from mmpretrain.models import MoCo
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample

from ..attention import momentum_contrast_grad_cam
from ..data import stack_field
from ..saliency import to_mask
from .loss import cast_grad_cam_loss, mask_background, mask_to_grid


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
    keys are never enqueued. A sample is left out of the Grad-CAM loss when its query target
    is empty on the Grad-CAM grid or its key mask is empty (the masked key would be a
    constant mean-colour image); the share of samples kept is logged as ``cast_valid``. The
    total is ``ssl_weight * L_moco + cast_weight * L_cast``; both terms are logged.

    Differences from the released code, and how to undo them: the release computes one
    cosine over the flattened batch and point-samples the query mask onto the grid
    (bilinear, ``align_corners=True``); here each sample gets its own cosine and the target
    is the salient area fraction of each cell. ``release_compat=True`` switches both to the
    release's choices. The release also calls its MoCo forward twice per step (once for the
    key, once for the masked key), so its key encoder takes two EMA steps per iteration:
    with ``m = 0.999`` that is ``0.999 ** 2`` per iteration, which ``momentum=0.001999``
    (mmengine's convention, ``1 - 0.999 ** 2``) reproduces. The release clips the gradient
    norm at 2 and applies colour jitter with probability 0.5: those are recipe settings,
    in the CAST configs (``optim_wrapper.clip_grad``, the view pipeline).

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
        cosine (str, optional): ``'per_sample'`` or ``'batch'`` (the released code's one
            cosine over the flattened batch). Defaults to ``'batch'`` with
            ``release_compat`` and ``'per_sample'`` otherwise.
        target_resize (str, optional): ``'area'`` (area fraction per grid cell) or
            ``'bilinear'`` (the release's point sampling); see
            :func:`attn_plugins.cast.mask_to_grid`. Defaults to ``'bilinear'`` with
            ``release_compat`` and ``'area'`` otherwise.
        release_compat (bool): Use the released code's loss choices (batch cosine, bilinear
            target), for an exact A/B against it. Defaults to False.
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
                 cosine: Optional[str] = None,
                 target_resize: Optional[str] = None,
                 release_compat: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[List[dict], dict]] = None) -> None:
        super().__init__(backbone=backbone, neck=neck, head=head, queue_len=queue_len,
                         feat_dim=feat_dim, momentum=momentum,
                         data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.ssl_weight = ssl_weight
        self.cast_weight = cast_weight
        self.mask_threshold = mask_threshold
        release = dict(cosine='batch', target_resize='bilinear')
        chosen = dict(cosine=cosine, target_resize=target_resize)
        if release_compat:
            clash = {k: v for k, v in chosen.items() if v not in (None, release[k])}
            if clash:
                raise ValueError(f'release_compat=True uses the released code\'s {release}; '
                                 f'it cannot be combined with {clash}. Drop one of them.')
        defaults = release if release_compat else dict(cosine='per_sample',
                                                       target_resize='area')
        self.cosine = cosine or defaults['cosine']
        self.target_resize = target_resize or defaults['target_resize']
        self.release_compat = release_compat

    @torch.no_grad()
    def _momentum_keys(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised key embeddings, with MoCo's batch shuffle for BatchNorm under DDP."""
        images, idx_unshuffle = batch_shuffle_ddp(images)
        keys = nn.functional.normalize(self.encoder_k(images)[0], dim=1)
        return batch_unshuffle_ddp(keys, idx_unshuffle)

    def attention_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Grad-CAM of each image's query . key (CAST's score, unmasked) on the last stage.

        Args:
            inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            torch.Tensor: ``(B, h, w)`` maps, detached.
        """
        return momentum_contrast_grad_cam(self, inputs)

    def loss(self, inputs: List[torch.Tensor], data_samples: List[DataSample],
             **kwargs) -> Dict[str, torch.Tensor]:
        """Compute the MoCo and Grad-CAM losses.

        Args:
            inputs (list[torch.Tensor]): The query and key views, each (N, 3, H, W),
                normalised.
            data_samples (list[DataSample]): Each with ``saliency`` (2, h, w) and
                ``saliency_empty`` (2,) from ``PackSaliencyInputs``; maps smaller than the
                views (a crop's ``map_size``, same aspect ratio) are resized bilinearly to
                the views' size before thresholding.

        Returns:
            dict[str, torch.Tensor]: ``loss_moco`` and ``loss_cast``, already weighted, and
            ``cast_valid``, the share of samples in the Grad-CAM loss (logged, not a loss).
        """
        im_q, im_k = inputs
        saliency = stack_field(data_samples, 'saliency', im_q.device)  # N x 2 x h x w
        if saliency.shape[-2:] != im_q.shape[-2:]:
            # Maps the pipeline kept at a coarser map_size: back to the views' size before
            # thresholding, for the masked key (the query's target is pooled to the grid).
            saliency = nn.functional.interpolate(saliency.float(), size=im_q.shape[-2:],
                                                 mode='bilinear', align_corners=False)
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
        targets = mask_to_grid(mask_q, feats[-1].shape[-2:], self.target_resize)  # N x h x w
        valid = (~empty.any(dim=1) & targets.flatten(1).gt(0).any(dim=1)
                 & mask_k.flatten(1).any(dim=1))  # N
        loss_cast = cast_grad_cam_loss(feats[-1], scores, targets, valid, cosine=self.cosine,
                                       target_resize=self.target_resize)

        self._dequeue_and_enqueue(k)  # the unmasked keys only
        return dict(loss_moco=self.ssl_weight * loss_moco,
                    loss_cast=self.cast_weight * loss_cast,
                    cast_valid=valid.float().mean())
