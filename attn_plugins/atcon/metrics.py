"""ATCON's attention metrics: mean consistency and weakly supervised localisation."""
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmpretrain.registry import METRICS

from .localization import localization_iou


def _numpy(value) -> np.ndarray:
    return value.detach().cpu().numpy() if hasattr(value, 'detach') else np.asarray(value)


def _require(sample: dict, key: str, producer: str) -> object:
    if key not in sample:
        raise KeyError(f'predictions have no {key!r}; {producer}')
    return sample[key]


_FROM_MODEL = 'use ATCONClassifier with predict_attention=True'


@METRICS.register_module()
class AttentionConsistencyMetric(BaseMetric):
    """Mean per-image attention consistency (the correlation ATCON maximises).

    Reads ``attention_consistency`` from each predicted data sample
    (``ATCONClassifier.predict``). Result key: ``attention/consistency``.

    Args:
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the result keys. Defaults to ``'attention'``.
    """

    default_prefix = 'attention'

    def __init__(self, collect_device: str = 'cpu', prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            value = _require(sample, 'attention_consistency', _FROM_MODEL)
            self.results.append(float(_numpy(value)))

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        return dict(consistency=float(np.mean(results)))


@METRICS.register_module()
class AttentionLocalizationMetric(BaseMetric):
    """Weakly supervised localisation by the Grad-CAM of the predicted class.

    For each image: ``ReLU(grad_cam)`` of the explained (top predicted) class is resized
    bilinearly to the network input (``img_shape``), kept at ``>= threshold * max``, and
    the box around the largest connected region (or all kept pixels) is compared with the
    ground-truth boxes of that class (``gt_bboxes`` / ``gt_bboxes_labels``, in the input's
    frame: pack them after the pipeline's resize). The image scores the best IoU; 0 when the
    class has no box in the image (a wrong class cannot localise) or the map is all <= 0.
    Result keys: ``attention/loc_iou`` (mean IoU) and ``attention/loc_acc`` (fraction of
    images with IoU >= ``iou_threshold``).

    Args:
        threshold (float): Fraction of the map maximum kept. Defaults to 0.2 (CAM).
        largest_component (bool): Box the largest connected region only. Defaults to True.
        iou_threshold (float): IoU counted as a hit by ``loc_acc``. Defaults to 0.5.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the result keys. Defaults to ``'attention'``.
    """

    default_prefix = 'attention'

    def __init__(self,
                 threshold: float = 0.2,
                 largest_component: bool = True,
                 iou_threshold: float = 0.5,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if not 0 < threshold <= 1:
            raise ValueError(f'threshold is a fraction of the map maximum in (0, 1], got '
                             f'{threshold!r}.')
        self.threshold = threshold
        self.largest_component = largest_component
        self.iou_threshold = iou_threshold

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            cam = np.maximum(_numpy(_require(sample, 'grad_cam', _FROM_MODEL)), 0)
            target = int(_require(sample, 'attention_class', _FROM_MODEL))
            boxes = _numpy(_require(sample, 'gt_bboxes', (
                "pack the boxes: PackInputs(algorithm_keys=('gt_bboxes', "
                "'gt_bboxes_labels')) with a dataset that has them (VOCMultiLabelBoxes)")))
            labels = _numpy(_require(sample, 'gt_bboxes_labels', 'pack gt_bboxes_labels too'))
            iou = localization_iou(cam, boxes.reshape(-1, 4)[labels.reshape(-1) == target],
                                   image_size=sample['img_shape'], threshold=self.threshold,
                                   largest_component=self.largest_component)
            self.results.append(iou)

    def compute_metrics(self, results: List[float]) -> Dict[str, float]:
        ious = np.asarray(results, dtype=np.float64)
        return dict(loc_iou=float(ious.mean()),
                    loc_acc=float((ious >= self.iou_threshold).mean()))
