"""VARS: attention as recurrent sparse reconstruction (Shi et al., ICML 2022).

The pure-torch core: the VARS-D / VARS-SD attention, the VARS-S convolutional token mixer
and the unrolled ISTA / LISTA solvers. The OpenMMLab backbones live in
:mod:`attn_plugins.vars.backbones` and are registered when :mod:`attn_plugins` is imported.
"""
from .attention import VARSAttention, positive_random_features, sparse_code_attention
from .solvers import ISTA, LISTA, gelu_shrink, gram_step_bound, ista, soft_threshold
from .static_conv import VARSStaticConv

__all__ = [
    'VARSAttention', 'VARSStaticConv', 'ISTA', 'LISTA', 'ista', 'soft_threshold',
    'gelu_shrink', 'gram_step_bound', 'positive_random_features', 'sparse_code_attention'
]
