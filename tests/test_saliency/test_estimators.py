"""Spectral-residual saliency: the odd one out in a regular pattern is the most salient."""
import numpy as np
import pytest
import torch
from PIL import Image

from attn_plugins.saliency import spectral_residual_saliency


def _lattice_with_odd_cell(top, left, height=128, width=192):
    """Grey image: a lattice of 8x8 squares every 16 px, one cell holding a bar instead."""
    image = np.full((height, width), 60, dtype=np.uint8)
    for row in range(4, height, 16):
        for col in range(4, width, 16):
            image[row:row + 8, col:col + 8] = 160
    image[top + 4:top + 12, left + 4:left + 12] = 60
    image[top + 1:top + 15, left + 6:left + 10] = 160
    return np.stack([image] * 3, axis=-1)


@pytest.mark.parametrize('top,left', [(16, 32), (80, 144), (48, 96)])
def test_odd_patch_is_the_most_salient_region(top, left):
    saliency = spectral_residual_saliency(_lattice_with_odd_cell(top, left))
    assert saliency.shape == (128, 192) and saliency.dtype == np.float32
    assert saliency.min() == 0.0 and saliency.max() == 1.0
    row, col = np.unravel_index(saliency.argmax(), saliency.shape)
    assert top <= row < top + 16 and left <= col < left + 16
    inside = np.zeros(saliency.shape, dtype=bool)
    inside[top:top + 16, left:left + 16] = True
    assert saliency[inside].mean() > 4 * saliency[~inside].mean()


def test_input_types_and_scale_invariance():
    rgb = _lattice_with_odd_cell(16, 32)
    expected = spectral_residual_saliency(rgb)
    grey = rgb[..., 0]
    np.testing.assert_allclose(spectral_residual_saliency(grey / 255.0), expected, atol=1e-5)
    np.testing.assert_allclose(spectral_residual_saliency(grey[..., None]), expected, atol=1e-5)
    np.testing.assert_allclose(spectral_residual_saliency(Image.fromarray(rgb)), expected)
    np.testing.assert_allclose(spectral_residual_saliency(torch.from_numpy(rgb)), expected)


def test_flat_image_has_nothing_salient():
    saliency = spectral_residual_saliency(np.full((50, 70, 3), 7, dtype=np.uint8))
    assert saliency.shape == (50, 70)
    assert not saliency.any()


def test_rejects_other_layouts():
    with pytest.raises(ValueError, match=r'\(3, 50, 70\)'):
        spectral_residual_saliency(np.zeros((3, 50, 70)))


def _object_on_smooth_background(top=20, left=70, height=96, width=128):
    """A smooth horizontal gradient with one small textured object."""
    rng = np.random.default_rng(0)
    image = np.tile(np.linspace(40, 200, width), (height, 1))[..., None].repeat(3, axis=2)
    image[top:top + 16, left:left + 16] = rng.integers(0, 255, (16, 16, 3))
    return image.astype(np.uint8)


def test_image_signature_finds_the_sparse_object():
    from attn_plugins.saliency import image_signature_saliency

    saliency = image_signature_saliency(_object_on_smooth_background())
    assert saliency.shape == (96, 128) and saliency.dtype == np.float32
    assert saliency.min() == 0.0 and saliency.max() == 1.0
    inside = np.zeros(saliency.shape, dtype=bool)
    inside[20:36, 70:86] = True
    assert saliency[inside].mean() > 3 * saliency[~inside].mean()
    assert not image_signature_saliency(np.full((20, 30, 3), 9, np.uint8)).any()


def test_estimate_saliency_methods_against_their_definitions():
    from attn_plugins.saliency import (center_bias, estimate_saliency,
                                       image_signature_saliency)

    image = _object_on_smooth_background()
    prior = center_bias((96, 128), sigma=0.25)
    np.testing.assert_allclose(estimate_saliency(image, 'center_bias'), prior / prior.max(),
                               rtol=1e-6)
    weighted = image_signature_saliency(image) * prior
    np.testing.assert_allclose(estimate_saliency(image), weighted / weighted.max(), rtol=1e-5)
    weighted = spectral_residual_saliency(image) * center_bias((96, 128), sigma=0.1)
    np.testing.assert_allclose(
        estimate_saliency(image, 'spectral_residual_center', center_sigma=0.1),
        weighted / weighted.max(), rtol=1e-5)
    np.testing.assert_array_equal(estimate_saliency(image, 'spectral_residual'),
                                  spectral_residual_saliency(image))
    with pytest.raises(ValueError, match="unknown saliency estimator 'itti'"):
        estimate_saliency(image, 'itti')
