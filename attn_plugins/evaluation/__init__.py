"""OpenMMLab evaluation adapters (registered on import): saliency metrics, model attention
and its alignment with human fixations, robustness evaluation (corrupted test pipelines,
background variants), frozen-feature evaluation of a backbone (:mod:`.frozen`,
:mod:`.ssl_eval`; the probes are the pure core :mod:`attn_plugins.probes`) and the seeded
method-vs-baseline harness (:mod:`.harness`), hooks that run them during training, tables and
plots (training curves from ``vis_data/scalars.json`` too)."""
from .frozen import FrozenEncoder, build_frozen_encoder
from .hooks import AttentionAlignmentHook, CorruptionAccuracyHook, KNNAccuracyHook
from .model_attention import model_attention, preprocess_images
from .robustness import (BackgroundVariantDataset, GrabCutForeground, ImageCorruption,
                         build_eval_dataloader, evaluate_model, insert_transform, metric_value)
from .reports import find_scalars_file, moving_average, plot_scalar_curves, read_scalars
from .saliency_metric import SALIENCY_METRICS, SaliencyMetric, score_saliency
from .visualize import draw_model_attention, overlay_heatmap, save_attention_grid

__all__ = [
    'SALIENCY_METRICS', 'SaliencyMetric', 'score_saliency', 'model_attention',
    'preprocess_images', 'overlay_heatmap', 'save_attention_grid', 'ImageCorruption',
    'BackgroundVariantDataset', 'GrabCutForeground', 'insert_transform',
    'build_eval_dataloader', 'evaluate_model', 'metric_value', 'AttentionAlignmentHook',
    'CorruptionAccuracyHook', 'KNNAccuracyHook', 'FrozenEncoder', 'build_frozen_encoder',
    'draw_model_attention', 'find_scalars_file', 'read_scalars',
    'moving_average', 'plot_scalar_curves'
]
