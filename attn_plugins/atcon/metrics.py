"""ATCON's metrics: mean consistency, weakly supervised localisation and collapse guards."""
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmpretrain.evaluation import VOCMultiLabelMetric
from mmpretrain.registry import METRICS

from .collapse import all_present_f1, cross_image_correlation, label_prior, positive_rate
from .localization import box_iou, localization_iou


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
    images with IoU >= ``iou_threshold``), and beside them the trivial answer's scores,
    ``attention/loc_iou_whole_image`` and ``attention/loc_acc_whole_image``: the whole input
    as the box, for the same explained class (a map that spreads over the image scores
    these, so a map localises only where it beats them).

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
            class_boxes = boxes.reshape(-1, 4)[labels.reshape(-1) == target]
            iou = localization_iou(cam, class_boxes, image_size=sample['img_shape'],
                                   threshold=self.threshold,
                                   largest_component=self.largest_component)
            height, width = sample['img_shape'][:2]
            whole_image_iou = (float(box_iou([0, 0, width, height], class_boxes).max())
                               if len(class_boxes) else 0.0)
            self.results.append((iou, whole_image_iou))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        ious, whole_image_ious = np.asarray(results, dtype=np.float64).reshape(-1, 2).T
        return dict(loc_iou=float(ious.mean()),
                    loc_acc=float((ious >= self.iou_threshold).mean()),
                    loc_iou_whole_image=float(whole_image_ious.mean()),
                    loc_acc_whole_image=float((whole_image_ious >= self.iou_threshold).mean()))


@METRICS.register_module()
class CollapseGuardMetric(VOCMultiLabelMetric):
    """Signs that a multi-label classifier or its attention collapsed, and the label baselines.

    Read beside ``VOCMultiLabelMetric`` (its labels, difficult-only labels ignored, come the
    same way). Result keys, under the prefix ``collapse``:

    - ``positive_rate``: % of (image, class) scores above ``thr``; 100 means the model
      answers "present" for everything, and its F1 is then ``all_present_f1``;
    - ``all_present_f1``: the mean F1 (%) of answering "present" for every class on this
      split, and ``label_prior``: the mean share (%) of positive labels per class (about
      the mAP of a random ranking);
    - with ``attention`` (an ``ATCONClassifier`` with ``predict_attention=True``):
      ``cam_cross_corr``, the mean correlation of the Grad-CAM maps of different images
      (1: the map ignores the input), ``cam_collapsed`` (1.0 when it reaches
      ``warn_correlation``, else 0.0) and ``mask_binariness``, the mean ``|2 M - 1|`` of the
      guided masks (0: a mask of 0.5 everywhere, which only dims the image).

    A warning is logged when the maps or the predictions collapse.

    Args:
        thr (float): Score threshold of "present", that of the F1. Defaults to 0.5.
        attention (bool): Also read ``grad_cam`` and ``mask_binariness`` from the
            predictions. Defaults to True; False for a plain classifier.
        warn_correlation (float): ``cam_cross_corr`` at or above which the maps count as
            collapsed. Defaults to 0.95.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the result keys. Defaults to ``'collapse'``.

    Example::

        val_evaluator = [dict(type='VOCMultiLabelMetric', items=('f1-score', )),
                         dict(type='CollapseGuardMetric')]
    """

    default_prefix = 'collapse'

    def __init__(self,
                 thr: float = 0.5,
                 attention: bool = True,
                 warn_correlation: float = 0.95,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        if not 0 < thr < 1:
            raise ValueError(f'thr is a score threshold in (0, 1), got {thr!r}.')
        super().__init__(thr=thr, collect_device=collect_device, prefix=prefix)
        self.attention = attention
        self.warn_correlation = warn_correlation

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        # The parent stores pred_score and gt_score (-1 for difficult-only labels).
        super().process(data_batch, data_samples)
        if not self.attention:
            return
        for result, sample in zip(self.results[-len(data_samples):], data_samples):
            result['grad_cam'] = torch.as_tensor(
                _require(sample, 'grad_cam', _FROM_MODEL)).detach().cpu()
            result['mask_binariness'] = float(_numpy(
                _require(sample, 'mask_binariness', _FROM_MODEL)))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        scores = torch.stack([r['pred_score'] for r in results]).cpu()
        labels = torch.stack([r['gt_score'] for r in results]).cpu().round().long()
        metrics = dict(positive_rate=100 * positive_rate(scores, self.thr),
                       all_present_f1=100 * all_present_f1(labels),
                       label_prior=100 * float(label_prior(labels).mean()))
        logger = MMLogger.get_current_instance()
        if metrics['positive_rate'] in (0.0, 100.0):
            logger.warning(f'CollapseGuardMetric: {metrics["positive_rate"]:.0f}% of the '
                           f'scores are above {self.thr}: the model gives one answer for '
                           f'every image and class')
        if self.attention and len(results) >= 2:
            correlation = cross_image_correlation(torch.stack([r['grad_cam'] for r in results]))
            metrics.update(cam_cross_corr=correlation,
                           cam_collapsed=float(correlation >= self.warn_correlation),
                           mask_binariness=float(np.mean([r['mask_binariness']
                                                          for r in results])))
            if correlation >= self.warn_correlation:
                logger.warning(f'CollapseGuardMetric: the Grad-CAM maps of different images '
                               f'correlate {correlation:.3f} on average: the attention ignores '
                               f'the input')
        return metrics
