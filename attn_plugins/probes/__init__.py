"""Frozen-feature evaluation core, in pure torch (scipy for the t-test): what a
self-supervised encoder's features are worth, and whether one method beats another.

- :mod:`.linear`: the linear probe (:func:`linear_probe`: logistic regression by full-batch
  L-BFGS on standardised features, weight decay chosen on a validation split of the
  training set), :func:`top1_accuracy`, :func:`mean_class_accuracy`.
- :mod:`.knn`: weighted kNN (:func:`knn_classify`; k=20, cosine, temperature 0.07).
- :mod:`.few_shot`: :func:`few_shot_probe` (n images per class, several draws).
- :mod:`.stats`: :func:`mean_std` and :func:`compare` (difference of means, 95% Welch
  interval, Welch t-test) for method-vs-baseline tables over seeds; :func:`claim_verdict`
  (does the interval bear out a paper's "higher" or "lower"), :func:`holm_adjust` (Holm's
  correction of several claims' p-values).
- :mod:`.cache`: :class:`FeatureCache` (features on disk keyed by checkpoint hash, data
  and resolution) and :func:`file_digest`.

The OpenMMLab side (building an encoder from a config and checkpoint, extracting features
from mmpretrain datasets, the kNN hook) is :mod:`attn_plugins.evaluation.frozen` and
:mod:`attn_plugins.evaluation.hooks`; the command line is ``tools/analysis/ssl_eval.py``.
"""
from .cache import FeatureCache, file_digest, key_digest
from .few_shot import FEW_SHOT_WEIGHT_DECAY, few_shot_indices, few_shot_probe
from .knn import knn_classify, knn_scores
from .linear import (DEFAULT_WEIGHT_DECAYS, LinearProbe, fit_linear_probe, linear_probe,
                     mean_class_accuracy, select_weight_decay, stratified_split,
                     top1_accuracy)
from .stats import VERDICTS, claim_verdict, compare, holm_adjust, mean_std

__all__ = [
    'DEFAULT_WEIGHT_DECAYS', 'LinearProbe', 'fit_linear_probe', 'select_weight_decay',
    'linear_probe', 'stratified_split', 'top1_accuracy', 'mean_class_accuracy', 'knn_scores',
    'knn_classify', 'FEW_SHOT_WEIGHT_DECAY', 'few_shot_indices', 'few_shot_probe',
    'mean_std', 'compare', 'claim_verdict', 'holm_adjust', 'VERDICTS', 'FeatureCache',
    'file_digest', 'key_digest'
]
