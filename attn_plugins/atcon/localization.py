"""Weakly supervised localisation from a class-activation map (numpy / scipy).

The protocol of CAM (Zhou et al., CVPR 2016) that ATCON reports: resize the map to the
image, keep the pixels at or above a fraction of its maximum, take the bounding box of the
largest connected region (or of all kept pixels) and score it by its IoU with the
ground-truth boxes of the explained class.

Boxes are ``[x1, y1, x2, y2]`` in continuous pixel coordinates with 0 at the image's left /
top edge, so pixel column ``i`` spans ``[i, i + 1)``; a Pascal VOC box converted by
:func:`attn_plugins.data.voc.parse_voc_annotation` is in this frame.
"""
from typing import Optional

import numpy as np
from scipy import ndimage

from ..saliency import resize_map


def cam_to_box(cam, threshold: float = 0.2, largest_component: bool = True
               ) -> Optional[np.ndarray]:
    """The box around the high-attention part of a map.

    Args:
        cam (np.ndarray | Tensor): ``(H, W)`` map at the image's resolution; values <= 0
            count as no attention (Grad-CAM's ReLU).
        threshold (float): keep the pixels ``>= threshold * max(cam)``, in ``(0, 1]``.
            Defaults to 0.2 (CAM's value).
        largest_component (bool): box the largest 8-connected region of kept pixels (CAM's
            protocol); False boxes all of them.

    Returns:
        np.ndarray | None: ``[x1, y1, x2, y2]`` (float), or None when the map has no
        positive value.

    Example:
        >>> cam = np.zeros((6, 8)); cam[1:3, 2:5] = 1.0; cam[5, 7] = 0.5
        >>> cam_to_box(cam), cam_to_box(cam, largest_component=False)
        (array([2., 1., 5., 3.]), array([2., 1., 8., 6.]))
    """
    if not 0 < threshold <= 1:
        raise ValueError(f'threshold is a fraction of the map maximum in (0, 1], got '
                         f'{threshold!r}.')
    cam = np.asarray(cam.detach().cpu() if hasattr(cam, 'detach') else cam, dtype=np.float64)
    if cam.ndim != 2:
        raise ValueError(f'cam must be an (H, W) map, got shape {cam.shape}.')
    peak = cam.max()
    if not peak > 0:
        return None
    kept = cam >= threshold * peak
    if largest_component:
        regions, count = ndimage.label(kept, structure=np.ones((3, 3), dtype=bool))
        sizes = np.bincount(regions.ravel(), minlength=count + 1)[1:]
        kept = regions == 1 + int(np.argmax(sizes))
    rows, cols = np.nonzero(kept)
    return np.array([cols.min(), rows.min(), cols.max() + 1, rows.max() + 1], dtype=np.float64)


def box_iou(box, boxes) -> np.ndarray:
    """Intersection over union of one box with each of several boxes.

    Args:
        box (array-like): ``[x1, y1, x2, y2]``.
        boxes (array-like): ``(N, 4)`` boxes.

    Returns:
        np.ndarray: ``(N,)`` IoUs in ``[0, 1]`` (0 against an empty box).

    Example:
        >>> box_iou([0, 0, 2, 2], [[1, 1, 3, 3], [0, 0, 2, 2], [5, 5, 6, 6]])
        array([0.14285714, 1.        , 0.        ])
    """
    box = np.asarray(box, dtype=np.float64).reshape(4)
    boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
    width = np.clip(np.minimum(box[2], boxes[:, 2]) - np.maximum(box[0], boxes[:, 0]), 0, None)
    height = np.clip(np.minimum(box[3], boxes[:, 3]) - np.maximum(box[1], boxes[:, 1]), 0, None)
    inter = width * height
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    union = area + areas - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1), 0.0)


def localization_iou(cam, gt_boxes, image_size, threshold: float = 0.2,
                     largest_component: bool = True) -> float:
    """IoU of the box from a class-activation map with the best-matching ground-truth box.

    Args:
        cam (np.ndarray | Tensor): ``(h, w)`` map of the explained class at any resolution;
            it is resized bilinearly to ``image_size`` first.
        gt_boxes (array-like): ``(N, 4)`` ground-truth boxes of that class in the image's
            frame; none (``N = 0``) scores 0.
        image_size (tuple[int, int]): ``(H, W)`` of the image the boxes live in.
        threshold (float): fraction of the maximum kept, see :func:`cam_to_box`.
        largest_component (bool): box the largest region only, see :func:`cam_to_box`.

    Returns:
        float: the best IoU, 0 when the map is all <= 0 or there is no ground-truth box.

    Example:
        >>> cam = np.zeros((4, 4)); cam[0:2, 0:2] = 1.0
        >>> boxes = [[0, 0, 4, 4], [10, 10, 12, 12]]
        >>> localization_iou(cam, boxes, image_size=(8, 8), threshold=0.5)
        1.0
    """
    gt_boxes = np.asarray(gt_boxes, dtype=np.float64).reshape(-1, 4)
    full = resize_map(np.asarray(cam.detach().cpu() if hasattr(cam, 'detach') else cam,
                                 dtype=np.float32), tuple(image_size), antialias=False)
    box = cam_to_box(full, threshold=threshold, largest_component=largest_component)
    if box is None or len(gt_boxes) == 0:
        return 0.0
    return float(box_iou(box, gt_boxes).max())
