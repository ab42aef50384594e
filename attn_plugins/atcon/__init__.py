"""ATCON (Mirzazadeh, Dubost et al., WACV 2023): attention-consistency fine-tuning.

Pure torch / numpy here: the consistency and its loss (:func:`attention_consistency`,
:func:`consistency_loss`, :func:`guided_mask`, :func:`map_correlation`,
:func:`batchnorm_eval`), the few-shot subset rule (:func:`few_shot_indices`), the weakly
supervised localisation score (:func:`cam_to_box`, :func:`box_iou`,
:func:`localization_iou`) and the collapse guards and label baselines
(:func:`cross_image_correlation`, :func:`mask_binariness`, :func:`positive_rate`,
:func:`label_prior`, :func:`all_present_f1`). The OpenMMLab adapters, registered when
:mod:`attn_plugins` is imported, are in :mod:`.classifier` (``ATCONClassifier``),
:mod:`.loops` (``ATCONAlternatingLoop``, ``ATCONCombinedLoop``), :mod:`.sampler`
(``FewShotSampler``), :mod:`.datasets` (``VOCMultiLabelBoxes``) and :mod:`.metrics`
(``AttentionConsistencyMetric``, ``AttentionLocalizationMetric``, ``CollapseGuardMetric``).
"""
from .collapse import (all_present_f1, cross_image_correlation, label_prior, mask_binariness,
                       positive_rate)
from .consistency import (attention_consistency, batchnorm_eval, consistency_loss,
                          guided_mask, map_correlation, zscore)
from .few_shot import few_shot_indices
from .localization import box_iou, cam_to_box, localization_iou

__all__ = [
    'attention_consistency', 'consistency_loss', 'guided_mask', 'map_correlation', 'zscore',
    'batchnorm_eval', 'few_shot_indices', 'cam_to_box', 'box_iou', 'localization_iou',
    'cross_image_correlation', 'mask_binariness', 'positive_rate', 'label_prior',
    'all_present_f1'
]
