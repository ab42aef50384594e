"""Grad-CAM maps of whole models laid out as OpenMMLab ones (``backbone``, ``neck``,
``head``, a momentum encoder), read by attribute: no OpenMMLab import.

The models of this package answer ``attention_maps(inputs)`` with these (or with their own
attention head); :func:`attn_plugins.evaluation.model_attention` applies them to mmpretrain's
own ``MoCo`` and ``ImageClassifier``.
"""
from typing import Callable, Optional, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .capture import LayerCapture, last_tensor
from .gradcam import grad_cam_from_activations


def backbone_grad_cam(model: nn.Module, inputs: torch.Tensor,
                      score_fn: Callable[[Sequence[torch.Tensor]], torch.Tensor],
                      layer: str = 'backbone') -> torch.Tensor:
    """Grad-CAM (with ReLU) of a per-image score on a layer of the model's backbone pass.

    Args:
        model (nn.Module): With a ``backbone`` returning a tuple of ``(B, C, h, w)`` stages.
        inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.
        score_fn (callable): Backbone outputs -> ``(B,)`` scores to explain.
        layer (str): Submodule of ``model`` whose output is explained, run once by the
            backbone (a tuple output gives its last item): ``'backbone'`` is the last stage,
            ``'backbone.layer3'`` a ResNet's third. Defaults to ``'backbone'``.

    Returns:
        torch.Tensor: ``(B, h, w)`` maps, detached.

    Raises:
        ValueError: When the backbone pass does not run ``layer`` exactly once.
    """
    with torch.enable_grad(), LayerCapture(model, [layer]) as capture:
        # A leaf that requires grad keeps the graph even for a frozen model.
        feats = model.backbone(inputs.detach().requires_grad_())
        calls = capture.outputs[layer]
        if len(calls) != 1:
            raise ValueError(f'Grad-CAM layer {layer!r} ran {len(calls)} times in one pass of '
                             'the backbone; name a layer inside the backbone that runs once '
                             '(e.g. "backbone" or "backbone.layer3")')
        return grad_cam_from_activations(last_tensor(calls[0]), score_fn(feats),
                                         relu=True).detach()


#: Attribute names of the momentum (key, target) encoder: MoCo, MoCo v3, BYOL.
KEY_ENCODER_NAMES = ('encoder_k', 'momentum_encoder', 'target_net')


def key_encoder(model: nn.Module) -> Optional[nn.Module]:
    """The model's momentum encoder (backbone + neck), or None when it has none.

    Args:
        model (nn.Module): A self-supervised model.

    Returns:
        nn.Module | None: The first of :data:`KEY_ENCODER_NAMES` the model has.
    """
    for name in KEY_ENCODER_NAMES:
        encoder = getattr(model, name, None)
        if encoder is not None:
            return encoder
    return None


def contrastive_grad_cam(model: nn.Module, inputs: torch.Tensor,
                         keys: Optional[torch.Tensor] = None,
                         layer: str = 'backbone') -> torch.Tensor:
    """Grad-CAM of a contrastive model: the cosine of each image's online embedding with a
    key embedding of the same image (CAST's training score, unmasked).

    Args:
        model (nn.Module): With ``backbone`` and ``neck`` (on the last stage) and, unless
            ``keys`` is given, a momentum encoder (:func:`key_encoder`: backbone + neck,
            returning a tuple whose first item is ``(B, D)``).
        inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.
        keys (torch.Tensor, optional): ``(B, D)`` normalised key embeddings of ``inputs``
            (for a model without a momentum encoder).
        layer (str): The explained layer (:func:`backbone_grad_cam`). Defaults to the
            backbone's last stage.

    Returns:
        torch.Tensor: ``(B, h, w)`` maps on ``layer``, detached.
    """
    if keys is None:
        encoder = key_encoder(model)
        if encoder is None:
            raise TypeError(f'a {type(model).__name__} has no momentum encoder '
                            f'({", ".join(KEY_ENCODER_NAMES)}); pass keys=')
        with torch.no_grad():
            keys = F.normalize(encoder(inputs)[0], dim=1)

    def score(feats):
        queries = F.normalize(model.neck(feats[-1:])[0], dim=1)
        return (queries * keys).sum(dim=1)

    return backbone_grad_cam(model, inputs, score, layer)


def top_class_grad_cam(model: nn.Module, inputs: torch.Tensor,
                       layer: str = 'backbone') -> torch.Tensor:
    """Grad-CAM of a classifier's top predicted class on its backbone's last stage (or on
    ``layer``).

    Args:
        model (nn.Module): With ``backbone``, ``head`` (logits from the neck's output) and
            ``neck`` (used when ``model.with_neck``).
        inputs (torch.Tensor): ``(B, 3, H, W)`` normalised images.
        layer (str): The explained layer (:func:`backbone_grad_cam`). Defaults to the
            backbone's last stage.

    Returns:
        torch.Tensor: ``(B, h, w)`` maps, detached.
    """
    def score(feats):
        feats = feats[-1:]
        logits = model.head(model.neck(feats) if getattr(model, 'with_neck', False) else feats)
        return logits.gather(1, logits.argmax(dim=1, keepdim=True))[:, 0]

    return backbone_grad_cam(model, inputs, score, layer)
