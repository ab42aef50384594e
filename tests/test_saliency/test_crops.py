"""Saliency-constrained crop boxes: hypothesis properties, the fallback, the transform."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from attn_plugins.saliency import (SaliencyConstrainedCrop, SaliencyCropSampler, as_bool_mask,
                                   to_mask)

SETTINGS = settings(max_examples=300, deadline=None)


@st.composite
def masks(draw, max_side=48):
    """Binary masks of random size: empty, scattered pixels, one rectangle, or dense noise."""
    height = draw(st.integers(1, max_side))
    width = draw(st.integers(1, max_side))
    kind = draw(st.sampled_from(['empty', 'sparse', 'rectangle', 'dense']))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    mask = np.zeros((height, width), dtype=bool)
    if kind == 'sparse':
        mask = rng.random((height, width)) < 0.03
    elif kind == 'dense':
        mask = rng.random((height, width)) < 0.5
    elif kind == 'rectangle':
        top, bottom = sorted(draw(st.integers(0, height)) for _ in range(2))
        left, right = sorted(draw(st.integers(0, width)) for _ in range(2))
        mask[top:bottom, left:right] = True
    return mask


@st.composite
def samplers(draw):
    """Samplers over the whole valid parameter space."""
    low = draw(st.floats(0.02, 1.0))
    high = draw(st.floats(low, 1.0))
    ratio_low = draw(st.floats(0.25, 1.5))
    ratio_high = draw(st.floats(ratio_low, 4.0))
    return SaliencyCropSampler(scale=(low, high), ratio=(ratio_low, ratio_high),
                               min_salient_fraction=draw(st.floats(0.0, 1.0)),
                               max_tries=draw(st.integers(1, 12)))


def _fraction(mask, box):
    """Share of the mask's salient pixels in a box, counted directly."""
    inside = mask[box.top:box.top + box.height, box.left:box.left + box.width]
    return inside.sum() / mask.sum()


def _box(box):
    return box.top, box.left, box.height, box.width


@SETTINGS
@given(mask=masks(), sampler=samplers(), seed=st.integers(0, 2**32 - 1))
def test_boxes_keep_the_salient_fraction_and_fall_back_only_when_none_qualifies(mask, sampler,
                                                                                seed):
    box = sampler.sample(mask, rng=np.random.default_rng(seed))
    height, width = mask.shape
    for candidate in (box, *box.attempts):  # every box lies inside the image
        assert candidate.height >= 1 and candidate.width >= 1
        assert 0 <= candidate.top and candidate.top + candidate.height <= height
        assert 0 <= candidate.left and candidate.left + candidate.width <= width

    if not mask.any():
        assert box.empty_mask and not box.fallback and box.attempts == ()
        return
    assert not box.empty_mask
    assert len(box.attempts) <= sampler.max_tries
    fractions = [_fraction(mask, attempt) for attempt in box.attempts]
    assert [a.salient_fraction for a in box.attempts] == pytest.approx(fractions, abs=1e-12)
    threshold = sampler.min_salient_fraction
    if box.fallback:
        assert all(fraction < threshold for fraction in fractions)
        assert mask[box.slices].sum() == mask.sum()  # holds every salient pixel
    else:
        # The first proposal that qualified is the box, and it holds enough.
        assert all(fraction < threshold for fraction in fractions[:-1])
        assert _box(box) == _box(box.attempts[-1])
        assert _fraction(mask, box) >= threshold
    assert box.salient_fraction == pytest.approx(_fraction(mask, box), abs=1e-12)


@SETTINGS
@given(mask=masks(), sampler=samplers(), seed=st.integers(0, 2**32 - 1))
def test_sampling_is_reproducible_under_a_seed(mask, sampler, seed):
    first = sampler.sample(mask, rng=np.random.default_rng(seed))
    assert sampler.sample(mask, rng=np.random.default_rng(seed)) == first
    legacy = sampler.sample(mask, rng=np.random.RandomState(seed % 2**32))
    assert sampler.sample(mask, rng=np.random.RandomState(seed % 2**32)) == legacy
    np.random.seed(seed % 2**32)
    global_box = sampler.sample(mask)
    np.random.seed(seed % 2**32)
    assert sampler.sample(torch.from_numpy(mask.astype(np.uint8))) == global_box


def test_masks_are_read_as_nonzero_pixels():
    mask = np.array([[0, 3], [0, 0]], dtype=np.uint8)
    np.testing.assert_array_equal(as_bool_mask(mask), mask != 0)
    np.testing.assert_array_equal(as_bool_mask(torch.tensor([[0.0, 0.5]])), [[False, True]])
    bools = np.zeros((2, 2), dtype=bool)
    assert as_bool_mask(bools) is bools


def _objective(h, w, sampler, height, width):
    """(ratio gap, scale gap, area) as the fallback ranks sizes, computed per size."""
    low, high = sampler.ratio
    gap = max(0.0, math.log(low) - math.log(w / h), math.log(w / h) - math.log(high))
    area = h * w
    min_area, max_area = (s * height * width for s in sampler.scale)
    return (0.0 if gap < 1e-9 else gap), max(0.0, min_area - area, area - max_area), area


@settings(max_examples=300, deadline=None)
@given(sampler=samplers(), height=st.integers(1, 24), width=st.integers(1, 24), data=st.data())
def test_fallback_size_is_the_best_size_by_brute_force(sampler, height, width, data):
    bbox_h = data.draw(st.integers(1, height))
    bbox_w = data.draw(st.integers(1, width))
    h, w = sampler.fallback_size(bbox_h, bbox_w, height, width)
    assert bbox_h <= h <= height and bbox_w <= w <= width
    best = min(_objective(hh, ww, sampler, height, width)
               for hh in range(bbox_h, height + 1) for ww in range(bbox_w, width + 1))
    assert _objective(h, w, sampler, height, width) == pytest.approx(best, rel=1e-9, abs=1e-9)


def test_fallback_when_no_box_can_hold_the_salient_pixels():
    # Salient pixels at (0, 0) and (99, 50): a box holding both has height 100 and width
    # >= 51, area >= 51%; with at most 50% of the image no proposal qualifies.
    mask = np.zeros((100, 100), dtype=bool)
    mask[0, 0] = mask[99, 50] = True
    sampler = SaliencyCropSampler(scale=(0.2, 0.5), min_salient_fraction=1.0)
    for seed in range(20):
        box = sampler.sample(mask, rng=np.random.default_rng(seed))
        assert box.fallback and len(box.attempts) == 10
        assert all(attempt.salient_fraction < 1.0 for attempt in box.attempts)
        # Bounding box 100 x 51 has ratio 0.51 < 3/4: widened to 75, the smallest width
        # with ratio >= 3/4 (the ratio outranks the 50% area limit); it must start at 0.
        assert _box(box) == (0, 0, 100, 75) and box.salient_fraction == 1.0


def test_fallback_grows_a_small_bounding_box_to_the_scale_range():
    sampler = SaliencyCropSampler()  # scale (0.2, 1), ratio (3/4, 4/3)
    h, w = sampler.fallback_size(2, 2, 100, 100)
    assert h * w == 2000 and 3 / 4 <= w / h <= 4 / 3
    # A full-width line in a 50 x 300 image: no box in it has a valid ratio; the closest
    # is as tall as the image.
    assert sampler.fallback_size(1, 300, 50, 300) == (50, 300)


def test_min_fraction_zero_accepts_the_first_proposal_like_random_resized_crop():
    sampler = SaliencyCropSampler(min_salient_fraction=0.0)
    mask = np.ones((40, 50), dtype=bool)
    for seed in range(10):
        box = sampler.sample(mask, rng=np.random.default_rng(seed))
        assert not box.fallback and len(box.attempts) == 1


def test_proposals_follow_the_scale_and_ratio_ranges():
    sampler = SaliencyCropSampler(scale=(0.3, 0.6), ratio=(0.5, 2.0), min_salient_fraction=0)
    rng = np.random.default_rng(0)
    boxes = [sampler.sample(np.ones((400, 400), dtype=bool), rng=rng) for _ in range(500)]
    areas = np.array([b.height * b.width / 400**2 for b in boxes])
    ratios = np.array([b.width / b.height for b in boxes])
    assert 0.3 - 0.01 < areas.min() < 0.32 and 0.58 < areas.max() < 0.6 + 0.01
    assert 0.5 - 0.01 < ratios.min() < 0.55 and 1.8 < ratios.max() < 2.0 + 0.02
    # Log-uniform ratios: as many boxes wider than tall as taller than wide.
    assert abs(np.mean(ratios > 1) - 0.5) < 0.07


def test_empty_masks_give_the_boxes_of_mmpretrain_random_resized_crop():
    transforms = pytest.importorskip('mmpretrain.datasets.transforms')
    reference = transforms.RandomResizedCrop(scale=224, crop_ratio_range=(0.2, 1.0))
    sampler = SaliencyCropSampler()
    for seed, shape in enumerate([(321, 481), (481, 321), (20, 400), (5, 5)]):
        image = np.zeros((*shape, 3), dtype=np.uint8)
        np.random.seed(seed)
        expected = reference.rand_crop_params(image)
        np.random.seed(seed)
        box = sampler.sample(np.zeros(shape, dtype=bool))
        assert box.empty_mask and _box(box) == tuple(expected)
        # With no constraint, a full mask draws the very same boxes.
        np.random.seed(seed)
        free = SaliencyCropSampler(min_salient_fraction=0).sample(np.ones(shape, dtype=bool))
        if not free.fallback:
            assert _box(free) == tuple(expected)


def test_sampler_rejects_bad_parameters():
    with pytest.raises(ValueError, match='scale'):
        SaliencyCropSampler(scale=(0.5, 0.2))
    with pytest.raises(ValueError, match='ratio'):
        SaliencyCropSampler(ratio=(0, 1))
    with pytest.raises(ValueError, match='min_salient_fraction'):
        SaliencyCropSampler(min_salient_fraction=20)
    with pytest.raises(ValueError, match='max_tries'):
        SaliencyCropSampler(max_tries=0)
    with pytest.raises(ValueError, match='default_rng'):
        SaliencyCropSampler().sample(np.ones((4, 4)), rng=0)
    with pytest.raises(ValueError, match=r'2-D \(H, W\)'):
        SaliencyCropSampler().sample(np.ones((4, 4, 3)))


def _image_and_saliency(height=90, width=120):
    """An RGB image whose red channel is its saliency map, so the two can be compared."""
    rows, cols = np.mgrid[:height, :width]
    saliency = (255 * np.exp(-((rows - 30) ** 2 + (cols - 80) ** 2) / 400)).astype(np.uint8)
    image = np.stack([saliency, 255 - saliency, np.full_like(saliency, 9)], axis=-1)
    return image, saliency


def test_transform_crops_image_and_saliency_with_one_box():
    image, saliency = _image_and_saliency()
    transform = SaliencyConstrainedCrop((32, 48))
    image_crop, saliency_crop = transform(image, saliency, rng=np.random.default_rng(3))
    assert image_crop.shape == (32, 48, 3) and image_crop.dtype == np.uint8
    assert saliency_crop.shape == (32, 48) and saliency_crop.dtype == np.float32
    assert 0.0 <= saliency_crop.min() and saliency_crop.max() <= 1.0
    np.testing.assert_allclose(image_crop[..., 0] / 255, saliency_crop, atol=1 / 255)
    assert to_mask(saliency_crop).any()  # at least 20% of the salient pixels came along

    again = transform(image, saliency, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(again[0], image_crop)


def test_transform_on_pil_images_and_masks():
    image, saliency = _image_and_saliency()
    transform = SaliencyConstrainedCrop(40)
    image_crop, saliency_crop = transform(Image.fromarray(image), Image.fromarray(saliency),
                                          rng=np.random.default_rng(1))
    assert isinstance(image_crop, Image.Image) and image_crop.size == (40, 40)
    assert saliency_crop.shape == (40, 40) and saliency_crop.dtype == np.float32
    # PIL's and torch's antialiased bilinear filters differ by a few grey levels at most.
    red = np.asarray(image_crop)[..., 0] / 255
    assert np.abs(red - saliency_crop).max() < 0.05

    binary = Image.fromarray(saliency > 127)  # a 1-bit mask, like the SOD masks
    _, mask_crop = transform(Image.fromarray(image), binary, rng=np.random.default_rng(1))
    assert mask_crop.min() >= 0.0 and mask_crop.max() <= 1.0 and mask_crop.max() > 0.5


def test_transform_keeps_float_maps_and_box_method():
    image, saliency = _image_and_saliency()
    transform = SaliencyConstrainedCrop((20, 30))
    float_map = torch.from_numpy(saliency / 255.0)
    box = transform.sampler.sample(to_mask(float_map), rng=np.random.default_rng(0))
    image_crop, saliency_crop = transform.crop(image, float_map, box)
    expected = transform.crop(image, saliency, box)[1]
    np.testing.assert_allclose(saliency_crop, expected, atol=1e-6)
    assert image_crop.shape == (20, 30, 3)


def test_transform_holds_the_map_to_the_size_contract():
    image, saliency = _image_and_saliency()  # 90x120, red channel = saliency
    transform = SaliencyConstrainedCrop((32, 48))
    # Same size: aligned to the grey level (the first transform test).
    # Same aspect ratio (uint8 map at half resolution, 2x2 block means): resized to the
    # image first, the crop matches the image's own encoding of the map, up to the
    # half-resolution smoothing; the threshold still reads the uint8 range.
    half = saliency.reshape(45, 2, 60, 2).mean(axis=(1, 3)).round().astype(np.uint8)
    for seed in range(5):
        image_crop, saliency_crop = transform(image, half, rng=np.random.default_rng(seed))
        assert saliency_crop.shape == (32, 48) and 0 <= saliency_crop.min()
        assert saliency_crop.max() <= 1
        np.testing.assert_allclose(image_crop[..., 0] / 255, saliency_crop, atol=0.03)
        assert to_mask(saliency_crop).any()
    # A PIL map at half resolution goes the same way.
    pil_crop = transform(image, Image.fromarray(half), rng=np.random.default_rng(0))[1]
    np.testing.assert_array_equal(pil_crop, transform(image, half,
                                                      rng=np.random.default_rng(0))[1])
    # Another aspect ratio: an error with both sizes, from __call__ and from crop().
    with pytest.raises(ValueError, match=r'is 120x50 \(width x height\) but its image is '
                                         r'120x90: the aspect ratios differ'):
        transform(image, saliency[:50])
    box = transform.sampler.sample(to_mask(saliency), rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match='the aspect ratios differ'):
        transform.crop(image, saliency[:50], box)


def test_transform_errors():
    image, saliency = _image_and_saliency()
    with pytest.raises(ValueError, match='PIL image or an'):
        SaliencyConstrainedCrop(32)(torch.zeros(3, 90, 120), saliency)
    with pytest.raises(ValueError, match='size'):
        SaliencyConstrainedCrop((0, 3))
