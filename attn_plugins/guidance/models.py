"""Attach attention losses to mmpretrain algorithms without touching their loss.

:class:`AttentionGuidedMixin` runs the algorithm's own ``loss`` while recording the layers
the attention losses read (forward hooks, :class:`attn_plugins.attention.LayerCapture`),
then hands the recorded step to each loss component (:mod:`attn_plugins.guidance.losses`).
One registered class per algorithm says how that algorithm batches its views::

    model = dict(
        type='GuidedMoCo',                       # mmpretrain's MoCo, unchanged
        ...,                                     # MoCo's own arguments
        attention_losses=dict(
            cast=dict(type='CASTGroundingLoss', loss_weight=0.75),
            teacher=dict(type='TeacherAttentionLoss', layer='backbone.layer3',
                         attn_head=dict(type='SpatialAttentionHead', in_channels=1024))))

``attention_losses`` is a dict so configs compose and ablate by name: a child config adds
a loss or changes one field of it, and ``--cfg-options model.attention_losses.cast=None``
turns one off. For another algorithm, write
``class GuidedX(AttentionGuidedMixin, X)`` and set its class attributes.
"""
from contextlib import nullcontext
from typing import Dict, List, Optional

import torch
import torch.nn.functional as F
from mmpretrain.models import BYOL, ImageClassifier, MoCo, MoCoV3, SimCLR
from mmpretrain.models.utils import batch_shuffle_ddp, batch_unshuffle_ddp
from mmpretrain.registry import MODELS
from mmpretrain.structures import DataSample
from torch import nn
from torch.nn.attention import SDPBackend, sdpa_kernel

from ..attention import contrastive_grad_cam, key_encoder, top_class_grad_cam
from ..attention.capture import LayerCapture, last_tensor
from ..data.fields import PRED_SALIENCY
from .batch import GuidanceBatch, view_rows


class AttentionGuidedMixin:
    """Adds ``attention_losses`` to an mmpretrain algorithm (put it first in the bases).

    The algorithm's losses come back unchanged except that its total ``loss`` is renamed
    :attr:`algorithm_loss_name` and multiplied by ``algorithm_weight``; each attention
    loss adds its own terms. ``attention_maps(inputs)`` answers with the first attention
    loss that predicts maps (a teacher-attention head), else the backbone's own attention
    (VARS), else Grad-CAM of the algorithm's score.

    Class attributes:
        view_layout (str): How the online forward holds the views (:func:`view_rows`).
        output_module (str): The module whose output is the online embedding
            (``'neck'``) or the logits (``'head'``).
        output_kind (str): ``'embedding'`` or ``'logits'``.
        algorithm_loss_name (str): Log name of the algorithm's own total.
        shuffle_keys (bool): Batch-shuffle the key encoder's input under DDP (MoCo).

    Args:
        attention_losses (dict, optional): name -> loss config (or module, or None to
            leave it out).
        algorithm_weight (float): Weight of the algorithm's own loss. Defaults to 1.0
            (CAST's release: 0.25).
        *args, **kwargs: The algorithm's own arguments.
    """

    view_layout = 'separate'
    output_module = 'neck'
    output_kind = 'embedding'
    algorithm_loss_name = 'loss_ssl'
    shuffle_keys = False

    def __init__(self, *args, attention_losses: Optional[dict] = None,
                 algorithm_weight: float = 1.0, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.attention_losses = nn.ModuleDict({
            name: MODELS.build(cfg) if isinstance(cfg, dict) else cfg
            for name, cfg in (attention_losses or {}).items() if cfg is not None})
        self.algorithm_weight = algorithm_weight

    def loss(self, inputs, data_samples: List[DataSample], **kwargs) -> Dict[str, torch.Tensor]:
        """The algorithm's loss plus every attention loss's terms.

        Args:
            inputs (Tensor | list[Tensor]): The views (a classifier's one batch).
            data_samples (list[DataSample]): With the fields the attention losses read.

        Returns:
            dict[str, Tensor]: :attr:`algorithm_loss_name` and the attention terms.
        """
        # Fused scaled-dot-product attention has no double backward: a loss that
        # differentiates a gradient (Grad-CAM) needs the math kernel in every forward.
        second_order = any(getattr(loss, 'second_order', False)
                           for loss in self.attention_losses.values())
        with sdpa_kernel(SDPBackend.MATH) if second_order else nullcontext():
            return self._guided_loss(inputs, data_samples, **kwargs)

    def _guided_loss(self, inputs, data_samples: List[DataSample],
                     **kwargs) -> Dict[str, torch.Tensor]:
        layers = ['backbone', self.output_module]
        layers += [loss.layer for loss in self.attention_losses.values()]
        with LayerCapture(self, layers) as capture:
            losses = super().loss(inputs, data_samples, **kwargs)
        if 'loss' in losses:
            losses[self.algorithm_loss_name] = losses.pop('loss')
        losses[self.algorithm_loss_name] = (self.algorithm_weight
                                            * losses[self.algorithm_loss_name])
        if not self.attention_losses:
            return losses
        views = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        calls = capture.calls('backbone')
        for name in layers:
            if capture.calls(name) != calls:
                raise ValueError(f'{name!r} ran {capture.calls(name)} times but the backbone '
                                 f'{calls}: attention losses need a layer that runs once per '
                                 'backbone call')
        batch = GuidanceBatch(
            model=self, views=views, data_samples=data_samples,
            rows=view_rows(views, capture.inputs['backbone'], self.view_layout),
            layers={name: capture.outputs[name] for name in layers},
            outputs=capture.outputs[self.output_module], output_kind=self.output_kind)
        for name, attention_loss in self.attention_losses.items():
            for key, value in attention_loss(batch).items():
                if key in losses:
                    raise KeyError(f'attention loss {name!r} logs {key!r}, which another '
                                   'loss already logs')
                losses[key] = value
        return losses

    @torch.no_grad()
    def key_embeddings(self, images: torch.Tensor) -> torch.Tensor:
        """Normalised ``(N, D)`` embeddings of the key encoder, without gradient: the
        momentum encoder when there is one, else the online backbone and neck on scratch
        copies of their buffers (BatchNorm's running statistics are neither updated by the
        extra batch nor bumped in version under the step's autograd graph)."""
        encoder = key_encoder(self)
        if encoder is None:
            online = nn.Sequential(self.backbone, self.neck)
            scratch = {name: buf.clone() for name, buf in online.named_buffers()}
            keys = torch.func.functional_call(online, scratch, (images, ))
            return F.normalize(last_tensor(keys), dim=1)
        if not self.shuffle_keys:
            return F.normalize(encoder(images)[0], dim=1)
        images, idx_unshuffle = batch_shuffle_ddp(images)
        keys = F.normalize(encoder(images)[0], dim=1)
        return batch_unshuffle_ddp(keys, idx_unshuffle)

    def attention_maps(self, inputs: torch.Tensor) -> torch.Tensor:
        """Where the model looks, ``(B, h, w)``, detached.

        Args:
            inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

        Returns:
            torch.Tensor: An attention loss's prediction (teacher head), the backbone's own
            attention (VARS) or Grad-CAM of the algorithm's score on the last stage.
        """
        for attention_loss in self.attention_losses.values():
            if hasattr(attention_loss, 'attention_maps'):
                with torch.no_grad():
                    return attention_loss.attention_maps(self, inputs)
        if hasattr(self.backbone, 'attention_maps'):
            with torch.no_grad():
                return self.backbone.attention_maps(inputs)
        return self.grad_cam_maps(inputs)

    def grad_cam_maps(self, inputs: torch.Tensor, layer: str = 'backbone') -> torch.Tensor:
        """Grad-CAM of each image's query . key on the backbone's last stage (or on
        ``layer``, e.g. the one a ``CASTGroundingLoss`` trains)."""
        keys = None if key_encoder(self) is not None else self.key_embeddings(inputs)
        return contrastive_grad_cam(self, inputs, keys, layer)

    def forward(self, inputs, data_samples: Optional[List[DataSample]] = None,
                mode: str = 'tensor'):
        """The algorithm's modes, plus ``'predict'`` for self-supervised ones: each data
        sample gets ``pred_saliency``, its :meth:`attention_maps` (what ``SaliencyMetric``
        and the alignment tools read)."""
        if mode != 'predict' or self.output_kind == 'logits':
            return super().forward(inputs, data_samples, mode)
        maps = self.attention_maps(inputs)
        if data_samples is None:
            data_samples = [DataSample() for _ in range(len(maps))]
        for sample, attention in zip(data_samples, maps):
            sample.set_field(attention, PRED_SALIENCY)
        return data_samples


@MODELS.register_module()
class GuidedMoCo(AttentionGuidedMixin, MoCo):
    """mmpretrain's ``MoCo`` (v1 / v2) with ``attention_losses``; see
    :class:`AttentionGuidedMixin`. Its one online view is the query (view 0)."""

    algorithm_loss_name = 'loss_moco'
    shuffle_keys = True


@MODELS.register_module()
class GuidedMoCoV3(AttentionGuidedMixin, MoCoV3):
    """mmpretrain's ``MoCoV3`` with ``attention_losses``; both views are online."""

    algorithm_loss_name = 'loss_mocov3'


@MODELS.register_module()
class GuidedBYOL(AttentionGuidedMixin, BYOL):
    """mmpretrain's ``BYOL`` with ``attention_losses``; both views are online."""

    algorithm_loss_name = 'loss_byol'


@MODELS.register_module()
class GuidedSimCLR(AttentionGuidedMixin, SimCLR):
    """mmpretrain's ``SimCLR`` with ``attention_losses``. Both views go through the backbone
    as one interleaved batch; without a momentum encoder, CAST's masked key is embedded
    by the online encoder without gradient."""

    view_layout = 'interleaved'
    algorithm_loss_name = 'loss_simclr'


@MODELS.register_module()
class GuidedImageClassifier(AttentionGuidedMixin, ImageClassifier):
    """mmpretrain's ``ImageClassifier`` with ``attention_losses``: the scores are its
    logits (CAST explains the label's logit; ATCON the top class). ``predict`` adds
    ``pred_saliency`` when an attention loss predicts maps (a teacher head)."""

    output_module = 'head'
    output_kind = 'logits'
    algorithm_loss_name = 'loss_cls'

    def grad_cam_maps(self, inputs: torch.Tensor, layer: str = 'backbone') -> torch.Tensor:
        """Grad-CAM of the top predicted class on the backbone's last stage (or on
        ``layer``)."""
        return top_class_grad_cam(self, inputs, layer)

    def activations_and_logits(self, inputs: torch.Tensor, layer: str = 'backbone'):
        """``layer``'s output and the logits, in one pass (what ATCON's consistency reads).

        Args:
            inputs (Tensor): ``(B, 3, H, W)`` normalised images.
            layer (str): A submodule name; a tuple output gives its last item.

        Returns:
            tuple[Tensor, Tensor]: ``(B, C, h, w)`` activations and ``(B, K)`` logits.
        """
        with LayerCapture(self, [layer]) as capture:
            logits = self.head(self.extract_feat(inputs))
        return last_tensor(capture.outputs[layer][0]), logits

    def predict(self, inputs: torch.Tensor, data_samples: Optional[List[DataSample]] = None,
                **kwargs) -> List[DataSample]:
        """Class predictions, with ``pred_saliency`` when an attention loss predicts maps."""
        predictions = super().predict(inputs, data_samples, **kwargs)
        if any(hasattr(loss, 'attention_maps') for loss in self.attention_losses.values()):
            for sample, attention in zip(predictions, self.attention_maps(inputs)):
                sample.set_field(attention, PRED_SALIENCY)
        return predictions
