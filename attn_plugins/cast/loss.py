"""CAST's Grad-CAM grounding loss (Selvaraju et al., CVPR 2021), in pure torch.

The query encoder's Grad-CAM for the score ``q . k_masked`` (the query's similarity to the
key whose background was replaced by the mean colour) should cover the salient object of the
query crop. The loss is ``1 - cos(GradCAM, target)``, the target being the query's mask on the
Grad-CAM grid.
"""
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

from ..attention import grad_cam_from_activations

COSINE_MODES = ('per_sample', 'batch')
TARGET_RESIZE_MODES = ('area', 'bilinear')


def mask_background(images: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """Keep the salient pixels of normalised images; the background becomes 0.

    On images normalised by the dataset mean and std, 0 is the mean colour, which is what
    CAST's masked key shows outside the object (not black).

    Args:
        images (torch.Tensor): (B, C, H, W) normalised images.
        masks (torch.Tensor): (B, H, W) binary masks, 1 = salient.

    Returns:
        torch.Tensor: (B, C, H, W) masked images.
    """
    if masks.shape != images.shape[:1] + images.shape[2:]:
        raise ValueError(f'masks of shape {tuple(masks.shape)} do not match images of shape '
                         f'{tuple(images.shape)}; expected (B, H, W)')
    return images * masks.unsqueeze(1).to(images.dtype)


def mask_to_grid(masks: torch.Tensor, size: Tuple[int, int],
                 mode: str = 'area') -> torch.Tensor:
    """Binary masks on the Grad-CAM grid: CAST's target.

    Args:
        masks (torch.Tensor): (B, H, W) binary masks (bool or 0/1 float).
        size (tuple[int, int]): (h, w) of the Grad-CAM grid.
        mode (str): ``'area'`` (default): the salient share of the pixels each cell covers
            (``adaptive_avg_pool2d``), so a small object still lights its cell.
            ``'bilinear'``: bilinear point sampling with ``align_corners=True``, what the
            released code does (it reads 2x2 pixels per cell, so an object between the
            sample points vanishes and the target can be empty although the mask is not).

    Returns:
        torch.Tensor: (B, h, w) float targets in [0, 1].

    Example:
        >>> import torch
        >>> masks = torch.zeros(1, 4, 4)
        >>> masks[0, 0, 0] = 1
        >>> mask_to_grid(masks, (2, 2))
        tensor([[[0.2500, 0.0000],
                 [0.0000, 0.0000]]])
    """
    if mode not in TARGET_RESIZE_MODES:
        raise ValueError(f'target resize mode must be one of {TARGET_RESIZE_MODES}, '
                         f'got {mode!r}')
    if masks.dim() != 3:
        raise ValueError(f'masks must be (B, H, W), got shape {tuple(masks.shape)}')
    masks = masks[:, None].float()
    if mode == 'area':
        return F.adaptive_avg_pool2d(masks, size)[:, 0]
    return F.interpolate(masks, size=size, mode='bilinear', align_corners=True)[:, 0]


def cast_grad_cam_loss(activations: torch.Tensor,
                       scores: torch.Tensor,
                       masks: torch.Tensor,
                       valid: Optional[torch.Tensor] = None,
                       cosine: str = 'per_sample',
                       target_resize: str = 'area',
                       eps: float = 1e-7) -> torch.Tensor:
    """``1 - cos(GradCAM(scores wrt activations), target)``, differentiable to second order.

    Grad-CAM as the released code computes it: channel weights are the spatial mean of the
    gradients, ReLU of the weighted sum, per-sample min-max scaling with ``eps``; the graph is
    kept so the loss trains the encoder that produced ``activations``. The target is the
    mask on the Grad-CAM grid (:func:`mask_to_grid`); a sample whose target is empty there
    is left out, like a sample marked invalid, since its cosine would add a constant with no
    gradient.

    Args:
        activations (torch.Tensor): (B, C, h, w) last-stage features of the query encoder.
        scores (torch.Tensor): (B,) per-sample scores computed from ``activations``
            (CAST: ``q . k_masked``).
        masks (torch.Tensor): (B, H, W) binary saliency masks of the query crops, at any
            resolution (at (h, w) they are used as they are).
        valid (torch.Tensor, optional): (B,) bool, False for samples to leave out (e.g. an
            empty key mask). Defaults to all samples.
        cosine (str): ``'per_sample'`` (default): the mean over valid samples of one cosine
            per sample; ``'batch'``: one cosine of the flattened valid batch, as the released
            code computes it (large maps then weigh more).
        target_resize (str): ``'area'`` (default) or ``'bilinear'`` (the release's), see
            :func:`mask_to_grid`.
        eps (float): min-max scaling epsilon.

    Returns:
        torch.Tensor: scalar loss; 0 (still connected to the graph) when no sample is valid.
    """
    if cosine not in COSINE_MODES:
        raise ValueError(f'cosine must be one of {COSINE_MODES}, got {cosine!r}')
    cams = grad_cam_from_activations(activations, scores, relu=True, normalize='minmax',
                                     eps=eps, create_graph=True)  # (B, h, w)
    return cast_map_loss(cams, masks, valid, cosine, target_resize)


def cast_map_loss(cams: torch.Tensor,
                  masks: torch.Tensor,
                  valid: Optional[torch.Tensor] = None,
                  cosine: str = 'per_sample',
                  target_resize: str = 'area') -> torch.Tensor:
    """``1 - cos(cams, target)`` for Grad-CAM maps already computed: the second half of
    :func:`cast_grad_cam_loss`, for callers that take Grad-CAM themselves (e.g. of several
    views in one batch).

    Args:
        cams (torch.Tensor): (B, h, w) min-max scaled Grad-CAM maps, in the graph.
        masks (torch.Tensor): (B, H, W) binary saliency masks (see
            :func:`cast_grad_cam_loss`).
        valid (torch.Tensor, optional): (B,) bool, False for samples to leave out.
        cosine (str): ``'per_sample'`` or ``'batch'``.
        target_resize (str): ``'area'`` or ``'bilinear'``.

    Returns:
        torch.Tensor: scalar loss; 0 (still connected to the graph) when no sample is valid.
    """
    if cosine not in COSINE_MODES:
        raise ValueError(f'cosine must be one of {COSINE_MODES}, got {cosine!r}')
    targets = mask_to_grid(masks, cams.shape[-2:], target_resize).to(cams.dtype)  # (B, h, w)
    keep = targets.flatten(1).gt(0).any(dim=1)
    if valid is not None:
        keep = keep & valid.to(keep.device)
    if not keep.any():
        return cams.sum() * 0
    cams, targets = cams[keep].flatten(1), targets[keep].flatten(1)
    if cosine == 'batch':
        return 1 - F.cosine_similarity(cams.flatten(), targets.flatten(), dim=0)
    return (1 - F.cosine_similarity(cams, targets, dim=1)).mean()
