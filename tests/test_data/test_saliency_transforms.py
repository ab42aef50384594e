"""Saliency-aware transforms: image, maps and fixation points stay aligned."""
import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmpretrain.registry import TRANSFORMS

from attn_plugins.data import (EstimateSaliency, FixationsToDensity, LoadSaliencyMap,
                               PackSaliencyInputs, SaliencyCenterCrop,
                               SaliencyConstrainedRandomResizedCrop, SaliencyMultiView,
                               SaliencyRandomFlip, SaliencyResize, stack_field)
from attn_plugins.saliency import spectral_residual_saliency, to_mask


@pytest.fixture(autouse=True)
def mmpretrain_scope():
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        yield


def square_sample(height, width, top, left, side):
    """An image whose pixels encode its saliency map (one bright square: 255 in the image,
    1.0 in the map), and one fixation on the square's centre pixel."""
    saliency = np.zeros((height, width), np.float32)
    saliency[top:top + side, left:left + side] = 1.0
    img = np.repeat((saliency * 255).astype(np.uint8)[..., None], 3, axis=2)
    centre = np.array([[left + (side - 1) / 2, top + (side - 1) / 2]], np.float32)
    return dict(img=img, saliency=saliency, fixation_points=centre,
                img_shape=(height, width), ori_shape=(height, width))


def assert_aligned(results, min_side):
    """The image still encodes the map pixel for pixel; the fixation is still on the square."""
    np.testing.assert_allclose(results['img'][..., 0], results['saliency'] * 255, atol=2)
    if min_side >= 3:
        for x, y in results['fixation_points']:
            row, col = int(np.floor(y + 0.5)), int(np.floor(x + 0.5))
            assert results['saliency'][row, col] > 0.5


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(height=st.integers(24, 90), width=st.integers(24, 90), frac=st.floats(0.2, 0.5),
       pos=st.tuples(st.floats(0, 1), st.floats(0, 1)), out=st.integers(8, 48),
       seed=st.integers(0, 2**31 - 1), backend=st.sampled_from(['cv2', 'pillow']))
def test_geometric_pipeline_keeps_image_map_and_points_aligned(height, width, frac, pos, out,
                                                              seed, backend):
    side = max(6, int(min(height, width) * frac))
    top = int(pos[0] * (height - side))
    left = int(pos[1] * (width - side))
    np.random.seed(seed)
    crop = SaliencyConstrainedRandomResizedCrop(scale=out, min_salient_fraction=0.5,
                                                backend=backend)
    rest = Compose([
        SaliencyRandomFlip(prob=0.5),
        SaliencyResize(scale=(out + 7, out + 3), backend=backend),
        SaliencyRandomFlip(prob=0.5, direction='vertical'),
        SaliencyCenterCrop(crop_size=(out, out)),
    ])
    results = crop(square_sample(height, width, top, left, side))
    _, _, box_h, box_w = results['crop_box']
    results = rest(results)
    assert results['img'].shape[:2] == results['saliency'].shape == (out, out)
    assert results['img_shape'] == (out, out)
    assert_aligned(results, min_side=side * out / max(box_h, box_w))


def test_exact_crop_and_flip_move_maps_pixel_for_pixel():
    rng = np.random.RandomState(0)
    img = rng.randint(0, 255, (20, 30, 3)).astype(np.uint8)
    saliency = rng.rand(20, 30).astype(np.float32)
    points = np.array([[3.0, 4.0], [29.0, 19.0], [12.0, 2.0]], np.float32)
    results = SaliencyCenterCrop(crop_size=(10, 8))(
        dict(img=img.copy(), saliency=saliency.copy(), fixation_points=points.copy()))
    # central 8 rows x 10 columns: rows 6..13, cols 10..19
    np.testing.assert_array_equal(results['img'], img[6:14, 10:20])
    np.testing.assert_array_equal(results['saliency'], saliency[6:14, 10:20])
    assert results['fixation_points'].tolist() == []  # all three fell outside
    flipped = SaliencyRandomFlip(prob=1.0)(
        dict(img=img.copy(), saliency=saliency.copy(), fixation_points=points.copy()))
    np.testing.assert_array_equal(flipped['saliency'], saliency[:, ::-1])
    np.testing.assert_array_equal(flipped['img'], img[:, ::-1])
    np.testing.assert_allclose(flipped['fixation_points'][:, 0], 29 - points[:, 0])
    assert flipped['flip'] is True


def test_resize_scales_points_about_pixel_centres():
    points = np.array([[0.0, 0.0], [9.0, 4.0]], np.float32)
    results = SaliencyResize(scale=(20, 10))(
        dict(img=np.zeros((5, 10, 3), np.uint8), fixation_points=points.copy()))
    # pixel i spans [i - 0.5, i + 0.5); doubling maps its centre to 2i + 0.5
    np.testing.assert_allclose(results['fixation_points'], [[0.5, 0.5], [18.5, 8.5]])
    kept = SaliencyResize(scale=(20, 20), keep_ratio=True)(
        dict(img=np.zeros((5, 10, 3), np.uint8)))
    assert kept['img'].shape[:2] == (10, 20)


def test_photometric_transforms_leave_maps_untouched():
    np.random.seed(0)
    sample = square_sample(32, 32, 8, 8, 12)
    sample['img'][..., 1] = 90  # colour, so the jitter has something to change
    original = sample['img'].copy()
    saliency = sample['saliency'].copy()
    pipeline = Compose([
        dict(type='ColorJitterNumpy2', brightness=0.4, contrast=0.4, saturation=0.4, hue=0.1),
        dict(type='RandomGrayscale', prob=1.0, keep_channels=True,
             channel_weights=(0.114, 0.587, 0.2989)),
        dict(type='GaussianBlur', magnitude_range=(0.1, 2.0), magnitude_std='inf', prob=1.0),
        dict(type='Solarize', thr=128, prob=1.0),
    ])
    results = pipeline(sample)
    np.testing.assert_array_equal(results['saliency'], saliency)
    assert not np.array_equal(results['img'], original)


def test_multiview_keeps_each_views_saliency_and_packs_it_batched():
    np.random.seed(1)
    view = [dict(type='SaliencyConstrainedRandomResizedCrop', scale=16),
            dict(type='SaliencyRandomFlip', prob=0.5)]
    pipeline = Compose([SaliencyMultiView(transforms=[view], num_views=2),
                        PackSaliencyInputs()])
    samples = [pipeline(square_sample(40, 50, 5 + i, 10, 15)) for i in range(3)]
    for packed in samples:
        assert [t.shape for t in packed['inputs']] == [torch.Size([3, 16, 16])] * 2
        saliency = packed['data_samples'].saliency
        assert saliency.shape == (2, 16, 16) and saliency.dtype == torch.float32
        for v in range(2):  # each view's map matches that view's image
            img_mask = packed['inputs'][v][0] > 125
            map_mask = saliency[v] > 0.5
            assert (img_mask == map_mask).float().mean() > 0.9
        assert packed['data_samples'].saliency_empty.tolist() == [False, False]
    batch = stack_field([p['data_samples'] for p in samples], 'saliency')
    assert batch.shape == (3, 2, 16, 16)
    with pytest.raises(KeyError, match="no 'fixation_density'"):
        stack_field([p['data_samples'] for p in samples], 'fixation_density')


def test_empty_map_gives_a_plain_crop_flagged_empty():
    sample = square_sample(30, 30, 0, 0, 6)
    sample['saliency'][:] = 0
    results = SaliencyConstrainedRandomResizedCrop(scale=12)(sample)
    assert results['saliency_empty'] is True and results['img'].shape == (12, 12, 3)


def test_crop_without_a_map_says_what_to_add():
    with pytest.raises(KeyError, match='LoadSaliencyMap or EstimateSaliency'):
        SaliencyConstrainedRandomResizedCrop(scale=8)(
            dict(img=np.zeros((10, 10, 3), np.uint8), img_path='a.jpg'))


def test_estimate_saliency_uses_the_rgb_image_and_keeps_existing_maps():
    rng = np.random.RandomState(0)
    bgr = rng.randint(0, 255, (40, 48, 3)).astype(np.uint8)
    bgr[10:20, 5:15] = (255, 0, 0)  # a blue patch: BGR and RGB luma differ there
    results = EstimateSaliency(method='spectral_residual')(dict(img=bgr))
    expected = spectral_residual_saliency(bgr[..., ::-1])
    np.testing.assert_allclose(results['saliency'], expected)
    assert not np.allclose(results['saliency'], spectral_residual_saliency(bgr))
    assert results['saliency'].dtype == np.float32
    kept = EstimateSaliency()(dict(img=bgr, saliency=np.ones((40, 48), np.float32)))
    assert kept['saliency'].min() == 1
    # the default estimate is the image signature times the centre prior
    from attn_plugins.saliency import estimate_saliency
    np.testing.assert_allclose(EstimateSaliency()(dict(img=bgr))['saliency'],
                               estimate_saliency(bgr[..., ::-1], 'signature_center'))


def test_estimate_saliency_methods_and_a_teacher(tmp_path):
    import pickle

    import mmcv
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import MODELS

    from attn_plugins.saliency import estimate_saliency, resize_map
    from tests.conftest import REPO_ROOT

    rng = np.random.RandomState(1)
    bgr = rng.randint(0, 255, (60, 80, 3)).astype(np.uint8)
    results = EstimateSaliency(method='signature_center', center_sigma=0.2)(dict(img=bgr))
    np.testing.assert_allclose(results['saliency'],
                               estimate_saliency(bgr[..., ::-1], 'signature_center',
                                                 center_sigma=0.2))
    with pytest.raises(ValueError, match="unknown saliency method 'itti'"):
        EstimateSaliency(method='itti')
    with pytest.raises(ValueError, match='apply to the estimators'):
        EstimateSaliency(method='teacher', center_sigma=0.2)

    config = REPO_ROOT / ('configs/saliency_teacher/'
                          'saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py')
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(config).model).eval()
    torch.nn.init.normal_(model.decoder.readout.weight, std=0.5)
    torch.save(dict(state_dict=model.state_dict()), tmp_path / 'teacher.pth')
    transform = EstimateSaliency(method='teacher', teacher=(str(config),
                                                            str(tmp_path / 'teacher.pth')))
    saliency = transform(dict(img=bgr))['saliency']
    small = mmcv.imresize(bgr, (128, 96), interpolation='bilinear')
    with torch.no_grad():
        expected = model.saliency_maps(torch.from_numpy(small).permute(2, 0, 1)[None])[0]
    np.testing.assert_allclose(saliency, resize_map(expected, (60, 80)).numpy(), atol=1e-5)
    assert saliency.shape == (60, 80) and saliency.dtype == np.float32
    # a dataloader worker receives the transform without the built network
    assert pickle.loads(pickle.dumps(transform))._model is None


def test_load_saliency_map_png_npy_resize_and_errors(tmp_path):
    import mmcv
    from mmengine.logging import MMLogger

    img = np.zeros((20, 30, 3), np.uint8)
    png = np.zeros((20, 30), np.uint8)
    png[5:10, 5:15] = 255
    mmcv.imwrite(png, str(tmp_path / 'a.png'))
    out = LoadSaliencyMap()(dict(img=img, saliency_path=str(tmp_path / 'a.png')))
    np.testing.assert_array_equal(out['saliency'], png / 255.0)

    np.save(tmp_path / 'b.npy', np.full((20, 30), 4.0, np.float32) * (png > 0))
    out = LoadSaliencyMap()(dict(img=img, saliency_path=str(tmp_path / 'b.npy')))
    assert out['saliency'].max() == 1.0 and to_mask(out['saliency']).sum() == 50

    # Half resolution, same aspect ratio: resized to the image here, once, with no warning.
    mmcv.imwrite(png[::2, ::2], str(tmp_path / 'small.png'))
    messages = []
    logger = MMLogger.get_instance('test_load_saliency_map')
    original_warning = logger.warning
    logger.warning = messages.append
    try:
        out = LoadSaliencyMap()(dict(img=img, saliency_path=str(tmp_path / 'small.png'),
                                     img_path='img.jpg'))
    finally:
        logger.warning = original_warning
    assert out['saliency'].shape == (20, 30) and out['saliency'].dtype == np.float32
    assert messages == []
    # The square (rows 5-9, columns 5-14) is where it was: inside full, outside empty.
    assert out['saliency'][6:9, 6:14].min() > 0.5 and out['saliency'][12:, 18:].max() == 0

    # Another aspect ratio: an error naming both files and both sizes.
    mmcv.imwrite(png[:, :20], str(tmp_path / 'narrow.png'))
    with pytest.raises(ValueError, match=r'saliency map .*narrow\.png is 20x20 \(width x '
                                         r'height\) but its image img\.jpg is 30x20'):
        LoadSaliencyMap()(dict(img=img, saliency_path=str(tmp_path / 'narrow.png'),
                               img_path='img.jpg'))

    with pytest.raises(FileNotFoundError, match='saliency map not found: .*missing.png'):
        LoadSaliencyMap()(dict(img=img, saliency_path=str(tmp_path / 'missing.png')))
    (tmp_path / 'broken.png').write_bytes(b'not a png')
    with pytest.raises(ValueError, match='cannot read saliency map .*broken.png'):
        LoadSaliencyMap()(dict(img=img, saliency_path=str(tmp_path / 'broken.png')))


def test_fixations_to_density_and_ground_truth_copies():
    points = np.array([[4.0, 2.0], [4.0, 2.0], [15.0, 9.0]], np.float32)
    pipeline = Compose([FixationsToDensity(sigma_px=2, keep_ground_truth=True),
                        SaliencyResize(scale=(10, 5)), PackSaliencyInputs()])
    packed = pipeline(dict(img=np.zeros((10, 20, 3), np.uint8), fixation_points=points,
                           img_shape=(10, 20), ori_shape=(10, 20)))
    sample = packed['data_samples']
    assert sample.gt_fixation_density.shape == (10, 20)
    assert sample.gt_fixation_density.sum() == pytest.approx(1.0, abs=1e-5)
    assert sample.gt_fixation_map.sum() == 2  # two distinct fixated pixels
    assert sample.gt_fixation_map[2, 4] == 1 and sample.gt_fixation_map[9, 15] == 1
    assert sample.fixation_density.shape == sample.fixation_map.shape == (5, 10)
    # the density peaks where the (doubled) fixation was
    peak = np.unravel_index(int(sample.gt_fixation_density.argmax()), (10, 20))
    assert peak == (2, 4)
    with pytest.raises(ValueError, match='no fixation inside'):
        FixationsToDensity(sigma_px=2)(dict(img=np.zeros((5, 5, 3), np.uint8),
                                            fixation_points=np.array([[50.0, 50.0]])))
    with pytest.raises(ValueError, match='exactly one of sigma_px'):
        FixationsToDensity()


def test_fixations_to_density_blur_as_a_fraction_of_the_width():
    from attn_plugins.saliency import fixation_density, fixations_to_map

    points = np.array([[10.0, 4.0], [30.0, 12.0]], np.float32)
    for width in (40, 80):  # the blur follows each image's width: 0.05 * width pixels
        img = np.zeros((20, width, 3), np.uint8)
        density = FixationsToDensity(sigma_frac=0.05)(
            dict(img=img, fixation_points=points))['fixation_density']
        expected = fixation_density(fixations_to_map(points[:, 0], points[:, 1], (20, width),
                                                     one_based=False), sigma_px=0.05 * width)
        np.testing.assert_allclose(density, expected, rtol=1e-5)
    with pytest.raises(ValueError, match='give the blur one way'):
        FixationsToDensity(sigma_frac=0.03, sigma_px=2)
    with pytest.raises(ValueError, match='sigma_frac must be a positive fraction'):
        FixationsToDensity(sigma_frac=0)


def test_registered_in_mmpretrain_transforms():
    for name in ('LoadSaliencyMap', 'EstimateSaliency', 'FixationsToDensity',
                 'SaliencyConstrainedRandomResizedCrop', 'SaliencyResize', 'SaliencyCenterCrop',
                 'SaliencyRandomFlip', 'SaliencyMultiView', 'PackSaliencyInputs',
                 'ColorJitterNumpy2'):
        assert TRANSFORMS.get(name) is not None, name


def test_resize_by_edge_keeps_the_aspect_ratio():
    sample = dict(img=np.zeros((30, 60, 3), np.uint8), saliency=np.ones((30, 60), np.float32))
    short = SaliencyResize(scale=15, edge='short')(dict(sample))
    assert short['img'].shape[:2] == short['saliency'].shape == (15, 30)
    long = SaliencyResize(scale=15, edge='long')(dict(sample))
    assert long['img'].shape[:2] == (8, 15)
    with pytest.raises(ValueError, match='scale must be one int'):
        SaliencyResize(scale=(4, 4), edge='short')


def gaussian_sample(height=48, width=64):
    """An image whose red channel encodes a smooth saliency map (a Gaussian blob off
    centre), so image and map can be compared after any crop."""
    rows, cols = np.mgrid[:height, :width]
    saliency = np.exp(-((rows - 0.35 * height) ** 2 + (cols - 0.7 * width) ** 2)
                      / (2 * (0.15 * height) ** 2)).astype(np.float32)
    img = np.zeros((height, width, 3), np.uint8)
    img[..., 0] = np.round(saliency * 255)
    return dict(img=img, img_path='blob.jpg', saliency_path='blob.png', saliency=saliency,
                img_shape=(height, width), ori_shape=(height, width))


def test_saliency_crop_holds_maps_to_the_size_contract():
    import cv2

    crop = SaliencyConstrainedRandomResizedCrop(scale=24, min_salient_fraction=0.5)
    # Same size: cropped with the image, pixel for pixel.
    np.random.seed(0)
    out = crop(gaussian_sample())
    np.testing.assert_allclose(out['img'][..., 0] / 255, out['saliency'], atol=2 / 255)

    # Same aspect ratio (half resolution, block averages): resized to the image first, so
    # the crop is still aligned with the image, up to the half-resolution smoothing.
    for seed in range(5):
        sample = gaussian_sample()
        sample['saliency'] = cv2.resize(sample['saliency'], (32, 24),
                                        interpolation=cv2.INTER_AREA)
        np.random.seed(seed)
        out = crop(sample)
        assert out['saliency'].shape == (24, 24)
        np.testing.assert_allclose(out['img'][..., 0] / 255, out['saliency'], atol=0.03)

    # Another aspect ratio: an error naming the files and both sizes, not a shifted crop.
    sample = gaussian_sample()
    sample['saliency'] = sample['saliency'][:, :48]
    with pytest.raises(ValueError, match=r"'saliency' \(blob\.png\) is 48x48 \(width x "
                                         r'height\) but its image blob\.jpg is 64x48'):
        crop(sample)
    # Every geometric transform holds a map to the same contract.
    for transform in (SaliencyResize(scale=16), SaliencyCenterCrop(crop_size=16),
                      SaliencyRandomFlip(prob=1.0)):
        with pytest.raises(ValueError, match='the aspect ratios differ'):
            transform(dict(sample, saliency=sample['saliency'].copy()))
