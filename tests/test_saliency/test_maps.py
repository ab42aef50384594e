"""Saliency maps: distributions, masks, fixation maps and densities, center bias, resizing."""
import numpy as np
import pytest
import torch
from scipy.ndimage import gaussian_filter

from attn_plugins.saliency import (OSIE_PIXELS_PER_DEGREE, center_bias, fixation_density,
                                   fixations_to_map, match_map_to_image, resize_map,
                                   same_aspect_ratio, to_distribution, to_mask)


def test_to_distribution_numpy_and_torch():
    saliency = np.array([[1.0, 3.0], [0.0, 4.0]])
    np.testing.assert_allclose(to_distribution(saliency), [[0.125, 0.375], [0.0, 0.5]])
    batch = torch.tensor([[[1.0, 3.0], [0.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])
    out = to_distribution(batch)
    assert out.dtype == torch.float32
    torch.testing.assert_close(out[0], torch.tensor([[0.125, 0.375], [0.0, 0.5]]))
    torch.testing.assert_close(out[1], torch.full((2, 2), 0.25))  # empty -> uniform


def test_to_distribution_gradient_is_finite_on_empty_maps():
    saliency = torch.zeros(2, 3, 3, requires_grad=True)
    (to_distribution(saliency) * torch.arange(9.0).view(3, 3)).sum().backward()
    assert torch.isfinite(saliency.grad).all()


def test_to_distribution_rejects_negative_maps():
    with pytest.raises(ValueError, match='negative'):
        to_distribution(np.array([[1.0, -0.5]]))


def test_to_mask_thresholds_half_the_value_range():
    values = np.array([[0, 127, 128, 255]], dtype=np.uint8)
    np.testing.assert_array_equal(to_mask(values), [[False, False, True, True]])
    np.testing.assert_array_equal(to_mask(values, threshold=128 / 255),  # the CAST release
                                  [[False, False, False, True]])
    np.testing.assert_array_equal(to_mask(np.array([0.2, 0.5, 0.51])), [False, False, True])
    assert to_mask(torch.tensor([0, 127, 128], dtype=torch.uint8)).tolist() == [False, False, True]
    assert to_mask(torch.tensor([0.4, 0.6])).tolist() == [False, True]
    bools = np.array([True, False])
    assert to_mask(bools) is bools
    with pytest.raises(ValueError, match='threshold'):
        to_mask(values, threshold=127)


def test_fixations_to_map_one_and_zero_based():
    one = fixations_to_map([1, 3, 3.4], [1, 2, 2.2], (2, 3), one_based=True)
    np.testing.assert_array_equal(one, [[1, 0, 0], [0, 0, 1]])
    zero = fixations_to_map([0, 2], [0, 1], (2, 3), one_based=False)
    np.testing.assert_array_equal(zero, one)
    assert one.dtype == np.float32
    # (3, 2) and (3.4, 2.2) land on one pixel: one mark, or a count of two
    counts = fixations_to_map([1, 3, 3.4], [1, 2, 2.2], (2, 3), one_based=True, count=True)
    np.testing.assert_array_equal(counts, [[1, 0, 0], [0, 0, 2]])


def test_fixations_to_map_drops_outside_and_nan():
    fixation_map = fixations_to_map([0, 4, 2, np.nan, 2.6], [1, 1, 3, 1, 1.5], (2, 3),
                                    one_based=True)
    # x=0 and x=4 are outside 1..3, y=3 outside 1..2, NaN dropped; (2.6, 1.5) -> (3, 2).
    np.testing.assert_array_equal(fixation_map, [[0, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match='one coordinate per fixation'):
        fixations_to_map([1, 2], [1], (2, 2), one_based=True)


def test_fixation_density_is_a_blurred_distribution():
    fixation_map = np.zeros((41, 61))
    fixation_map[20, 30] = 1
    density = fixation_density(fixation_map, sigma_px=3.0)
    assert density.sum() == pytest.approx(1.0)
    assert np.unravel_index(density.argmax(), density.shape) == (20, 30)
    # A Gaussian's value one sigma away is exp(-1/2) of its peak.
    assert density[20, 33] / density[20, 30] == pytest.approx(np.exp(-0.5), rel=1e-3)
    in_degrees = fixation_density(fixation_map, sigma_deg=0.125,
                                  pixels_per_degree=OSIE_PIXELS_PER_DEGREE)
    np.testing.assert_allclose(in_degrees, density)


@pytest.mark.parametrize('count', [5, 400])  # sparse (kernel sums) and dense (filter) paths
def test_fixation_density_matches_scipy_gaussian_filter(count):
    rng = np.random.default_rng(count)
    fixation_map = np.zeros((60, 80))
    fixation_map[rng.integers(0, 60, count), rng.integers(0, 80, count)] = 1
    fixation_map[0, 79] = 2  # a count, next to the border
    expected = gaussian_filter(fixation_map, sigma=4.0, mode='constant')
    np.testing.assert_allclose(fixation_density(fixation_map, sigma_px=4.0),
                               expected / expected.sum(), rtol=1e-10, atol=1e-15)


def test_fixation_density_errors():
    fixations = np.eye(3)
    with pytest.raises(ValueError, match='exactly one'):
        fixation_density(fixations)
    with pytest.raises(ValueError, match='exactly one'):
        fixation_density(fixations, sigma_px=1, sigma_deg=1, pixels_per_degree=24)
    with pytest.raises(ValueError, match='pixels_per_degree'):
        fixation_density(fixations, sigma_deg=1)
    with pytest.raises(ValueError, match='no fixations'):
        fixation_density(np.zeros((3, 3)), sigma_px=1)


def test_center_bias_is_a_centred_stretched_gaussian():
    bias = center_bias((61, 121), sigma=0.25)  # odd sizes: the center is pixel (30, 60)
    assert bias.sum() == pytest.approx(1.0)
    assert np.unravel_index(bias.argmax(), bias.shape) == (30, 60)
    np.testing.assert_allclose(bias, bias[::-1, ::-1])
    # Stretched to the aspect ratio: sigma is 0.25 * 61 rows and 0.25 * 121 columns.
    peak = bias[30, 60]
    assert bias[30 + 15, 60] / peak == pytest.approx(np.exp(-0.5 * (15 / 15.25) ** 2))
    assert bias[30, 60 - 30] / peak == pytest.approx(np.exp(-0.5 * (30 / 30.25) ** 2))


def test_resize_map_keeps_type_and_constant_maps():
    array = np.full((30, 40), 0.25)
    out = resize_map(array, (15, 20))
    assert isinstance(out, np.ndarray) and out.shape == (15, 20)
    np.testing.assert_allclose(out, 0.25)
    tensor = resize_map(torch.ones(8, 8, dtype=torch.uint8), (4, 2))
    assert tensor.dtype == torch.float32 and tensor.shape == (4, 2)
    with pytest.raises(ValueError, match='2-D'):
        resize_map(np.ones((2, 3, 3)), (2, 2))


def test_minmax_scale_numpy_and_torch():
    from attn_plugins.saliency import minmax_scale

    maps = np.array([[[1.0, 3.0], [5.0, 9.0]], [[2.0, 2.0], [2.0, 2.0]]])
    expected = np.array([[[0.0, 0.25], [0.5, 1.0]], [[0.0, 0.0], [0.0, 0.0]]])
    np.testing.assert_allclose(minmax_scale(maps), expected)
    scaled = minmax_scale(torch.tensor(maps, requires_grad=True), eps=1e-7)
    np.testing.assert_allclose(scaled.detach().numpy(), [[[0, 2 / (8 + 1e-7)],
                                                          [4 / (8 + 1e-7), 8 / (8 + 1e-7)]],
                                                         [[0, 0], [0, 0]]])
    scaled.sum().backward()  # differentiable, finite on the constant map too
    with pytest.raises(ValueError, match=r'\(\.\.\., H, W\)'):
        minmax_scale(np.ones(3))


@pytest.mark.parametrize('first,second,same', [
    ((321, 481), (321, 481), True),
    ((321, 481), (160, 240), True),   # BSDS at half resolution, rounded down
    ((321, 481), (161, 241), True),   # ... rounded up
    ((600, 800), (75, 100), True),
    ((600, 800), (76, 100), True),    # one pixel off on one side
    ((600, 800), (78, 100), False),   # three pixels off
    ((481, 321), (321, 481), False),  # portrait against landscape
    ((256, 256), (256, 240), False),
    ((20, 30), (20, 20), False),
])
def test_same_aspect_ratio_allows_one_pixel_of_rounding(first, second, same):
    assert same_aspect_ratio(first, second) is same
    assert same_aspect_ratio(second, first) is same


def test_match_map_to_image_keeps_resizes_or_raises():
    full = np.zeros((60, 80), np.float32)
    full[20:40, 40:60] = 1.0  # even bounds: exact at half resolution
    assert match_map_to_image(full, (60, 80)) is full  # same size: the very same map
    # Same aspect ratio: resized to the image; the square lands where it is in the image.
    half = full[::2, ::2]
    resized = match_map_to_image(half, (60, 80))
    assert resized.shape == (60, 80) and resized.dtype == np.float32
    np.testing.assert_array_equal(to_mask(resized), full > 0.5)
    tensor = match_map_to_image(torch.from_numpy(half), (60, 80))
    assert isinstance(tensor, torch.Tensor) and torch.equal(tensor, torch.from_numpy(resized))
    # Another aspect ratio: both sizes and both names in the message.
    with pytest.raises(ValueError, match=r'saliency map m\.png is 60x60 \(width x height\) '
                                         r'but its image i\.jpg is 80x60: the aspect ratios'):
        match_map_to_image(full[:, :60], (60, 80), map_name='m.png', image_name='i.jpg')
    with pytest.raises(ValueError, match=r'a saliency map is 60x60 .* but its image is 80x60'):
        match_map_to_image(full[:, :60], (60, 80))
    with pytest.raises(ValueError, match=r'must be 2-D \(H, W\), got shape \(60, 80, 1\)'):
        match_map_to_image(full[..., None], (60, 80))
