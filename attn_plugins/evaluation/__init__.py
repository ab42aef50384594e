"""OpenMMLab evaluation adapters: metrics (registered on import)."""
from .saliency_metric import SALIENCY_METRICS, SaliencyMetric, score_saliency

__all__ = ['SALIENCY_METRICS', 'SaliencyMetric', 'score_saliency']
