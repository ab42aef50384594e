"""Where a model looks: one attention map per image, for any model of this package or of
mmpretrain.

Used by ``tools/vis_attention.py`` (overlays) and the attention-alignment evaluation.
"""
from typing import Optional, Sequence

import numpy as np
import torch
from mmpretrain.models import ImageClassifier

from ..attention import contrastive_grad_cam, key_encoder, top_class_grad_cam
from ..saliency import minmax_scale


def preprocess_images(model: torch.nn.Module, images: Sequence[np.ndarray]) -> torch.Tensor:
    """Normalise images exactly as the model's own data preprocessor does at test time.

    Args:
        model (nn.Module): A model with a ``data_preprocessor`` (any mmpretrain model).
        images (Sequence[np.ndarray]): (H, W, 3) uint8 BGR images of one size (as mmcv loads
            them).

    Returns:
        torch.Tensor: (B, 3, H, W) float inputs on the model's device.
    """
    batch = torch.stack([torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))
                         for img in images])
    return model.data_preprocessor(dict(inputs=batch, data_samples=None), False)['inputs']


def model_attention(model: torch.nn.Module, inputs: torch.Tensor,
                    gradcam_layer: Optional[str] = None) -> torch.Tensor:
    """One attention map per input, min-max scaled to [0, 1], at the model's map resolution.

    - Models that define ``attention_maps(inputs)`` answer for themselves: every model this
      package registers does (guided models: a teacher-attention head's prediction, else
      the backbone's own attention, else Grad-CAM of query . key or of the top class;
      ``SaliencyTeacher``: its prediction).
    - Models whose backbone defines ``attention_maps(inputs)`` (the VARS ViTs: the last
      layer's class-token attention, read from the sparse codes for a VARS layer).
    - mmpretrain's own models: with a momentum encoder (``MoCo``, ``MoCoV3``, ``BYOL``),
      Grad-CAM of query . key on the backbone's last stage; an ``ImageClassifier``,
      Grad-CAM of the top class.

    With ``gradcam_layer`` every model is read the same way instead: Grad-CAM of query . key
    (contrastive models) or of the top class (classifiers) on that layer, so a layer an
    attention loss trains (CAST's ``backbone.layer3`` at 64 px) can be compared across
    models, whatever their own answer.

    BatchNorm runs in eval mode (the model is switched to eval and back), so maps do not
    depend on the rest of the batch.

    Args:
        model (nn.Module): The model.
        inputs (torch.Tensor): (B, 3, H, W) normalised inputs (:func:`preprocess_images`).
        gradcam_layer (str, optional): A submodule name of the model's backbone pass, e.g.
            ``'backbone'`` (last stage) or ``'backbone.layer3'``.

    Returns:
        torch.Tensor: (B, h, w) maps in [0, 1], detached.

    Raises:
        TypeError: For a model none of the above covers.
    """
    was_training = model.training
    model.eval()
    try:
        if gradcam_layer is not None:
            maps = _layer_grad_cam(model, inputs, gradcam_layer)
        elif hasattr(model, 'attention_maps'):
            maps = model.attention_maps(inputs)
        elif hasattr(getattr(model, 'backbone', None), 'attention_maps'):
            with torch.no_grad():
                maps = model.backbone.attention_maps(inputs)
        else:
            maps = _layer_grad_cam(model, inputs, 'backbone')
    finally:
        model.train(was_training)
    return minmax_scale(maps.detach())


def _layer_grad_cam(model: torch.nn.Module, inputs: torch.Tensor, layer: str) -> torch.Tensor:
    """Grad-CAM on ``layer`` of query . key (contrastive models) or of the top class."""
    if hasattr(model, 'grad_cam_maps'):  # the guided models (SimCLR: no momentum encoder)
        return model.grad_cam_maps(inputs, layer)
    if key_encoder(model) is not None:
        return contrastive_grad_cam(model, inputs, layer=layer)
    if isinstance(model, ImageClassifier):
        return top_class_grad_cam(model, inputs, layer)
    raise TypeError(
        f'no attention for a {type(model).__name__}: give the model (or its backbone) an '
        '`attention_maps(inputs) -> (B, h, w)` method, or a momentum encoder or classifier '
        'head for Grad-CAM')
