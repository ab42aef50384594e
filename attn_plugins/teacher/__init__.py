"""Teacher saliency targets (Yao, Ye, He, Elsayed, CVPR 2023).

A teacher network trained on a small human eye-fixation set predicts saliency for a large
unlabeled set; a student (contrastive or supervised) gets an extra head that predicts a
spatial distribution, trained with ``L_attn = lambda * KLD(m_p, m_t) - beta * NSS(m_p, p_t)``.

The pure-torch core exported here: the loss (:func:`teacher_attention_loss`), the derivation
of the fixation-like map ``p_t`` (:func:`fixation_like_map`), the student's
:class:`SpatialAttentionHead`, and the teacher's :class:`SaliencyDecoder` with its learned
:class:`GaussianCenterBias`, and where the shipped default teacher lies
(:func:`default_teacher_files`). The OpenMMLab adapters live in :mod:`.models`
(``SaliencyTeacher``), :mod:`attn_plugins.guidance` (``TeacherAttentionLoss``, which makes
any algorithm a student), :mod:`.hooks` (``OnlineTeacherHook``) and
:mod:`.transforms` (``AddEmptyMaps``, ``FixationsFromMap``, ``KeepTeacherView``).
"""
from .default import default_teacher_files
from .heads import SpatialAttentionHead
from .losses import (FIXATION_METHODS, AttentionLossTerms, fixation_like_map,
                     teacher_attention_loss)
from .saliency_net import GaussianCenterBias, SaliencyDecoder

__all__ = [
    'teacher_attention_loss', 'fixation_like_map', 'FIXATION_METHODS', 'AttentionLossTerms',
    'SpatialAttentionHead', 'SaliencyDecoder', 'GaussianCenterBias', 'default_teacher_files'
]
