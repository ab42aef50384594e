"""VOC annotations: the shared parser and VOCMultiLabelBoxes (labels + boxes)."""
import numpy as np
import pytest

pytest.importorskip('mmpretrain')

from attn_plugins.atcon.datasets import VOCMultiLabelBoxes  # noqa: E402
from attn_plugins.data.voc import parse_voc_annotation, read_split  # noqa: E402


def voc_xml(objects, size=(100, 80)):
    body = ''.join(
        f'<object><name>{name}</name><difficult>{int(difficult)}</difficult><bndbox>'
        f'<xmin>{box[0]}</xmin><ymin>{box[1]}</ymin><xmax>{box[2]}</xmax><ymax>{box[3]}</ymax>'
        f'</bndbox></object>' for name, box, difficult in objects)
    return (f'<annotation><size><width>{size[0]}</width><height>{size[1]}</height>'
            f'<depth>3</depth></size>{body}</annotation>')


@pytest.fixture
def voc_root(tmp_path):
    (tmp_path / 'Annotations').mkdir()
    (tmp_path / 'ImageSets' / 'Main').mkdir(parents=True)
    (tmp_path / 'Annotations' / 'a.xml').write_text(voc_xml([
        ('cat', (1, 1, 10, 20), False), ('dog', (5, 5, 9, 9), True),
        ('cat', (30, 30, 30, 40), False)]))  # empty box: skipped
    (tmp_path / 'Annotations' / 'b.xml').write_text(voc_xml([
        ('dog', (11, 21, 50, 60), False), ('dog', (2, 2, 4, 4), True)]))
    (tmp_path / 'ImageSets' / 'Main' / 'train.txt').write_text('a\nb\n\n')
    (tmp_path / 'split.csv').write_text('filename,class\nb.jpg,dog\nb.jpg,dog\na.jpg,cat\n')
    return tmp_path


def test_parser_converts_boxes_and_reads_difficult(voc_root):
    ann = parse_voc_annotation(str(voc_root / 'Annotations' / 'a.xml'))
    assert (ann['width'], ann['height']) == (100, 80)
    assert ann['objects'] == [
        dict(name='cat', bbox=[0.0, 0.0, 10.0, 20.0], difficult=False),
        dict(name='dog', bbox=[4.0, 4.0, 9.0, 9.0], difficult=True)]


def test_parser_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match='missing.xml'):
        parse_voc_annotation(str(tmp_path / 'missing.xml'))
    bad = tmp_path / 'bad.xml'
    bad.write_text('<annotation><object><name>x</name></object></annotation>')
    with pytest.raises(ValueError, match='bad.xml'):
        parse_voc_annotation(str(bad))


def test_dataset_labels_difficult_labels_and_boxes(voc_root):
    dataset = VOCMultiLabelBoxes(str(voc_root), split='ImageSets/Main/train.txt',
                                 classes=('cat', 'dog'), data_prefix=dict(
                                     img_path='JPEGImages', ann_path='Annotations'))
    assert len(dataset) == 2
    a, b = dataset.get_data_info(0), dataset.get_data_info(1)
    assert a['img_path'].endswith('JPEGImages/a.jpg')
    assert a['gt_label'] == [0] and a['gt_label_difficult'] == [1]
    np.testing.assert_array_equal(a['gt_bboxes'], [[0, 0, 10, 20], [4, 4, 9, 9]])
    np.testing.assert_array_equal(a['gt_bboxes_labels'], [0, 1])
    assert a['gt_bboxes'].dtype == np.float32
    # dog appears both difficult and not: a label, not a difficult label.
    assert b['gt_label'] == [1] and b['gt_label_difficult'] == []
    assert dataset.get_cat_ids(0) == [0]


def test_csv_split_takes_each_file_once_in_order(voc_root):
    dataset = VOCMultiLabelBoxes(str(voc_root), split='split.csv', classes=('cat', 'dog'),
                                 data_prefix=dict(img_path='', ann_path='Annotations'))
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert [info['img_path'][-5:] for info in infos] == ['b.jpg', 'a.jpg']
    assert [info['gt_label'] for info in infos] == [[1], [0]]


def test_read_split_list_and_csv(voc_root):
    assert read_split(str(voc_root / 'ImageSets' / 'Main' / 'train.txt')) == ['a.jpg', 'b.jpg']
    assert read_split(str(voc_root / 'split.csv')) == ['b.jpg', 'a.jpg']
    (voc_root / 'bad.csv').write_text('image,class\na.jpg,cat\n')
    with pytest.raises(ValueError, match='bad.csv.*filename'):
        read_split(str(voc_root / 'bad.csv'))


def test_unknown_class_and_missing_split_are_errors(voc_root):
    with pytest.raises(ValueError, match=r'a\.xml.*dog'):
        VOCMultiLabelBoxes(str(voc_root), split='ImageSets/Main/train.txt', classes=('cat', ))
    with pytest.raises(FileNotFoundError, match='nope.txt'):
        VOCMultiLabelBoxes(str(voc_root), split='nope.txt', classes=('cat', 'dog'))


def test_shared_voc_sets(shared_data):
    bccd = VOCMultiLabelBoxes(str(shared_data('bccd')), split='ImageSets/Main/train.txt',
                              classes=('RBC', 'WBC', 'Platelets'))
    assert len(bccd) == 205
    raccoon = VOCMultiLabelBoxes(str(shared_data('raccoon')), split='test_labels.csv',
                                 classes=('raccoon', ),
                                 data_prefix=dict(img_path='images', ann_path='annotations'))
    assert len(raccoon) == 40
    assert all(raccoon.get_cat_ids(i) == [0] for i in range(len(raccoon)))
