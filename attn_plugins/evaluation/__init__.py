"""OpenMMLab evaluation adapters (registered on import), one job per module: saliency metrics
(:mod:`.saliency_metric`), model attention (:mod:`.model_attention`) and its alignment with
human fixations (:mod:`.alignment`), robustness evaluation (test-time transforms in
:mod:`.robustness_transforms`, background variants in :mod:`.background_dataset`, a test
loader with an inserted transform in :mod:`.eval_loader`, a runner-free loop in
:mod:`.eval_loop`), frozen-feature evaluation of a backbone (:mod:`.frozen`, :mod:`.ssl_eval`;
the probes are the pure core :mod:`attn_plugins.probes`), the seeded method-vs-baseline
harness (:mod:`.harness`) and its statistics and reports (:mod:`.report`), hooks that run them
during training (:mod:`.hooks`), tables (:mod:`.tables`), plots (:mod:`.plots`) and training
logs (:mod:`.scalars`)."""
from .background_dataset import BackgroundVariantDataset
from .eval_loader import build_eval_dataloader, insert_transform
from .eval_loop import evaluate_model, metric_value
from .frozen import FrozenEncoder, build_frozen_encoder
from .hooks import AttentionAlignmentHook, CorruptionAccuracyHook, KNNAccuracyHook
from .model_attention import model_attention, preprocess_images
from .plots import moving_average, plot_scalar_curves
from .robustness_transforms import GrabCutForeground, ImageCorruption
from .saliency_metric import SALIENCY_METRICS, SaliencyMetric, score_saliency
from .scalars import find_scalars_file, read_scalars
from .visualize import (center_bias_cc, draw_model_attention, overlay_heatmap,
                        save_attention_grid)

__all__ = [
    'SALIENCY_METRICS', 'SaliencyMetric', 'score_saliency', 'model_attention',
    'preprocess_images', 'overlay_heatmap', 'save_attention_grid', 'ImageCorruption',
    'BackgroundVariantDataset', 'GrabCutForeground', 'insert_transform',
    'build_eval_dataloader', 'evaluate_model', 'metric_value', 'AttentionAlignmentHook',
    'CorruptionAccuracyHook', 'KNNAccuracyHook', 'FrozenEncoder', 'build_frozen_encoder',
    'center_bias_cc', 'draw_model_attention', 'find_scalars_file', 'read_scalars',
    'moving_average', 'plot_scalar_curves'
]
