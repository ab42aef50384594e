"""VOCObjectCrops / CropObjectBox on BCCD and on small hand-made VOC folders."""
import logging
import re
from collections import Counter

import numpy as np
import pytest

pytest.importorskip('mmpretrain')

from mmengine.logging import MMLogger  # noqa: E402

from attn_plugins.data import CropObjectBox, VOCObjectCrops  # noqa: E402

BCCD_CLASSES = ('RBC', 'WBC', 'Platelets')


def count_boxes(root, split):
    """Non-empty boxes per class, read with regular expressions (independent of ElementTree)."""
    counts = Counter()
    pattern = re.compile(r'<name>(\w+)</name>.*?<xmin>([\d.]+)</xmin>\s*<ymin>([\d.]+)</ymin>'
                         r'\s*<xmax>([\d.]+)</xmax>\s*<ymax>([\d.]+)</ymax>', re.S)
    for image_id in (root / 'ImageSets' / 'Main' / f'{split}.txt').read_text().split():
        text = (root / 'Annotations' / f'{image_id}.xml').read_text()
        for name, x1, y1, x2, y2 in pattern.findall(text):
            if float(x2) > float(x1) and float(y2) > float(y1):
                counts[name] += 1
    return counts


def test_one_sample_per_box_and_class_cap(shared_data):
    root = shared_data('bccd')
    dataset = VOCObjectCrops(str(root), classes=BCCD_CLASSES, split='ImageSets/Main/val.txt')
    expected = count_boxes(root, 'val')
    labels = Counter(BCCD_CLASSES[label] for label in dataset.get_gt_labels())
    assert labels == expected

    capped = VOCObjectCrops(str(root), classes=BCCD_CLASSES, split='ImageSets/Main/val.txt',
                            max_per_class=50)
    labels = Counter(BCCD_CLASSES[label] for label in capped.get_gt_labels())
    assert labels == {name: min(50, count) for name, count in expected.items()}


def test_crop_matches_the_voc_box(shared_data):
    root = shared_data('bccd')
    dataset = VOCObjectCrops(str(root), classes=BCCD_CLASSES, split='ImageSets/Main/test.txt',
                             max_per_class=3, pipeline=[dict(type='LoadImageFromFile')])
    crop = CropObjectBox(margin=0.)
    for index in range(len(dataset)):
        sample = dataset[index]
        image = sample['img']
        image_id = sample['img_path'].rsplit('/', 1)[-1][:-4]
        text = (root / 'Annotations' / f'{image_id}.xml').read_text()
        x1, y1, x2, y2 = sample['crop_bbox']
        # VOC boxes are 1-based and inclusive: xmin..xmax covers pixels xmin-1 .. xmax-1.
        assert f'<xmin>{int(x1) + 1}</xmin>' in text and f'<ymax>{int(y2)}</ymax>' in text
        out = crop(dict(sample))
        np.testing.assert_array_equal(out['img'], image[int(y1):int(y2), int(x1):int(x2)])
        assert out['img_shape'] == out['img'].shape[:2]


def write_voc(root, objects, image_size=(40, 30)):
    """A one-image VOC folder; objects are (name, xmin, ymin, xmax, ymax) in VOC coordinates."""
    import cv2
    (root / 'JPEGImages').mkdir(parents=True)
    (root / 'Annotations').mkdir()
    (root / 'ImageSets' / 'Main').mkdir(parents=True)
    width, height = image_size
    image = np.arange(height * width * 3, dtype=np.uint8).reshape(height, width, 3)
    cv2.imwrite(str(root / 'JPEGImages' / 'img0.jpg'), image)
    body = ''.join(
        f'<object><name>{n}</name><bndbox><xmin>{a}</xmin><ymin>{b}</ymin><xmax>{c}</xmax>'
        f'<ymax>{d}</ymax></bndbox></object>' for n, a, b, c, d in objects)
    (root / 'Annotations' / 'img0.xml').write_text(f'<annotation>{body}</annotation>')
    (root / 'ImageSets' / 'Main' / 'train.txt').write_text('img0\n')


def test_margin_grows_the_box_and_clips_at_the_border(tmp_path):
    write_voc(tmp_path, [('cat', 3, 5, 12, 14)])  # 10x10 box at pixels 2..11, 4..13
    dataset = VOCObjectCrops(str(tmp_path), classes=('cat', ), pipeline=[
        dict(type='LoadImageFromFile'), dict(type='CropObjectBox', margin=0.5)])
    # Grown by 5 px per side: x from -3 (clipped to 0) to 17, y from -1 (clipped) to 19.
    assert dataset[0]['img'].shape == (19, 17, 3)
    with pytest.raises(ValueError, match='margin must be >= 0'):
        CropObjectBox(margin=(0.3, 0.1))


def test_empty_boxes_are_skipped_with_a_warning_naming_the_file(tmp_path):
    write_voc(tmp_path, [('cat', 3, 5, 12, 14), ('cat', 7, 7, 7, 7)])
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = MMLogger.get_current_instance()
    logger.addHandler(handler)
    try:
        dataset = VOCObjectCrops(str(tmp_path), classes=('cat', ))
    finally:
        logger.removeHandler(handler)
    assert len(dataset) == 1
    assert any("img0.xml: skipping empty box of 'cat'" in r.getMessage() for r in records)


@pytest.mark.parametrize('xml,error,match', [
    ('<annotation><object><name>cat', ValueError, r'img0\.xml is not valid XML'),
    ('<annotation><object><name>dog</name><bndbox><xmin>1</xmin><ymin>1</ymin>'
     '<xmax>5</xmax><ymax>5</ymax></bndbox></object></annotation>', ValueError,
     r"img0\.xml: object class 'dog' is not in classes"),
    ('<annotation><object><name>cat</name></object></annotation>', ValueError,
     r'img0\.xml: an <object> lacks'),
    ('<annotation><object><name>cat</name><bndbox><xmin>a</xmin></bndbox></object>'
     '</annotation>', ValueError, r'img0\.xml: box of .cat. needs numeric'),
])
def test_bad_annotations_raise_errors_naming_the_file(tmp_path, xml, error, match):
    write_voc(tmp_path, [])
    (tmp_path / 'Annotations' / 'img0.xml').write_text(xml)
    with pytest.raises(error, match=match):
        VOCObjectCrops(str(tmp_path), classes=('cat', ))


def test_missing_files_and_classes(tmp_path):
    write_voc(tmp_path, [('cat', 3, 5, 12, 14)])
    with pytest.raises(FileNotFoundError, match=r'Split list .*val\.txt not found'):
        VOCObjectCrops(str(tmp_path), classes=('cat', ), split='ImageSets/Main/val.txt')
    (tmp_path / 'Annotations' / 'img0.xml').unlink()
    with pytest.raises(FileNotFoundError, match=r'Annotation file .*img0\.xml not found'):
        VOCObjectCrops(str(tmp_path), classes=('cat', ))
    with pytest.raises(ValueError, match='needs classes'):
        VOCObjectCrops(str(tmp_path), classes=())


def test_crop_outside_the_image_names_it():
    results = dict(img=np.zeros((10, 10, 3), np.uint8), crop_bbox=[20., 20., 30., 30.],
                   img_path='x.jpg')
    with pytest.raises(ValueError, match=r'x\.jpg: box .* lies outside the 10x10 image'):
        CropObjectBox(margin=0.)(results)
