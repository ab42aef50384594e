"""Attention explanations in pure torch: differentiable Grad-CAM and Guided Backprop.

Shared by CAST (Grad-CAM loss on the query encoder), ATCON (Grad-CAM consistency with a
Guided-Backprop mask) and the visualisation tools. No OpenMMLab import: plain PyTorch and
lightly users import these functions directly.
"""
from .gradcam import grad_cam, grad_cam_from_activations, resolve_layer, token_grid
from .guided import guided_backprop
from .model_maps import (KEY_ENCODER_NAMES, backbone_grad_cam, contrastive_grad_cam, key_encoder,
                         top_class_grad_cam)
from .targets import target_scores

__all__ = [
    'grad_cam', 'grad_cam_from_activations', 'token_grid', 'guided_backprop', 'resolve_layer',
    'target_scores', 'backbone_grad_cam', 'contrastive_grad_cam', 'top_class_grad_cam',
    'key_encoder', 'KEY_ENCODER_NAMES'
]
