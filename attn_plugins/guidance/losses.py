"""Attention losses as registered components: each reads one step's :class:`GuidanceBatch`
and returns its logged terms. They attach to any algorithm through
:class:`attn_plugins.guidance.AttentionGuidedMixin` (``model.attention_losses``).

The maths stays in the pure-torch cores (:mod:`attn_plugins.cast.loss`,
:mod:`attn_plugins.teacher.losses`, :mod:`attn_plugins.atcon.consistency`); these classes
only pick the inputs out of the step.
"""
from typing import Dict, Optional, Union

import torch
import torch.nn.functional as F
from mmpretrain.registry import MODELS
from torch import nn

from ..atcon.consistency import batchnorm_eval, consistency_loss
from ..attention import token_grid
from ..attention.capture import LayerCapture, last_tensor
from ..cast.loss import cast_map_loss, mask_background, mask_to_grid
from ..data import stack_field
from ..data.fields import SALIENCY
from ..saliency import to_mask
from ..teacher.heads import SpatialAttentionHead
from .batch import GuidanceBatch

MODELS.register_module(module=SpatialAttentionHead)


def _reshape(tokens: Optional[dict]):
    """``token_grid(**tokens)`` for a transformer layer, None for a (B, C, h, w) one."""
    return None if tokens is None else token_grid(**tokens)


@MODELS.register_module()
class CASTGroundingLoss(nn.Module):
    """CAST's Grad-CAM grounding loss (Selvaraju et al., CVPR 2021) on any algorithm.

    For each view the online encoder ran on, the Grad-CAM of a per-sample score on ``layer``
    must match the view's saliency mask: ``loss_cast = weight * (1 - cos(GradCAM, target))``,
    averaged over those views; ``cast_valid`` logs the share of samples kept. The score:

    - contrastive algorithms: ``q . k_masked``, the view's online embedding (the neck's
      output) against the key encoder's embedding of the *other* view with its background
      replaced by the mean colour. With a momentum encoder (MoCo's ``encoder_k``, MoCo v3's
      ``momentum_encoder``, BYOL's ``target_net``) that encoder embeds the masked key, as in
      CAST; without one (SimCLR) the online encoder does, without gradient and with its
      BatchNorm statistics left untouched. On MoCo v2 with a query and a key view this is
      CAST exactly (masked keys are never enqueued).
    - classifiers: the logit of the sample's label (``gt_label``).

    A sample is left out when its target is empty on the Grad-CAM grid, its maps are marked
    empty (``saliency_empty``) or, for contrastive scores, the other view's mask is empty
    (the masked key would be a constant image).

    Differences from the released code, and how to undo them: the release computes one
    cosine over the flattened batch and point-samples the query mask onto the grid
    (bilinear, ``align_corners=True``); the defaults here give each sample its own cosine
    and use the salient area fraction of each cell. ``release_compat=True`` switches both.
    The release also steps the key encoder's EMA twice per iteration (it calls its MoCo
    forward for the key and again for the masked key): ``momentum=0.001999`` on the MoCo
    model (``1 - 0.999 ** 2``) reproduces that.

    Args:
        loss_weight (float): Weight of the loss. Defaults to 1.0 (CAST's release: 0.75).
        layer (str): Recorded layer whose output Grad-CAM explains; a backbone's last stage
            is ``'backbone'``. Defaults to ``'backbone'``.
        tokens (dict, optional): For a transformer layer, the arguments of
            :func:`attn_plugins.attention.token_grid` (e.g. ``dict(num_extra_tokens=1)``).
        mask_threshold (float): Saliency above this is salient. Defaults to 0.5.
        cosine (str, optional): ``'per_sample'`` or ``'batch'``. Defaults to ``'batch'``
            with ``release_compat`` and ``'per_sample'`` otherwise.
        target_resize (str, optional): ``'area'`` or ``'bilinear'``
            (:func:`attn_plugins.cast.mask_to_grid`). Defaults to ``'bilinear'`` with
            ``release_compat`` and ``'area'`` otherwise.
        release_compat (bool): The release's loss choices. Defaults to False.
        saliency_key (str): Data-sample field with one map per view, ``(V, h, w)``; maps
            coarser than the views are resized to them before thresholding.
    """

    #: The loss differentiates a gradient: the algorithm's forward must support it.
    second_order = True

    def __init__(self,
                 loss_weight: float = 1.0,
                 layer: str = 'backbone',
                 tokens: Optional[dict] = None,
                 mask_threshold: float = 0.5,
                 cosine: Optional[str] = None,
                 target_resize: Optional[str] = None,
                 release_compat: bool = False,
                 saliency_key: str = SALIENCY) -> None:
        super().__init__()
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
        self.loss_weight = loss_weight
        self.layer = layer
        self.tokens = tokens
        self.mask_threshold = mask_threshold
        self.saliency_key = saliency_key

    def _masks(self, batch: GuidanceBatch):
        """Per-view binary masks at the views' size, ``(N, V, H, W)``, and ``empty``."""
        device = batch.views[0].device
        saliency = stack_field(batch.data_samples, self.saliency_key, device)
        if saliency.ndim == 3:  # one map per sample: a single-view model
            saliency = saliency[:, None]
        size = batch.views[0].shape[-2:]
        if saliency.shape[-2:] != size:
            # Maps the pipeline kept at a coarser map_size: back to the views' size before
            # thresholding, for the masked key (the target is pooled to the grid anyway).
            saliency = F.interpolate(saliency.float(), size=size, mode='bilinear',
                                     align_corners=False)
        masks = to_mask(saliency, self.mask_threshold)
        empty_key = f'{self.saliency_key}_empty'
        if all(empty_key in sample for sample in batch.data_samples):
            empty = stack_field(batch.data_samples, empty_key, device).view(len(masks), -1)
        else:
            empty = torch.zeros(masks.shape[:2], dtype=torch.bool, device=device)
        return masks, empty.bool()

    def forward(self, batch: GuidanceBatch) -> Dict[str, torch.Tensor]:
        """``loss_cast`` (weighted) and ``cast_valid`` (logged, not a loss)."""
        masks, empty = self._masks(batch)
        outputs = batch.view_outputs()
        scores, valid = {}, {}
        for view in batch.online_views:
            if batch.output_kind == 'logits':
                labels = torch.stack([sample.gt_label[0] for sample in batch.data_samples])
                labels = labels.to(outputs[view].device)
                scores[view] = outputs[view].gather(1, labels[:, None])[:, 0]
                valid[view] = ~empty[:, view]
                continue
            other = batch.partner(view)
            keys = batch.model.key_embeddings(mask_background(batch.views[other], masks[:, other]))
            queries = F.normalize(outputs[view], dim=1)
            scores[view] = (queries * keys).sum(dim=1)
            valid[view] = (~empty[:, [view, other]].any(dim=1)
                           & masks[:, other].flatten(1).any(dim=1))
        cams = batch.grad_cam(self.layer, scores, _reshape(self.tokens))
        losses, kept = [], []
        for view, cam in cams.items():
            losses.append(cast_map_loss(cam, masks[:, view], valid[view], self.cosine,
                                        self.target_resize))
            targets = mask_to_grid(masks[:, view], cam.shape[-2:], self.target_resize)
            kept.append(valid[view] & targets.flatten(1).gt(0).any(dim=1))
        return dict(loss_cast=self.loss_weight * torch.stack(losses).mean(),
                    cast_valid=torch.cat(kept).float().mean())


@MODELS.register_module()
class TeacherAttentionLoss(nn.Module):
    """The teacher-attention loss (Yao et al., CVPR 2023) on any algorithm.

    An attention head on ``layer`` predicts a spatial distribution ``m_p`` for every view
    the online encoder ran on (applied to each forward pass's whole batch, then split by
    view), trained with ``lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)``; the two terms are
    logged as ``loss_attn_kld`` and ``loss_attn_nss``. ``m_t`` is the data samples'
    ``target_key`` field (one map per view, ``(V, H, W)``, or one per sample for a
    single-view model): the teacher's maps (``'saliency'``: from files, or online via
    ``OnlineTeacherHook``) or human fixation densities (``'fixation_density'``,
    co-training). ``p_t`` is the ``fixation_key`` field or, when that is None, derived from
    ``m_t`` as the head says. A sample with an all-zero target is left out. The head also
    answers the model's ``attention_maps``.

    Args:
        attn_head (dict | SpatialAttentionHead): The head (its ``lam``, ``beta``,
            ``fixation_from``).
        layer (str): Recorded layer the head reads, e.g. ``'backbone.layer3'``.
        tokens (dict, optional): For a transformer layer, the arguments of
            :func:`attn_plugins.attention.token_grid`.
        target_key (str): Data-sample field with ``m_t``.
        fixation_key (str, optional): Field with human fixation maps to use as ``p_t``.
    """

    def __init__(self,
                 attn_head: Union[dict, SpatialAttentionHead],
                 layer: str = 'backbone.layer3',
                 tokens: Optional[dict] = None,
                 target_key: str = SALIENCY,
                 fixation_key: Optional[str] = None) -> None:
        super().__init__()
        self.attn_head = MODELS.build(attn_head) if isinstance(attn_head, dict) else attn_head
        self.layer = layer
        self.tokens = tokens
        self.target_key = target_key
        self.fixation_key = fixation_key

    def _grid(self, activations: torch.Tensor) -> torch.Tensor:
        reshape = _reshape(self.tokens)
        return activations if reshape is None else reshape(activations)

    def _view_maps(self, batch: GuidanceBatch, key: str, view: int) -> torch.Tensor:
        maps = stack_field(batch.data_samples, key, batch.views[0].device)  # (N, [V,] H, W)
        if maps.ndim == 3:
            if len(batch.views) > 1:
                raise ValueError(f'{key!r} has one map per sample, but this model has '
                                 f'{len(batch.views)} views: make the views with '
                                 "SaliencyMultiView, which keeps each view's maps")
            return maps
        return maps[:, view]

    def forward(self, batch: GuidanceBatch) -> Dict[str, torch.Tensor]:
        """``loss_attn_kld`` and ``loss_attn_nss`` over the online views."""
        predictions = batch.per_view([self.attn_head(self._grid(acts))
                                      for acts in batch.activations(self.layer)])
        views = batch.online_views
        teacher = torch.cat([self._view_maps(batch, self.target_key, v) for v in views])
        fixations = None if self.fixation_key is None else torch.cat(
            [self._view_maps(batch, self.fixation_key, v) for v in views])
        terms = self.attn_head.prediction_loss(
            torch.cat([predictions[v] for v in views]), teacher, fixations)
        return dict(loss_attn_kld=terms.kld, loss_attn_nss=terms.nss)

    def attention_maps(self, model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
        """The head's distribution on ``inputs``, ``(B, h, w)``, detached."""
        with torch.no_grad(), LayerCapture(model, [self.layer]) as capture:
            model.backbone(inputs)
        return self.attn_head(self._grid(last_tensor(capture.outputs[self.layer][0])))


@MODELS.register_module()
class ATCONConsistencyLoss(nn.Module):
    """ATCON's attention-consistency loss (Mirzazadeh, Dubost et al., WACV 2023) on a
    classifier: minus the correlation of the Grad-CAM of the top class on ``layer`` with the
    Grad-CAM of the image masked by its Guided-Backprop map, second order, with BatchNorm in
    eval mode (three extra forward and backward passes per step), logged as
    ``loss_consistency``. Added to the classification loss on every sample, this is ATCON's
    ``'combined'`` mode on one batch; ``ATCONClassifier`` keeps the paper's loops.

    Args:
        loss_weight (float): ``alpha``. Defaults to 1.0.
        layer (str): Recorded layer whose output Grad-CAM explains. Defaults to
            ``'backbone'`` (its last stage).
        mask_intensity (float): ``w`` of the guided mask. Defaults to 8.0.
        mask_standardize (bool): The scale-free mask. Defaults to False.
    """

    second_order = True

    def __init__(self, loss_weight: float = 1.0, layer: str = 'backbone',
                 mask_intensity: float = 8.0, mask_standardize: bool = False) -> None:
        super().__init__()
        self.loss_weight = loss_weight
        self.layer = layer
        self.mask_intensity = mask_intensity
        self.mask_standardize = mask_standardize

    def forward(self, batch: GuidanceBatch) -> Dict[str, torch.Tensor]:
        """``loss_consistency`` (weighted) on the batch's images."""
        if batch.output_kind != 'logits':
            raise TypeError('ATCONConsistencyLoss explains class scores: attach it to a '
                            'classifier (GuidedImageClassifier)')
        model = batch.model

        def activations_and_logits(images):
            return model.activations_and_logits(images, self.layer)

        with batchnorm_eval(model):
            loss = consistency_loss(activations_and_logits, batch.views[0],
                                    mask_intensity=self.mask_intensity,
                                    mask_standardize=self.mask_standardize)
        return dict(loss_consistency=self.loss_weight * loss)
