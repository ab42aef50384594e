"""``SaliencyMetric``: the saliency benchmark metrics as an mmengine evaluator."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS

from ..data.fields import FIXATION_DENSITY, FIXATION_MAP, PRED_SALIENCY
from ..saliency import auc_judd, cc, center_bias, kld, nss, resize_map, sim

# metric name -> (function, ground truth it scores against)
SALIENCY_METRICS = {
    'nss': (nss, FIXATION_MAP),
    'kld': (kld, FIXATION_DENSITY),
    'cc': (cc, FIXATION_DENSITY),
    'sim': (sim, FIXATION_DENSITY),
    'auc_judd': (auc_judd, FIXATION_MAP),
}


def _ground_truth(sample: dict, kind: str) -> np.ndarray:
    """The original-resolution copy if packed (``gt_*``), else the transformed one."""
    for key in (f'gt_{kind}', kind):
        if key in sample:
            return np.asarray(sample[key].cpu() if hasattr(sample[key], 'cpu') else
                              sample[key], dtype=np.float64)
    raise KeyError(f'{sample.get("img_path", "a sample")} has no {kind!r}: evaluate on a '
                   'fixation dataset whose pipeline has FixationsToDensity and '
                   'PackSaliencyInputs')


def score_saliency(prediction, sample: dict, metrics: Sequence[str]) -> Dict[str, float]:
    """Score one predicted map against the fixations packed in ``sample``.

    The prediction is resized (bilinear) to the ground truth, as the benchmark does.

    Args:
        prediction (np.ndarray | torch.Tensor): (h, w) predicted saliency.
        sample (dict): A packed data sample with ``[gt_]fixation_map`` and
            ``[gt_]fixation_density``.
        metrics (Sequence[str]): Names from :data:`SALIENCY_METRICS`.

    Returns:
        dict[str, float]: One value per metric.
    """
    scores = {}
    for name in metrics:
        func, kind = SALIENCY_METRICS[name]
        truth = _ground_truth(sample, kind)
        pred = resize_map(np.asarray(prediction, dtype=np.float64), truth.shape)
        scores[name] = func(pred, truth)
    return scores


@METRICS.register_module()
class SaliencyMetric(BaseMetric):
    """NSS, KLD, CC, SIM and AUC-Judd of predicted saliency maps against human fixations.

    Reads ``pred_saliency`` (``(h, w)``) from each predicted data sample and the fixation
    map / density packed by ``PackSaliencyInputs`` (the ``gt_*`` original-resolution copies
    when the pipeline kept them). Each score is the mean over images, as in the MIT/Tuebingen
    benchmark. With ``center_bias=True`` the center-bias baseline is scored on the same images
    too (keys ``center_bias_<metric>``), so a model's numbers come with the bar to beat.

    Args:
        metrics (Sequence[str]): Any of ``nss``, ``kld``, ``cc``, ``sim``, ``auc_judd``.
        center_bias (bool): Also score the center-bias baseline.
        pred_key (str): Field of the predicted data sample holding the map.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
        prefix (str, optional): Prefix of the result keys. Defaults to ``'saliency'``.
    """

    default_prefix = 'saliency'

    def __init__(self,
                 metrics: Sequence[str] = ('nss', 'kld', 'cc', 'sim', 'auc_judd'),
                 center_bias: bool = False,
                 pred_key: str = PRED_SALIENCY,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        unknown = [m for m in metrics if m not in SALIENCY_METRICS]
        if unknown:
            raise ValueError(f'unknown saliency metrics {unknown}; choose from '
                             f'{sorted(SALIENCY_METRICS)}')
        self.metrics = tuple(metrics)
        self.center_bias = center_bias
        self.pred_key = pred_key

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.pred_key not in sample:
                raise KeyError(f'predictions have no {self.pred_key!r}; the model must set it '
                               '(SaliencyTeacher does)')
            prediction = sample[self.pred_key]
            prediction = prediction.detach().cpu().numpy() if hasattr(prediction, 'detach') \
                else np.asarray(prediction)
            result = score_saliency(np.squeeze(prediction), sample, self.metrics)
            if self.center_bias:
                shape = _ground_truth(sample, FIXATION_MAP).shape
                baseline = score_saliency(center_bias(shape), sample, self.metrics)
                result.update({f'center_bias_{k}': v for k, v in baseline.items()})
            self.results.append(result)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        return {key: float(np.mean([r[key] for r in results])) for key in results[0]}
