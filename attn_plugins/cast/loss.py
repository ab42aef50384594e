"""CAST's Grad-CAM grounding loss (Selvaraju et al., CVPR 2021), in pure torch.

The query encoder's Grad-CAM for the score ``q . k_masked`` (the query's similarity to the
key whose background was replaced by the mean colour) should cover the salient object of the
query crop. The loss is ``1 - cos(GradCAM, mask)`` with the mask resized to the Grad-CAM grid.
"""
import torch
import torch.nn.functional as F

from ..attention import grad_cam_from_activations

COSINE_MODES = ('per_sample', 'batch')


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


def cast_grad_cam_loss(activations: torch.Tensor,
                       scores: torch.Tensor,
                       masks: torch.Tensor,
                       valid: torch.Tensor,
                       cosine: str = 'per_sample',
                       eps: float = 1e-7) -> torch.Tensor:
    """``1 - cos(GradCAM(scores wrt activations), masks)``, differentiable to second order.

    Grad-CAM as the released code computes it: channel weights are the spatial mean of the
    gradients, ReLU of the weighted sum, per-sample min-max scaling with ``eps``; the graph is
    kept so the loss trains the encoder that produced ``activations``.

    Args:
        activations (torch.Tensor): (B, C, h, w) last-stage features of the query encoder.
        scores (torch.Tensor): (B,) per-sample scores computed from ``activations``
            (CAST: ``q . k_masked``).
        masks (torch.Tensor): (B, H, W) binary saliency masks of the query crops; resized
            bilinearly to (h, w).
        valid (torch.Tensor): (B,) bool, False for samples left out (an empty mask).
        cosine (str): ``'per_sample'`` (default): the mean over valid samples of one cosine
            per sample; ``'batch'``: one cosine of the flattened valid batch, as the released
            code computes it (large maps then weigh more).
        eps (float): min-max scaling epsilon.

    Returns:
        torch.Tensor: scalar loss; 0 (still connected to the graph) when no sample is valid.
    """
    if cosine not in COSINE_MODES:
        raise ValueError(f'cosine must be one of {COSINE_MODES}, got {cosine!r}')
    cams = grad_cam_from_activations(activations, scores, relu=True, normalize='minmax',
                                     eps=eps, create_graph=True)  # (B, h, w)
    targets = F.interpolate(masks[:, None].to(cams.dtype), size=cams.shape[-2:],
                            mode='bilinear', align_corners=False)[:, 0]  # (B, h, w)
    if not valid.any():
        return cams.sum() * 0
    cams, targets = cams[valid].flatten(1), targets[valid].flatten(1)
    if cosine == 'batch':
        return 1 - F.cosine_similarity(cams.flatten(), targets.flatten(), dim=0)
    return (1 - F.cosine_similarity(cams, targets, dim=1)).mean()
