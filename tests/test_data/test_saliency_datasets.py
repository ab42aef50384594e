"""Saliency and eye-fixation datasets, and the two-view CAST pipeline on real data."""
import json

import mmcv
import numpy as np
import pytest
from mmengine.registry import DefaultScope
from mmpretrain.registry import DATASETS

from attn_plugins.data import (FixationMapFolder, OSIEFixations, SALICONFixations,
                               SaliencyImageFolder, SceneSaliencyFixations)
from attn_plugins.saliency import to_mask


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield


def write_image(path, height=12, width=16, value=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    mmcv.imwrite(np.full((height, width, 3), value, np.uint8), str(path))


def test_saliency_folder_pairs_by_stem_and_names_missing_maps(tmp_path):
    write_image(tmp_path / 'images/train/a.jpg')
    write_image(tmp_path / 'images/val/b.jpg')
    write_image(tmp_path / 'maps/a.png')
    np.save(tmp_path / 'maps/b.npy', np.zeros((12, 16), np.float32))
    dataset = SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images',
                                  saliency_dir='maps')
    assert [(s['img_path'][len(str(tmp_path)):], s['saliency_path'][len(str(tmp_path)):])
            for s in dataset] == [('/images/train/a.jpg', '/maps/a.png'),
                                  ('/images/val/b.jpg', '/maps/b.npy')]

    write_image(tmp_path / 'images/val/c.jpg')
    with pytest.raises(FileNotFoundError, match=r'no saliency map for .*images/val/c.jpg'):
        SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images', saliency_dir='maps')
    skipped = SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images',
                                  saliency_dir='maps', missing_saliency='skip')
    assert len(skipped) == 2
    np.save(tmp_path / 'maps/a.npy', np.zeros((12, 16), np.float32))
    with pytest.raises(ValueError, match="two saliency maps for 'a'"):
        SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images', saliency_dir='maps',
                            missing_saliency='skip')


def test_saliency_folder_tree_layout_pairs_by_path_below_the_image_folder(tmp_path):
    """Class folders whose file names repeat (Caltech-101): each image gets the map at its
    own path, from an ann_file list too; a missing one is named by that path."""
    for cls, value in (('cat', 10), ('dog', 20)):
        write_image(tmp_path / f'images/{cls}/image_0001.jpg', value=value)
        write_image(tmp_path / f'maps/{cls}/image_0001.png', value=value)
    (tmp_path / 'list.txt').write_text('dog/image_0001.jpg\ncat/image_0001.jpg\n')
    dataset = SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images',
                                  saliency_dir=str(tmp_path / 'maps'), ann_file='list.txt',
                                  saliency_layout='tree')
    assert [(s['img_path'][len(str(tmp_path)):], s['saliency_path'][len(str(tmp_path)):])
            for s in dataset] == [('/images/dog/image_0001.jpg', '/maps/dog/image_0001.png'),
                                  ('/images/cat/image_0001.jpg', '/maps/cat/image_0001.png')]
    # the stem layout reads only the maps directly in the folder: none here
    with pytest.raises(FileNotFoundError, match=r'expected image_0001.png'):
        SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images', saliency_dir='maps')
    write_image(tmp_path / 'images/owl/image_0001.jpg')
    with pytest.raises(FileNotFoundError, match=r'expected owl/image_0001.png'):
        SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images', saliency_dir='maps',
                            saliency_layout='tree')
    with pytest.raises(ValueError, match="saliency_layout must be 'stem' or 'tree'"):
        SaliencyImageFolder(data_root=str(tmp_path), img_dirs='images', saliency_dir='maps',
                            saliency_layout='nested')


def test_saliency_folder_holds_each_map_to_the_size_contract(tmp_path):
    """Through the dataset and its pipeline: a map at the image's size is read as it is, one
    at half resolution is resized to the image, one of another aspect ratio is an error."""
    salient = np.zeros((24, 32), np.uint8)
    salient[8:16, 16:28] = 255  # even bounds: exact at half resolution
    for stem in 'abc':
        mmcv.imwrite(np.repeat(salient[..., None], 3, axis=2), str(tmp_path / f'images/{stem}.png'))
    mmcv.imwrite(salient, str(tmp_path / 'maps/a.png'))
    mmcv.imwrite(salient[::2, ::2], str(tmp_path / 'maps/b.png'))
    mmcv.imwrite(salient[:, :24], str(tmp_path / 'maps/c.png'))
    dataset = SaliencyImageFolder(
        data_root=str(tmp_path), img_dirs='images', saliency_dir='maps',
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadSaliencyMap')])
    same = dataset[0]
    np.testing.assert_array_equal(same['saliency'], salient / 255.0)
    half = dataset[1]['saliency']
    assert half.shape == (24, 32)
    # Bilinear upsampling blurs the square's border by one pixel, nothing moves.
    np.testing.assert_allclose(half[9:15, 17:27], 1.0, atol=1e-6)
    np.testing.assert_array_equal(to_mask(half), salient > 127)
    with pytest.raises(ValueError, match=r'saliency map .*maps/c\.png is 24x24 \(width x height\) '
                                         r'but its image .*images/c\.png is 32x24'):
        dataset[2]


def test_osie_reads_fixations_one_based_and_splits(shared_data):
    from scipy.io import loadmat

    root = shared_data('osie')
    full = OSIEFixations(data_root=str(root))
    train = OSIEFixations(data_root=str(root), split='train')
    val = OSIEFixations(data_root=str(root), split='val')
    assert (len(full), len(train), len(val)) == (700, 600, 100)
    assert val[0]['img_path'].endswith('images/1601.jpg')
    assert not {s['img_path'] for s in train} & {s['img_path'] for s in val}

    raw = loadmat(str(root / 'fixations.mat'), squeeze_me=True,
                  struct_as_record=False)['fixations'][0]
    expected = np.concatenate([np.stack([s.fix_x, s.fix_y], 1) for s in raw.subjects]) - 1
    np.testing.assert_allclose(full[0]['fixation_points'], expected, rtol=1e-6)
    assert full[0]['img_path'].endswith(raw.img)


def test_scene_saliency_reads_row_col_one_based_pooled_and_splits(shared_data):
    """Values read by hand from fixations.mat (rows [y, x, onset, duration], 1-based)."""
    root = shared_data('scene_saliency')
    full = SceneSaliencyFixations(data_root=str(root))
    train = SceneSaliencyFixations(data_root=str(root), split='train')
    val = SceneSaliencyFixations(data_root=str(root), split='val')
    assert (len(full), len(train), len(val)) == (500, 400, 100)
    assert val[0]['img_path'].endswith('stimuli/401.jpg')
    assert not {s['img_path'] for s in train} & {s['img_path'] for s in val}
    # 001.jpg (256x256): 12 observers, 89 fixations; the first is [118.4711, 49.7778, ...]
    first = full[0]
    assert first['img_path'].endswith('stimuli/001.jpg')
    assert first['fixation_points'].shape == (89, 2)
    np.testing.assert_allclose(first['fixation_points'][:2],
                               [[48.7778, 117.4711], [31.1896, 118.9644]], atol=1e-4)
    np.testing.assert_allclose(first['fixation_points'][-1], [237.7437, 131.5748], atol=1e-4)
    # 015.jpg: observer 8's cell is empty; the other 11 give 61 fixations
    assert full[14]['fixation_points'].shape == (61, 2)
    # 437.jpg is 500 wide and 337 high: x (the second column of the file) runs along width
    late = full[436]
    assert late['img_path'].endswith('stimuli/437.jpg')
    assert mmcv.imread(late['img_path']).shape[:2] == (337, 500)
    np.testing.assert_allclose(late['fixation_points'][0], [326.1668, 172.1181], atol=1e-4)
    assert late['fixation_points'].shape == (92, 2)


def test_scene_saliency_refuses_a_file_that_does_not_match_the_images(tmp_path):
    from scipy.io import savemat

    for name in ('a.jpg', 'b.jpg'):
        write_image(tmp_path / 'stimuli' / name, 10, 20)
    cells = np.empty((3, 1), dtype=object)
    for i in range(3):
        cells[i, 0] = np.array([[2.0, 3.0, 0.1, 0.2]])
    savemat(str(tmp_path / 'fixations.mat'), dict(fixations=cells))
    with pytest.raises(ValueError, match='fixations for 3 images but .* has 2'):
        SceneSaliencyFixations(data_root=str(tmp_path))
    with pytest.raises(FileNotFoundError, match='Scene saliency fixations file not found'):
        SceneSaliencyFixations(data_root=str(tmp_path), fixations_file='missing.mat')


def test_salicon_json_pools_workers_and_converts_row_col(tmp_path):
    write_image(tmp_path / 'images/COCO_1.jpg', 10, 20)
    content = dict(
        images=[dict(id=7, file_name='COCO_1.jpg', width=20, height=10)],
        annotations=[dict(image_id=7, worker_id=1, fixations=[[1, 1], [3, 5]]),
                     dict(image_id=7, worker_id=2, fixations=[[10, 20]])])
    (tmp_path / 'fix.json').write_text(json.dumps(content))
    dataset = SALICONFixations(data_root=str(tmp_path), fixations_file='fix.json')
    np.testing.assert_array_equal(dataset[0]['fixation_points'],
                                  [[0, 0], [4, 2], [19, 9]])
    (tmp_path / 'bad.json').write_text('{"images": []}')
    with pytest.raises(ValueError, match='not a SALICON fixations file'):
        SALICONFixations(data_root=str(tmp_path), fixations_file='bad.json')


def test_fixation_map_folder_reads_nonzero_pixels(tmp_path):
    write_image(tmp_path / 'stimuli/i1.jpeg', 8, 8)
    fix = np.zeros((8, 8), np.uint8)
    fix[2, 5] = fix[7, 0] = 255
    mmcv.imwrite(fix, str(tmp_path / 'maps/i1_fixPts.png'))
    dataset = FixationMapFolder(data_root=str(tmp_path), img_dir='stimuli',
                                fixation_dir='maps', fixation_suffix='_fixPts.png')
    assert sorted(map(tuple, dataset[0]['fixation_points'].tolist())) == [(0, 7), (5, 2)]
    write_image(tmp_path / 'stimuli/i2.jpeg', 8, 8)
    with pytest.raises(FileNotFoundError, match='fixation map for .*i2.jpeg'):
        FixationMapFolder(data_root=str(tmp_path), img_dir='stimuli', fixation_dir='maps',
                          fixation_suffix='_fixPts.png')


def test_split_file_and_bad_split_arguments(tmp_path, shared_data):
    root = shared_data('osie')
    (tmp_path / 'list.txt').write_text('1005.jpg\n1002.jpg\n')
    dataset = OSIEFixations(data_root=str(root), ann_file=str(tmp_path / 'list.txt'))
    assert [s['img_path'][-8:] for s in dataset] == ['1005.jpg', '1002.jpg']
    (tmp_path / 'bad.txt').write_text('nope.jpg\n')
    with pytest.raises(ValueError, match="without fixations: \\['nope.jpg'\\]"):
        OSIEFixations(data_root=str(root), ann_file=str(tmp_path / 'bad.txt'))
    with pytest.raises(ValueError, match="split must be None, 'train' or 'val'"):
        OSIEFixations(data_root=str(root), split='test')


def test_two_view_cast_pipeline_on_bsds_keeps_the_salient_fraction(shared_data):
    """BSDS500 photos with their SOD masks through the CAST two-view pipeline: each view's
    crop box holds at least 20% of the salient pixels (or is the fallback, holding all)."""
    root = shared_data('bsds500')
    view = [dict(type='SaliencyConstrainedRandomResizedCrop', scale=64,
                 min_salient_fraction=0.2),
            dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4, saturation=0.4,
                 hue=0.1),
            dict(type='SaliencyRandomFlip', prob=0.5)]
    dataset = DATASETS.build(dict(
        type='SaliencyImageFolder', data_root=str(root), img_dirs='images',
        saliency_dir='sod_masks', missing_saliency='skip',
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadSaliencyMap'),
                  dict(type='SaliencyMultiView', num_views=2, transforms=[view])]))
    assert len(dataset) == 300
    np.random.seed(0)
    for index in range(0, 300, 15):
        info = dataset.get_data_info(index)
        mask = to_mask(mmcv.imread(info['saliency_path'], flag='grayscale'))
        results = dataset.pipeline(dict(info))
        assert len(results['img']) == len(results['saliency']) == 2
        for (top, left, height, width), fallback in zip(results['crop_box'],
                                                        results['crop_fallback']):
            kept = mask[top:top + height, left:left + width].sum() / mask.sum()
            assert kept >= (1.0 if fallback else 0.2)
        for img, saliency in zip(results['img'], results['saliency']):
            assert img.shape == (64, 64, 3) and saliency.shape == (64, 64)
            assert saliency.max() > 0.5  # the kept object is in the view's map
