"""OpenMMLab evaluation adapters: metrics (registered on import), model attention, pictures."""
from .model_attention import model_attention, preprocess_images
from .saliency_metric import SALIENCY_METRICS, SaliencyMetric, score_saliency
from .visualize import overlay_heatmap, save_attention_grid

__all__ = [
    'SALIENCY_METRICS', 'SaliencyMetric', 'score_saliency', 'model_attention',
    'preprocess_images', 'overlay_heatmap', 'save_attention_grid'
]
