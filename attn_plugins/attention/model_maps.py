"""Grad-CAM maps of whole models laid out as OpenMMLab ones (``backbone``, ``neck``,
``head``, a momentum ``encoder_k``), read by attribute: no OpenMMLab import.

The models of this package answer ``attention_maps(inputs)`` with these (or with their own
attention head); :func:`attn_plugins.evaluation.model_attention` applies them to mmpretrain's
own ``MoCo`` and ``ImageClassifier``.
"""
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .gradcam import grad_cam_from_activations


def backbone_grad_cam(backbone: nn.Module, inputs: torch.Tensor,
                      score_fn: Callable[[Sequence[torch.Tensor]], torch.Tensor]
                      ) -> torch.Tensor:
    """Grad-CAM (with ReLU) on the backbone's last output of a per-image score.

    Args:
        backbone (nn.Module): Returns a tuple of ``(B, C, h, w)`` stages.
        inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.
        score_fn (callable): Backbone outputs -> ``(B,)`` scores to explain.

    Returns:
        torch.Tensor: ``(B, h, w)`` maps, detached.
    """
    with torch.enable_grad():
        # A leaf that requires grad keeps the graph even for a frozen model.
        feats = backbone(inputs.detach().requires_grad_())
        return grad_cam_from_activations(feats[-1], score_fn(feats), relu=True).detach()


def momentum_contrast_grad_cam(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Grad-CAM of a MoCo-style model: the cosine of each image's query with the momentum
    encoder's embedding of the same image (CAST's training score, unmasked).

    Args:
        model (nn.Module): With ``backbone``, ``neck`` (on the last stage) and ``encoder_k``
            (backbone + neck, returning a tuple whose first item is ``(B, D)``).
        inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

    Returns:
        torch.Tensor: ``(B, h, w)`` maps on the backbone's last stage, detached.
    """
    with torch.no_grad():
        keys = F.normalize(model.encoder_k(inputs)[0], dim=1)

    def score(feats):
        queries = F.normalize(model.neck(feats[-1:])[0], dim=1)
        return (queries * keys).sum(dim=1)

    return backbone_grad_cam(model.backbone, inputs, score)


def top_class_grad_cam(model: nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """Grad-CAM of a classifier's top predicted class on its backbone's last stage.

    Args:
        model (nn.Module): With ``backbone``, ``head`` (logits from the neck's output) and
            ``neck`` (used when ``model.with_neck``).
        inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.

    Returns:
        torch.Tensor: ``(B, h, w)`` maps, detached.
    """
    def score(feats):
        feats = feats[-1:]
        logits = model.head(model.neck(feats) if getattr(model, 'with_neck', False) else feats)
        return logits.gather(1, logits.argmax(dim=1, keepdim=True))[:, 0]

    return backbone_grad_cam(model.backbone, inputs, score)
