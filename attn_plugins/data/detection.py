"""mmdet detection dataset for any Pascal-VOC-format set: class names from the config, the
split as a VOC list file or a CSV file (raccoon, many exports of labelling tools)."""
import os.path as osp
from typing import List

import mmcv
from mmdet.datasets import XMLDataset
from mmdet.registry import DATASETS

from .voc import parse_voc_annotation, read_split


@DATASETS.register_module()
class VOCFormatDataset(XMLDataset):
    """Detection on Pascal VOC XML annotations, for VOC itself or a set of one's own.

    mmdet's ``VOCDataset`` with three changes: the class names come from the config
    (``metainfo=dict(classes=(...))``, required), the split may be a CSV file with a
    ``filename`` column besides a VOC id list (see :func:`read_split`), and annotations are
    read by :func:`attn_plugins.data.voc.parse_voc_annotation`, so a bad file, an unknown
    class or a missing image size is an error that names the file, and zero-area boxes
    (annotation slips, e.g. two in BCCD) are left out with a warning. Boxes follow mmdet's
    VOC convention (``[xmin - 1, ymin - 1, xmax - 1, ymax - 1]``, evaluated by ``VOCMetric``
    with legacy ``+ 1`` widths); difficult objects get ``ignore_flag=1``.

    Folders: ``<data_root>/<sub_data_root>/<img_subdir>`` and ``.../<ann_subdir>``
    (``data_prefix=dict(sub_data_root='VOC2007/')`` for a VOCdevkit; empty by default).
    The annotation of image ``<stem>.<ext>`` is ``<ann_subdir>/<stem>.xml``.
    ``filter_cfg`` takes mmdet's keys: ``filter_empty_gt``, ``min_size`` (images) and
    ``bbox_min_size`` (boxes narrower than this are ignored in training).

    Args:
        img_subdir (str): Image folder under ``data_root``. Defaults to ``'JPEGImages'``.
        ann_subdir (str): Annotation folder under ``data_root``. Defaults to
            ``'Annotations'``.
        **kwargs: Arguments of mmdet's ``BaseDetDataset``: ``data_root``, ``ann_file``
            (the split, relative to ``data_root``), ``metainfo``, ``filter_cfg``,
            ``pipeline``, ``test_mode``, ...

    Example::

        # BCCD: full VOC layout
        dict(type='VOCFormatDataset', data_root='../shared/data/bccd/',
             ann_file='ImageSets/Main/trainval.txt',
             metainfo=dict(classes=('RBC', 'WBC', 'Platelets')), pipeline=[...])
        # raccoon: VOC XML in annotations/, images in images/, split in a CSV file
        dict(type='VOCFormatDataset', data_root='../shared/data/raccoon/',
             ann_file='train_labels.csv', img_subdir='images', ann_subdir='annotations',
             metainfo=dict(classes=('raccoon', )), pipeline=[...])
    """

    def __init__(self, img_subdir: str = 'JPEGImages', ann_subdir: str = 'Annotations',
                 **kwargs) -> None:
        # mmdet joins only the data_prefix entries with data_root; without a sub_data_root
        # the image and annotation folders would be relative to the working directory.
        data_prefix = dict(sub_data_root='')
        data_prefix.update(kwargs.pop('data_prefix', None) or {})
        super().__init__(img_subdir=img_subdir, ann_subdir=ann_subdir, data_prefix=data_prefix,
                         **kwargs)

    def load_data_list(self) -> List[dict]:
        """One ``data_info`` per image of the split, with its instances."""
        classes = self._metainfo.get('classes')
        if not classes:
            raise ValueError('VOCFormatDataset needs the class names in the config: '
                             "metainfo=dict(classes=('name1', 'name2', ...))")
        self.cat2label = {name: i for i, name in enumerate(classes)}
        return [self.parse_data_info(dict(
            img_id=osp.splitext(name)[0],
            file_name=osp.join(self.img_subdir, name),
            xml_path=osp.join(self.sub_data_root, self.ann_subdir,
                              f'{osp.splitext(name)[0]}.xml')))
            for name in read_split(self.ann_file)]

    def parse_data_info(self, img_info: dict) -> dict:
        """Read one image's annotation.

        Args:
            img_info (dict): ``img_id``, ``file_name`` (relative to the sub data root) and
                ``xml_path``.

        Returns:
            dict: ``img_path``, ``img_id``, ``xml_path``, ``height``, ``width`` and
            ``instances`` (``bbox`` ``[x1, y1, x2, y2]``, ``bbox_label``, ``ignore_flag``).
        """
        xml_path = img_info['xml_path']
        img_path = osp.join(self.sub_data_root, img_info['file_name'])
        ann = parse_voc_annotation(xml_path)
        height, width = ann['height'], ann['width']
        if height is None or width is None:
            img = mmcv.imread(img_path)
            if img is None:
                raise FileNotFoundError(f'{xml_path} has no <size> and its image {img_path} '
                                        'cannot be read')
            height, width = img.shape[:2]
        min_size = None if self.test_mode else self.bbox_min_size
        instances = []
        for obj in ann['objects']:
            if obj['name'] not in self.cat2label:
                raise ValueError(f'{xml_path}: object class {obj["name"]!r} is not in classes '
                                 f'{tuple(self.cat2label)}; add it to metainfo.classes')
            x1, y1, x2, y2 = obj['bbox']
            # parse_voc_annotation gives continuous coordinates; mmdet's VOC boxes end one
            # pixel earlier (inclusive ends, legacy +1 widths in VOCMetric).
            bbox = [x1, y1, x2 - 1, y2 - 1]
            small = min_size is not None and (bbox[2] - bbox[0] < min_size
                                              or bbox[3] - bbox[1] < min_size)
            instances.append(dict(bbox=bbox, bbox_label=self.cat2label[obj['name']],
                                  ignore_flag=int(obj['difficult'] or small)))
        return dict(img_path=img_path, img_id=img_info['img_id'], xml_path=xml_path,
                    height=height, width=width, instances=instances)
