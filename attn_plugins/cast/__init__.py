"""CAST (Selvaraju et al., CVPR 2021): saliency-constrained crops and a Grad-CAM grounding loss
on MoCo.

Pure torch here: :func:`cast_grad_cam_loss`, :func:`mask_to_grid` and
:func:`mask_background`. The registered ``CAST`` model is in :mod:`attn_plugins.cast.model`;
the crop is ``SaliencyConstrainedRandomResizedCrop`` (:mod:`attn_plugins.data`) on top of
:class:`attn_plugins.saliency.SaliencyCropSampler`.
"""
from .loss import (COSINE_MODES, TARGET_RESIZE_MODES, cast_grad_cam_loss, mask_background,
                   mask_to_grid)

__all__ = [
    'COSINE_MODES', 'TARGET_RESIZE_MODES', 'cast_grad_cam_loss', 'mask_background', 'mask_to_grid'
]
