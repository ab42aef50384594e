"""Single-object classification samples from Pascal-VOC detection annotations.

Every box of a VOC-layout detection set becomes one sample labelled with its class;
:class:`CropObjectBox` cuts the box, with some context, out of the loaded image in the
pipeline. BCCD (``../shared/data/bccd``: RBC / WBC / Platelets) turns into a small real
classification set this way.
"""
import os.path as osp
import random
from collections import defaultdict
from typing import List, Optional, Sequence, Tuple, Union

import numpy as np
from mmcv.transforms import BaseTransform

from mmpretrain.datasets import BaseDataset
from mmpretrain.registry import DATASETS, TRANSFORMS

from .voc import parse_voc_annotation


@DATASETS.register_module()
class VOCObjectCrops(BaseDataset):
    """One classification sample per annotated box of a Pascal-VOC-layout set.

    Layout under ``data_root``: ``JPEGImages/<id>.jpg``, ``Annotations/<id>.xml`` and the
    split list (one image id per line), e.g. ``ImageSets/Main/train.txt``. A sample is
    ``dict(img_path, gt_label, crop_bbox)`` with ``crop_bbox = [x1, y1, x2, y2]`` in 0-based
    pixel coordinates (``x2``, ``y2`` exclusive; VOC's are 1-based inclusive). Put
    :class:`CropObjectBox` right after ``LoadImageFromFile`` in the pipeline.

    Args:
        data_root (str): Root of the VOC-layout set.
        classes (Sequence[str]): Class names, in label order. Every object in the split
            must be one of them.
        split (str): Split list, relative to ``data_root``. Defaults to
            ``'ImageSets/Main/train.txt'``.
        max_per_class (int, optional): Keep at most this many boxes of each class, drawn
            at random (with ``seed``) so frequent classes do not swamp rare ones.
            Defaults to None (keep all).
        seed (int): Seed of that draw. Defaults to 0.
        data_prefix (dict, optional): Folders of images and annotations under
            ``data_root``. Defaults to ``dict(img_path='JPEGImages', ann_path='Annotations')``.
        **kwargs: Other arguments of :class:`mmpretrain.datasets.BaseDataset`
            (``pipeline``, ``test_mode``, ``indices``, ...).

    Example::

        dataset = VOCObjectCrops('../shared/data/bccd', classes=('RBC', 'WBC', 'Platelets'),
                                 max_per_class=100, pipeline=[
                                     dict(type='LoadImageFromFile'),
                                     dict(type='CropObjectBox', margin=0.1),
                                     dict(type='Resize', scale=(32, 32)),
                                     dict(type='PackInputs')])
    """

    def __init__(self,
                 data_root: str,
                 classes: Sequence[str],
                 split: str = 'ImageSets/Main/train.txt',
                 max_per_class: Optional[int] = None,
                 seed: int = 0,
                 data_prefix: Optional[dict] = None,
                 **kwargs):
        if not classes:
            raise ValueError('VOCObjectCrops needs classes=[...], the class names in label '
                             'order (e.g. classes=("RBC", "WBC", "Platelets") for BCCD)')
        self.max_per_class = max_per_class
        self.seed = seed
        if data_prefix is None:
            data_prefix = dict(img_path='JPEGImages', ann_path='Annotations')
        super().__init__(
            ann_file=split, data_root=data_root, data_prefix=data_prefix,
            classes=list(classes), **kwargs)

    def load_data_list(self) -> List[dict]:
        """Read the split list and every listed XML; one sample per box."""
        if not osp.isfile(self.ann_file):
            raise FileNotFoundError(
                f'Split list {self.ann_file} not found: set data_root to the VOC-layout '
                f'folder and split to a list relative to it (e.g. ImageSets/Main/train.txt)')
        with open(self.ann_file) as f:
            image_ids = [line.strip() for line in f if line.strip()]
        class_to_idx = self.class_to_idx
        by_class = defaultdict(list)
        for image_id in image_ids:
            xml_path = osp.join(self.data_prefix['ann_path'], f'{image_id}.xml')
            img_path = osp.join(self.data_prefix['img_path'], f'{image_id}.jpg')
            for obj in parse_voc_annotation(xml_path)['objects']:
                name, box = obj['name'], obj['bbox']
                if name not in class_to_idx:
                    raise ValueError(f'{xml_path}: object class {name!r} is not in classes '
                                     f'{tuple(class_to_idx)}; add it to classes')
                by_class[name].append(dict(img_path=img_path, gt_label=class_to_idx[name],
                                           crop_bbox=box))
        if self.max_per_class is not None:
            rng = random.Random(self.seed)
            for name, samples in by_class.items():
                if len(samples) > self.max_per_class:
                    by_class[name] = rng.sample(samples, self.max_per_class)
        return [sample for name in class_to_idx for sample in by_class[name]]

    def extra_repr(self) -> List[str]:
        return [*super().extra_repr(), f'Max boxes per class: \t{self.max_per_class}']


@TRANSFORMS.register_module()
class CropObjectBox(BaseTransform):
    """Crop ``results['crop_bbox']``, grown by a context margin, out of ``results['img']``.

    Each side grows by ``margin`` times the box's width (left, right) or height (top,
    bottom), then the crop is clipped to the image.

    Required keys: ``img``, ``crop_bbox``. Modified keys: ``img``, ``img_shape``.

    Args:
        margin (float | tuple[float, float]): Context margin; a ``(low, high)`` pair
            draws it uniformly per sample (an augmentation). Defaults to 0.1.
    """

    def __init__(self, margin: Union[float, Tuple[float, float]] = 0.1):
        low, high = (margin, margin) if isinstance(margin, (int, float)) else margin
        if not 0 <= low <= high:
            raise ValueError(f'margin must be >= 0 (or a (low, high) pair with '
                             f'0 <= low <= high), got {margin!r}')
        self.margin = (float(low), float(high))

    def transform(self, results: dict) -> dict:
        img = results['img']
        x1, y1, x2, y2 = results['crop_bbox']
        margin = np.random.uniform(*self.margin)
        dx, dy = margin * (x2 - x1), margin * (y2 - y1)
        height, width = img.shape[:2]
        left, top = max(int(np.floor(x1 - dx)), 0), max(int(np.floor(y1 - dy)), 0)
        right = min(int(np.ceil(x2 + dx)), width)
        bottom = min(int(np.ceil(y2 + dy)), height)
        if right <= left or bottom <= top:
            raise ValueError(f'{results.get("img_path")}: box {results["crop_bbox"]} lies '
                             f'outside the {width}x{height} image')
        results['img'] = img[top:bottom, left:right]
        results['img_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(margin={self.margin})'
