"""Multi-label classification samples that keep their boxes, from VOC-format annotations."""
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from mmpretrain.datasets import MultiLabelDataset
from mmpretrain.datasets.categories import VOC2007_CATEGORIES
from mmpretrain.registry import DATASETS

from ..data.voc import parse_voc_annotation, read_split


@DATASETS.register_module()
class VOCMultiLabelBoxes(MultiLabelDataset):
    """Multi-label image classification from Pascal VOC XML, with the ground-truth boxes.

    Like mmpretrain's ``VOC`` (labels of difficult-only classes go to
    ``gt_label_difficult``), and each sample also carries its boxes for weakly supervised
    localisation: ``gt_bboxes`` ``(N, 4)`` float32 ``[x1, y1, x2, y2]`` (continuous pixel
    coordinates, see :func:`attn_plugins.data.voc.parse_voc_annotation`) and
    ``gt_bboxes_labels`` ``(N,)`` int64. mmcv's ``Resize`` moves the boxes with the image;
    pack them with ``PackInputs(algorithm_keys=('gt_bboxes', 'gt_bboxes_labels'))``.

    The split is either a VOC list file (one image id per line; the image is
    ``<img_path>/<id>.jpg``) or a CSV file with a ``filename`` column (one row per box,
    as in the raccoon set; each file is taken once, in order of first appearance). The
    annotation of image ``<stem>.<ext>`` is ``<ann_path>/<stem>.xml``.

    Args:
        data_root (str): Root folder of the set.
        split (str): The split file, relative to ``data_root`` (``.csv`` or a list file).
            Defaults to ``'ImageSets/Main/trainval.txt'``.
        classes (Sequence[str], optional): Class names in label order. Defaults to the
            20 Pascal VOC classes. An object of another class is an error that names the
            file.
        data_prefix (dict, optional): Folders under ``data_root``. Defaults to
            ``dict(img_path='JPEGImages', ann_path='Annotations')``.
        **kwargs: Other arguments of mmpretrain's ``BaseDataset`` (``pipeline``,
            ``test_mode``, ``indices``, ...).

    Example::

        # Pascal VOC 2012
        dict(type='VOCMultiLabelBoxes', data_root='data/VOCdevkit/VOC2012',
             split='ImageSets/Main/train.txt', pipeline=[...])
        # raccoon: VOC XML in annotations/, split in a CSV file
        dict(type='VOCMultiLabelBoxes', data_root='../shared/data/raccoon',
             split='train_labels.csv', classes=('raccoon', ),
             data_prefix=dict(img_path='images', ann_path='annotations'), pipeline=[...])
    """

    METAINFO = {'classes': VOC2007_CATEGORIES}

    def __init__(self,
                 data_root: str,
                 split: str = 'ImageSets/Main/trainval.txt',
                 classes: Optional[Sequence[str]] = None,
                 data_prefix: Optional[dict] = None,
                 **kwargs):
        if data_prefix is None:
            data_prefix = dict(img_path='JPEGImages', ann_path='Annotations')
        if 'ann_path' not in data_prefix:
            raise ValueError(f'data_prefix needs an ann_path (the folder of the XML files), '
                             f'got {data_prefix}')
        super().__init__(ann_file=split, data_root=data_root, data_prefix=data_prefix,
                         classes=classes, **kwargs)

    def load_data_list(self) -> List[dict]:
        """One sample per image of the split: labels, difficult labels and boxes."""
        class_to_idx = self.class_to_idx
        data_list = []
        for image_file in read_split(self.ann_file):
            xml_path = osp.join(self.data_prefix['ann_path'],
                                f'{osp.splitext(image_file)[0]}.xml')
            objects = parse_voc_annotation(xml_path)['objects']
            for obj in objects:
                if obj['name'] not in class_to_idx:
                    raise ValueError(f'{xml_path}: object class {obj["name"]!r} is not in '
                                     f'classes {tuple(class_to_idx)}; add it to classes')
            labels = {class_to_idx[o['name']] for o in objects if not o['difficult']}
            difficult = {class_to_idx[o['name']] for o in objects if o['difficult']} - labels
            data_list.append(dict(
                img_path=osp.join(self.img_prefix, image_file),
                gt_label=sorted(labels),
                gt_label_difficult=sorted(difficult),
                gt_bboxes=np.array([o['bbox'] for o in objects],
                                   dtype=np.float32).reshape(-1, 4),
                gt_bboxes_labels=np.array([class_to_idx[o['name']] for o in objects],
                                          dtype=np.int64)))
        return data_list

    def extra_repr(self) -> List[str]:
        return [f'Split file: \t{self.ann_file}', f'Prefix of images: \t{self.img_prefix}',
                f'Prefix of annotations: \t{self.data_prefix["ann_path"]}']
