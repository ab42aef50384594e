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
