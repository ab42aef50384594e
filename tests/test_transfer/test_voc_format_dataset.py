"""VOCFormatDataset: VOC list or CSV splits, against independent reads of the files."""
import csv
from collections import defaultdict

import mmcv
import numpy as np
import pytest

pytest.importorskip('mmdet')

from mmengine.registry import DefaultScope  # noqa: E402

from attn_plugins.data.detection import VOCFormatDataset  # noqa: E402
from attn_plugins.data.voc import read_split  # noqa: E402

BCCD_CLASSES = ('RBC', 'WBC', 'Platelets')


def data_infos(dataset):
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def raccoon(root, split):
    return VOCFormatDataset(data_root=str(root), ann_file=split, img_subdir='images',
                            ann_subdir='annotations', metainfo=dict(classes=('raccoon', )),
                            test_mode=True, pipeline=[])


@pytest.mark.parametrize('split', ['train_labels.csv', 'test_labels.csv'])
def test_raccoon_csv_split_matches_the_csv_rows(shared_data, split):
    root = shared_data('raccoon')
    # Independent read: one CSV row per box, with the box in VOC pixel indices.
    rows = defaultdict(list)
    with open(root / split, newline='') as f:
        for row in csv.DictReader(f):
            rows[row['filename']].append([int(row[k]) for k in ('xmin', 'ymin', 'xmax', 'ymax')])
    infos = data_infos(raccoon(root, split))
    assert [info['img_path'] for info in infos] == [
        str(root / 'images' / name) for name in rows]  # order of first appearance
    assert len(infos) == {'train_labels.csv': 160, 'test_labels.csv': 40}[split]
    for info in infos:
        name = info['img_path'].rsplit('/', 1)[-1]
        boxes = sorted(np.add([inst['bbox'] for inst in info['instances']], 1).tolist())
        assert boxes == sorted(rows[name]), name  # mmdet's VOC boxes: indices minus one
        assert all(inst['bbox_label'] == 0 and not inst['ignore_flag']
                   for inst in info['instances'])


def test_bccd_matches_mmdet_vocdataset_but_drops_empty_boxes(shared_data):
    from mmdet.datasets import VOCDataset
    root = shared_data('bccd')
    kwargs = dict(data_root=str(root), ann_file='ImageSets/Main/trainval.txt',
                  metainfo=dict(classes=BCCD_CLASSES), pipeline=[])
    ours = data_infos(VOCFormatDataset(**kwargs))
    with DefaultScope.overwrite_default_scope('mmdet'):
        theirs = data_infos(VOCDataset(data_prefix=dict(sub_data_root=''), **kwargs))
    assert len(ours) == len(theirs) == 292
    dropped = []
    for a, b in zip(ours, theirs):
        assert (a['img_path'], a['width'], a['height']) == (b['img_path'], b['width'],
                                                            b['height'])
        assert str(root) in a['img_path']
        kept = [inst for inst in b['instances']
                if inst['bbox'][2] > inst['bbox'][0] and inst['bbox'][3] > inst['bbox'][1]]
        dropped += [a['img_id']] * (len(b['instances']) - len(kept))
        assert a['instances'] == kept, a['img_id']
    assert dropped == ['BloodImage_00338', 'BloodImage_00343']


def write_voc_set(root, objects, name='img1', size=True):
    """A one-image VOC-layout set under ``root`` with the given ``(class, box)`` objects."""
    (root / 'Annotations').mkdir(exist_ok=True)
    (root / 'JPEGImages').mkdir(exist_ok=True)
    mmcv.imwrite(np.zeros((100, 120, 3), np.uint8), str(root / 'JPEGImages' / f'{name}.jpg'))
    objs = ''.join(
        f'<object><name>{cls}</name><difficult>0</difficult><bndbox><xmin>{x1}</xmin>'
        f'<ymin>{y1}</ymin><xmax>{x2}</xmax><ymax>{y2}</ymax></bndbox></object>'
        for cls, (x1, y1, x2, y2) in objects)
    size_xml = '<size><width>120</width><height>100</height></size>' if size else ''
    (root / 'Annotations' / f'{name}.xml').write_text(
        f'<annotation>{size_xml}{objs}</annotation>')
    (root / 'split.txt').write_text(f'{name}\n')


def test_bbox_min_size_ignores_small_boxes_in_training_only(tmp_path):
    write_voc_set(tmp_path, objects=[('cat', (10, 10, 60, 60)), ('cat', (70, 70, 74, 90))])
    kwargs = dict(data_root=str(tmp_path), ann_file='split.txt',
                  metainfo=dict(classes=('cat', )), pipeline=[],
                  filter_cfg=dict(bbox_min_size=8))
    (train, ) = data_infos(VOCFormatDataset(**kwargs))
    assert [inst['ignore_flag'] for inst in train['instances']] == [0, 1]
    (test, ) = data_infos(VOCFormatDataset(test_mode=True, **kwargs))
    assert [inst['ignore_flag'] for inst in test['instances']] == [0, 0]


def test_missing_size_is_read_from_the_image(tmp_path):
    write_voc_set(tmp_path, objects=[('cat', (10, 10, 60, 60))], size=False)
    (info, ) = data_infos(VOCFormatDataset(data_root=str(tmp_path), ann_file='split.txt',
                                           metainfo=dict(classes=('cat', )), pipeline=[]))
    assert (info['height'], info['width']) == (100, 120)


def test_errors_name_the_bad_file(tmp_path):
    write_voc_set(tmp_path, objects=[('dog', (10, 10, 60, 60))])
    kwargs = dict(data_root=str(tmp_path), pipeline=[])
    with pytest.raises(ValueError, match=r"img1\.xml: object class 'dog' is not in classes"):
        VOCFormatDataset(ann_file='split.txt', metainfo=dict(classes=('cat', )), **kwargs)
    with pytest.raises(ValueError, match='needs the class names'):
        VOCFormatDataset(ann_file='split.txt', **kwargs)
    (tmp_path / 'split.csv').write_text('file,xmin\nimg1.jpg,1\n')
    with pytest.raises(ValueError, match=r'split\.csv has no "filename" column'):
        VOCFormatDataset(ann_file='split.csv', metainfo=dict(classes=('dog', )), **kwargs)
    with pytest.raises(FileNotFoundError, match=r'nope\.txt not found'):
        VOCFormatDataset(ann_file='nope.txt', metainfo=dict(classes=('dog', )), **kwargs)
    (tmp_path / 'split.txt').write_text('img1\nimg2\n')
    with pytest.raises(FileNotFoundError, match=r'img2\.xml not found'):
        VOCFormatDataset(ann_file='split.txt', metainfo=dict(classes=('dog', )), **kwargs)


def test_read_split_keeps_first_appearance_order(tmp_path):
    (tmp_path / 'a.csv').write_text('filename,class\nb.png,x\na.jpg,x\nb.png,y\n')
    assert read_split(str(tmp_path / 'a.csv')) == ['b.png', 'a.jpg']
    (tmp_path / 'ids.txt').write_text('2008_000001\n\n2008_000002\n')
    assert read_split(str(tmp_path / 'ids.txt')) == ['2008_000001.jpg', '2008_000002.jpg']
