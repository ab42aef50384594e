"""Where a model looks: one attention map per image, for any model of this package or of
mmpretrain.

Used by ``tools/vis_attention.py`` (overlays) and the attention-alignment evaluation.
"""
from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from mmpretrain.models import ImageClassifier

from ..attention import grad_cam_from_activations
from ..saliency import minmax_scale
from ..teacher.models import SaliencyTeacher, TeacherAttentionMixin


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


def _grad_cam_scores(model: torch.nn.Module, feats, inputs: torch.Tensor) -> torch.Tensor:
    """(B,) scores to explain: the top class of a classifier; for MoCo-style models, the
    cosine of the query with the key encoder's embedding of the same image (the score CAST
    trains with, unmasked)."""
    # Neck and head read the last stage (a backbone may return more, e.g. for an
    # attention head on an earlier one).
    feats = feats[-1:]
    if isinstance(model, ImageClassifier):
        logits = model.head(model.neck(feats) if model.with_neck else feats)
        return logits.gather(1, logits.argmax(dim=1, keepdim=True))[:, 0]
    query = F.normalize(model.neck(feats)[0], dim=1)
    with torch.no_grad():
        key = F.normalize(model.encoder_k(inputs)[0], dim=1)
    return (query * key).sum(dim=1)


def model_attention(model: torch.nn.Module, inputs: torch.Tensor) -> torch.Tensor:
    """One attention map per input, min-max scaled to [0, 1], at the model's map resolution.

    - Models that define ``attention_maps(inputs)`` answer for themselves.
    - Models that predict a map (``SaliencyTeacher``; the teacher-attention students with
      an attention head): the ``pred_saliency`` their ``predict`` mode sets.
    - Models whose backbone defines ``attention_maps(inputs)`` (the VARS ViTs: the last
      layer's class-token attention, read from the sparse codes for a VARS layer).
    - MoCo-style self-supervised models (with a momentum ``encoder_k``, e.g. MoCo and CAST):
      Grad-CAM on the backbone's last stage of the cosine between the query and the key
      embedding of the same image.
    - mmpretrain ``ImageClassifier``: Grad-CAM of the top predicted class on the backbone's
      last stage.

    BatchNorm runs in eval mode (the model is switched to eval and back), so maps do not
    depend on the rest of the batch.

    Args:
        model (nn.Module): The model.
        inputs (torch.Tensor): (B, 3, H, W) normalised inputs (:func:`preprocess_images`).

    Returns:
        torch.Tensor: (B, h, w) maps in [0, 1], detached.

    Raises:
        TypeError: For a model none of the above covers.
    """
    was_training = model.training
    model.eval()
    try:
        if hasattr(model, 'attention_maps'):
            maps = model.attention_maps(inputs)
        elif isinstance(model, SaliencyTeacher) or (
                isinstance(model, TeacherAttentionMixin) and model.with_attention):
            with torch.no_grad():
                samples = model(inputs, mode='predict')
            maps = torch.stack([sample.pred_saliency for sample in samples])
        elif hasattr(getattr(model, 'backbone', None), 'attention_maps'):
            with torch.no_grad():
                maps = model.backbone.attention_maps(inputs)
        elif hasattr(model, 'encoder_k') or isinstance(model, ImageClassifier):
            with torch.enable_grad():
                # A leaf that requires grad keeps the graph even for a frozen model.
                feats = model.backbone(inputs.detach().requires_grad_())
                maps = grad_cam_from_activations(
                    feats[-1], _grad_cam_scores(model, feats, inputs), relu=True)
        else:
            raise TypeError(
                f'no attention for a {type(model).__name__}: give the model (or its '
                'backbone) an `attention_maps(inputs) -> (B, h, w)` method')
    finally:
        model.train(was_training)
    return minmax_scale(maps.detach())
