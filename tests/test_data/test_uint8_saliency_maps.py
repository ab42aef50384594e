"""uint8 saliency maps through the crop: the same boxes, thresholds and packed maps as float
maps, up to the 8-bit rounding of a resize; and maps resized only to a declared size."""
import copy
import random

import cv2
import mmcv
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from attn_plugins.data import (LoadSaliencyMap, PackSaliencyInputs, SaliencyCenterCrop,
                               SaliencyConstrainedRandomResizedCrop, SaliencyMultiView,
                               SaliencyRandomFlip, SaliencyResize, read_saliency_map)
from attn_plugins.saliency import SaliencyCropSampler, to_mask
from tests.conftest import REPO_ROOT, shared_data_path

CAST_DATA_CONFIG = REPO_ROOT / 'configs/_base_/datasets/bsds-sod_bs32_cast_cpu.py'


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield


def blob_sample(height=60, width=90, seed=0):
    """A random image and a smooth 8-bit saliency map (two Gaussian blobs), as a PNG map
    loads with ``to_float32=False``."""
    rng = np.random.RandomState(seed)
    rows, cols = np.mgrid[:height, :width]
    saliency = np.zeros((height, width))
    for _ in range(2):
        centre, sigma = rng.rand(2) * (height, width), rng.uniform(5, 15)
        saliency += np.exp(-((rows - centre[0]) ** 2 + (cols - centre[1]) ** 2)
                           / (2 * sigma ** 2))
    levels = np.round(np.clip(saliency, 0, 1) * 255).astype(np.uint8)
    image = rng.randint(0, 256, (height, width, 3)).astype(np.uint8)
    return image, levels


def as_float_map(levels):
    """The float32 map ``LoadSaliencyMap()`` gives for an 8-bit file holding ``levels``."""
    return levels.astype(np.float32) / np.float32(255)


def test_uint8_threshold_picks_the_pixels_the_float_threshold_picks():
    levels = np.arange(256, dtype=np.uint8).reshape(16, 16)
    for threshold in [k / 1000 for k in range(1001)] + [k / 255 for k in range(256)]:
        expected = levels.astype(np.float64) / 255 > threshold  # exact for these levels
        np.testing.assert_array_equal(to_mask(levels, threshold), expected)
        np.testing.assert_array_equal(to_mask(as_float_map(levels), threshold), expected)
    # CAST's 0.5 is "above 127"; the release's 128 / 255 is "above 128".
    assert int(np.argmax(to_mask(levels, 0.5).ravel())) == 128
    assert int(np.argmax(to_mask(levels, 128 / 255).ravel())) == 129


def test_load_saliency_map_keeps_8bit_files_uint8(tmp_path):
    image = np.zeros((40, 60, 3), np.uint8)
    _, levels = blob_sample(40, 60)
    mmcv.imwrite(levels, str(tmp_path / 'full.png'))
    kept = LoadSaliencyMap(to_float32=False)(
        dict(img=image, saliency_path=str(tmp_path / 'full.png')))['saliency']
    assert kept.dtype == np.uint8
    np.testing.assert_array_equal(kept, levels)
    np.testing.assert_array_equal(read_saliency_map(str(tmp_path / 'full.png')),
                                  as_float_map(levels))

    # Half resolution: resized to the image as the float map is, then rounded to 8 bits.
    mmcv.imwrite(levels[::2, ::2], str(tmp_path / 'half.png'))
    sample = dict(img=image, saliency_path=str(tmp_path / 'half.png'))
    small = LoadSaliencyMap(to_float32=False)(dict(sample))['saliency']
    full = LoadSaliencyMap()(dict(sample))['saliency']
    assert small.dtype == np.uint8 and small.shape == full.shape == (40, 60)
    assert np.abs(small - full * 255).max() <= 0.5 + 1e-3

    # .npy maps are float either way.
    np.save(tmp_path / 'map.npy', levels / 255.0)
    loaded = LoadSaliencyMap(to_float32=False)(
        dict(img=image, saliency_path=str(tmp_path / 'map.npy')))['saliency']
    assert loaded.dtype == np.float32


def test_uint8_maps_pack_as_the_float_maps_loading_gives():
    _, levels = blob_sample()
    packed = PackSaliencyInputs()(dict(img=np.zeros((60, 90, 3), np.uint8), saliency=levels,
                                       img_shape=(60, 90), ori_shape=(60, 90)))
    saliency = packed['data_samples'].saliency
    assert saliency.dtype == torch.float32
    np.testing.assert_array_equal(saliency.numpy(), as_float_map(levels))


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
def test_uint8_crop_gives_the_float_crops_boxes_and_maps(backend):
    for seed in range(12):
        image, levels = blob_sample(seed=seed)
        crop = SaliencyConstrainedRandomResizedCrop(scale=(40, 32), min_salient_fraction=0.4,
                                                    backend=backend)
        np.random.seed(seed)
        old = crop(dict(img=image, saliency=as_float_map(levels)))
        np.random.seed(seed)
        new = crop(dict(img=image, saliency=levels))
        # The box: the same as the float path's, and the one the sampler draws on the
        # thresholded levels.
        np.random.seed(seed)
        box = SaliencyCropSampler(min_salient_fraction=0.4).sample(levels > 127)
        assert new['crop_box'] == old['crop_box'] == (box.top, box.left, box.height,
                                                      box.width)
        np.testing.assert_array_equal(new['img'], old['img'])
        assert new['saliency'].dtype == np.uint8 and new['saliency'].shape == (32, 40)
        # The resize rounds to 8 bits: within one level of the float resize.
        assert np.abs(new['saliency'] - old['saliency'] * 255).max() < 1
        # Masks differ only where the float map is within one level of the threshold.
        differ = to_mask(new['saliency']) != to_mask(old['saliency'])
        assert np.all(np.abs(old['saliency'][differ] * 255 - 127.5) < 1)


@pytest.mark.parametrize('backend', ['cv2', 'pillow'])
def test_uint8_crop_equals_the_float_crop_where_no_rounding_happens(backend):
    # Nearest-neighbour resizes pick pixels without arithmetic: the maps must agree exactly.
    for seed in range(5):
        image, levels = blob_sample(seed=seed)
        crop = SaliencyConstrainedRandomResizedCrop(scale=24, interpolation='nearest',
                                                    backend=backend)
        np.random.seed(seed)
        old = PackSaliencyInputs()(crop(dict(img=image, saliency=as_float_map(levels))))
        np.random.seed(seed)
        new = PackSaliencyInputs()(crop(dict(img=image, saliency=levels)))
        np.testing.assert_array_equal(new['data_samples'].saliency,
                                      old['data_samples'].saliency)


def test_cast_config_outputs_keep_to_the_float_pipeline():
    """The CAST data pipeline with uint8 maps against the same pipeline loading float maps,
    on real BSDS500 SOD masks: the same views; maps within one 8-bit level."""
    root = shared_data_path('bsds500')
    pipeline = Config.fromfile(str(CAST_DATA_CONFIG)).train_pipeline
    assert pipeline[1] == dict(type='LoadSaliencyMap', to_float32=False)
    float_pipeline = copy.deepcopy(pipeline)
    float_pipeline[1] = dict(type='LoadSaliencyMap')
    masks = sorted((root / 'sod_masks').glob('*.png'))[:6]
    for index, mask in enumerate(masks):
        image = next((root / 'images').glob(f'*/{mask.stem}.jpg'))
        sample = dict(img_path=str(image), saliency_path=str(mask))
        packed = []
        for steps in (float_pipeline, pipeline):
            np.random.seed(index)
            random.seed(index)
            packed.append(Compose(steps)(dict(sample)))
        old, new = packed
        for old_view, new_view in zip(old['inputs'], new['inputs']):
            torch.testing.assert_close(new_view, old_view, rtol=0, atol=0)
        old_maps, new_maps = old['data_samples'].saliency, new['data_samples'].saliency
        assert new_maps.dtype == torch.float32 and new_maps.shape == old_maps.shape
        assert (new_maps - old_maps).abs().max() < 1 / 255
        differ = to_mask(new_maps) != to_mask(old_maps)
        assert torch.all((old_maps[differ] * 255 - 127.5).abs() < 1)
        assert torch.equal(new['data_samples'].saliency_empty,
                           old['data_samples'].saliency_empty)


def test_map_size_resizes_the_maps_once_to_the_declared_size():
    image, levels = blob_sample(seed=3)
    full = SaliencyConstrainedRandomResizedCrop(scale=56)
    reduced = SaliencyConstrainedRandomResizedCrop(scale=56, map_size=14)
    np.random.seed(0)
    at_output = full(dict(img=image, saliency=levels))
    np.random.seed(0)
    small = reduced(dict(img=image, saliency=levels))
    assert small['crop_box'] == at_output['crop_box']
    np.testing.assert_array_equal(small['img'], at_output['img'])
    top, left, height, width = small['crop_box']
    crop = levels[top:top + height, left:left + width]
    np.testing.assert_array_equal(small['saliency'],
                                  cv2.resize(crop, (14, 14), interpolation=cv2.INTER_LINEAR))
    # What a consumer pooling onto a 7x7 grid reads: close to pooling the full-size map.
    def pooled(saliency):
        tensor = torch.from_numpy(saliency.astype(np.float32) / 255)[None, None]
        return torch.nn.functional.adaptive_avg_pool2d(tensor, 7)[0, 0]
    assert (pooled(small['saliency']) - pooled(at_output['saliency'])).abs().max() < 0.05

    # A flip keeps the declared size and is exact at it; a later resize restores the
    # contract (the map at the image's size).
    flipped = SaliencyRandomFlip(prob=1.0)(copy.deepcopy(small))
    np.testing.assert_array_equal(flipped['saliency'], small['saliency'][:, ::-1])
    assert flipped['img'].shape[:2] == (56, 56)
    resized = SaliencyResize(scale=28)(copy.deepcopy(small))
    assert resized['saliency'].shape == (28, 28) and resized['saliency'].dtype == np.uint8
    centre = SaliencyCenterCrop(crop_size=40)(copy.deepcopy(small))
    assert centre['saliency'].shape == (40, 40)

    with pytest.raises(ValueError, match='map_size .* aspect ratio of the output size'):
        SaliencyConstrainedRandomResizedCrop(scale=56, map_size=(14, 7))


def test_map_size_views_pack_at_the_declared_size():
    image, levels = blob_sample(seed=4)
    view = [dict(type='SaliencyConstrainedRandomResizedCrop', scale=(48, 32),
                 map_size=(12, 8)),
            dict(type='SaliencyRandomFlip', prob=0.5)]
    packed = Compose([SaliencyMultiView(transforms=[view], num_views=2),
                      PackSaliencyInputs()])(dict(img=image, saliency=levels,
                                                  img_shape=(60, 90), ori_shape=(60, 90)))
    assert [tuple(view.shape) for view in packed['inputs']] == [(3, 32, 48)] * 2
    saliency = packed['data_samples'].saliency
    assert saliency.shape == (2, 8, 12) and saliency.dtype == torch.float32
    assert 0 <= float(saliency.min()) and float(saliency.max()) <= 1
