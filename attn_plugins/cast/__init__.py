"""CAST (Selvaraju et al., CVPR 2021): saliency-constrained crops and a Grad-CAM grounding loss
on MoCo.

Pure torch here: :func:`cast_grad_cam_loss` (and its map half, :func:`cast_map_loss`),
:func:`mask_to_grid` and :func:`mask_background`. The registered loss component,
``CASTGroundingLoss``, attaches to any algorithm (:mod:`attn_plugins.guidance`);
the crop is ``SaliencyConstrainedRandomResizedCrop`` (:mod:`attn_plugins.data`) on top of
:class:`attn_plugins.saliency.SaliencyCropSampler`.
"""
from .loss import (COSINE_MODES, TARGET_RESIZE_MODES, cast_grad_cam_loss, cast_map_loss,
                   mask_background, mask_to_grid)

__all__ = [
    'COSINE_MODES', 'TARGET_RESIZE_MODES', 'cast_grad_cam_loss', 'cast_map_loss',
    'mask_background', 'mask_to_grid'
]
