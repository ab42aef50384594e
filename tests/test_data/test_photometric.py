"""ColorJitterNumpy2: mmpretrain's ColorJitter with a hue shift that works under numpy 2."""
import mmcv
import numpy as np
import pytest
import torch
import torchvision.transforms.functional as TF

from attn_plugins.data import ColorJitterNumpy2, shift_hue


@pytest.fixture
def image():
    rng = np.random.RandomState(0)
    # Smooth colours: 8-bit HSV round trips are then close to float ones.
    base = rng.randint(40, 215, size=(4, 4, 3)).astype(np.uint8)
    return mmcv.imresize(base, (32, 32), interpolation='bilinear')


@pytest.mark.parametrize('factor', [0.05, 0.2, 0.5])
def test_positive_factors_match_mmcv(image, factor):
    np.testing.assert_array_equal(shift_hue(image, factor),
                                  mmcv.adjust_hue(image, factor, backend='cv2'))


@pytest.mark.parametrize('factor', [-0.4, -0.1, 0.1, 0.4])
def test_matches_torchvision_float_hue_rotation(image, factor):
    """An independent implementation (float HSV) agrees up to 8-bit rounding."""
    rgb = torch.from_numpy(image[..., ::-1].copy()).permute(2, 0, 1)
    expected = TF.adjust_hue(rgb, factor).permute(1, 2, 0).numpy()[..., ::-1]
    diff = np.abs(shift_hue(image, factor).astype(int) - expected.astype(int))
    assert diff.mean() < 3 and np.percentile(diff, 95) <= 8


def test_mmcv_fails_on_negative_factors_under_numpy2(image):
    """The bug this transform exists for; if mmcv fixes it, ColorJitterNumpy2 can go."""
    if np.lib.NumpyVersion(np.__version__) < '2.0.0':
        pytest.skip('numpy 1 wraps np.uint8(-x) silently')
    with pytest.raises(OverflowError):
        mmcv.adjust_hue(image, -0.1, backend='cv2')


def test_color_jitter_runs_every_draw_and_leaves_saliency(image):
    np.random.seed(0)
    jitter = ColorJitterNumpy2(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.5)
    saliency = np.random.rand(32, 32).astype(np.float32)
    changed = 0
    for _ in range(40):
        out = jitter(dict(img=image.copy(), saliency=saliency.copy()))
        assert out['img'].shape == image.shape and out['img'].dtype == np.uint8
        np.testing.assert_array_equal(out['saliency'], saliency)
        changed += int(not np.array_equal(out['img'], image))
    assert changed == 40


def test_rejects_out_of_range_factor(image):
    with pytest.raises(ValueError, match=r'\[-0.5, 0.5\]'):
        shift_hue(image, 0.7)
