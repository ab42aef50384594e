"""ImageNet-C corruptions: every one of the 15 (and of the 4 extra ones) changes the image,
keeps shape and dtype, and is reproducible under a seed; the adapters equal the package's
own functions once the call this stack breaks is patched (here, in the test only)."""
import numpy as np
import pytest

from attn_plugins.robustness import CORRUPTIONS, EXTRA_CORRUPTIONS, corrupt
from attn_plugins.robustness.corruptions import _package

# Corruptions that draw random numbers (the others are deterministic filters).
RANDOM = ('gaussian_noise', 'shot_noise', 'impulse_noise', 'glass_blur', 'motion_blur', 'snow',
          'frost', 'fog', 'elastic_transform', 'speckle_noise', 'spatter')


@pytest.fixture(scope='module')
def image():
    rng = np.random.RandomState(0)
    img = np.full((36, 44, 3), 90, np.uint8)
    img[8:28, 10:34] = (200, 60, 30)  # an object on a flat background, plus mild texture
    return np.clip(img + rng.randint(-20, 20, img.shape), 0, 255).astype(np.uint8)


def test_the_fifteen_imagenet_c_corruptions():
    _package()  # imports imagecorruptions with its expected deprecation warnings silenced
    from imagecorruptions import get_corruption_names

    assert CORRUPTIONS == tuple(get_corruption_names('common')) and len(CORRUPTIONS) == 15
    assert EXTRA_CORRUPTIONS == tuple(get_corruption_names('validation'))


@pytest.mark.parametrize('name', CORRUPTIONS + EXTRA_CORRUPTIONS)
def test_corruption_changes_the_image_and_keeps_shape_and_dtype(image, name):
    for severity in (1, 5):
        out = corrupt(image, name, severity, seed=1)
        assert out.shape == image.shape and out.dtype == np.uint8
        assert (out != image).mean() > 0.02, f'{name} s{severity} left the image as it was'
    # A stronger corruption moves the image further.
    weak, strong = (np.abs(corrupt(image, name, s, seed=1).astype(float) - image).mean()
                    for s in (1, 5))
    assert strong > weak


@pytest.mark.parametrize('name', CORRUPTIONS + EXTRA_CORRUPTIONS)
def test_corruption_is_reproducible_under_a_seed(image, name):
    state = np.random.get_state()
    first = corrupt(image, name, 3, seed=7)
    assert np.array_equal(first, corrupt(image, name, 3, seed=7))
    if name in RANDOM:
        assert not np.array_equal(first, corrupt(image, name, 3, seed=8))
    # The global generator is left as it was.
    assert np.array_equal(np.random.get_state()[1], state[1])


def _package_output(name, image, severity, seed):
    from PIL import Image

    np.random.seed(seed)
    return np.uint8(getattr(_package(), name)(Image.fromarray(image), severity))


@pytest.mark.parametrize('severity', [1, 2, 3, 4, 5])
def test_adapters_equal_the_package_with_its_broken_call_patched(image, severity, monkeypatch):
    pkg = _package()
    gaussian = pkg.gaussian

    def gaussian_multichannel(*args, multichannel=False, **kwargs):
        return gaussian(*args, channel_axis=-1 if multichannel else None, **kwargs)

    monkeypatch.setattr(pkg, 'gaussian', gaussian_multichannel)
    assert np.array_equal(_package_output('glass_blur', image, severity, 3),
                          corrupt(image, 'glass_blur', severity, seed=3))
    assert np.array_equal(_package_output('gaussian_blur', image, severity, 3),
                          corrupt(image, 'gaussian_blur', severity, seed=3))

    monkeypatch.setattr(np, 'float_', np.float64, raising=False)
    assert np.array_equal(_package_output('fog', image, severity, 3),
                          corrupt(image, 'fog', severity, seed=3))

    # The package's impulse noise with skimage drawing from the seeded global generator
    # (patched in skimage.util itself, which the adapter also uses: undone before it runs).
    random_noise = pkg.sk.util.random_noise
    with monkeypatch.context() as patch:
        patch.setattr(pkg.sk.util, 'random_noise', lambda *a, **k: random_noise(
            *a, rng=np.random.randint(2**31), **k))
        expected = _package_output('impulse_noise', image, severity, 3)
    assert np.array_equal(expected, corrupt(image, 'impulse_noise', severity, seed=3))


def test_clear_errors(image):
    with pytest.raises(ValueError, match="unknown corruption 'blur'"):
        corrupt(image, 'blur', 1)
    with pytest.raises(ValueError, match='severity must be an integer from 1 to 5'):
        corrupt(image, 'fog', 6)
    with pytest.raises(ValueError, match='at least 32x32 pixels, got 44x20'):
        corrupt(image[:20], 'fog', 1)
    with pytest.raises(ValueError, match=r'\(H, W, 3\) uint8 RGB array'):
        corrupt(image.astype(np.float32), 'fog', 1)
