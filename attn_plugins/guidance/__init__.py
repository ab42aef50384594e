"""Attention losses as plugins that attach to any algorithm.

Pure torch here: :class:`GuidanceBatch` (one training step as a loss sees it) and
:func:`view_rows`. The OpenMMLab adapters, registered in mmpretrain's ``MODELS`` when a
config needs them: the loss components in :mod:`.losses` (``CASTGroundingLoss``,
``TeacherAttentionLoss``, ``ATCONConsistencyLoss``) and the algorithms that take them in
:mod:`.models` (``GuidedMoCo``, ``GuidedMoCoV3``, ``GuidedBYOL``, ``GuidedSimCLR``,
``GuidedImageClassifier``, and :class:`~.models.AttentionGuidedMixin` for others).
"""
from .batch import VIEW_LAYOUTS, GuidanceBatch, view_rows

__all__ = ['GuidanceBatch', 'view_rows', 'VIEW_LAYOUTS']
