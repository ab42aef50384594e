"""Background variants: donors drawn reproducibly by the rules, foreground pixels kept
exactly, background blanked or taken from the donor; the dataset wrapper does the same on a
real pipeline."""
import mmcv
import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope

from attn_plugins.robustness import (VARIANTS, background_donors, background_variant,
                                     fill_foreground, grabcut_foreground)

LABELS = np.array([0, 0, 0, 1, 1, 2, 2, 2])


def test_donors_follow_the_challenge_rules_and_the_seed():
    for variant in ('original', 'only_fg'):
        assert (background_donors(LABELS, variant) == -1).all()
    for variant in ('mixed_same', 'mixed_rand', 'mixed_next'):
        donors = background_donors(LABELS, variant, seed=3)
        assert np.array_equal(donors, background_donors(LABELS, variant, seed=3))
        assert (donors != np.arange(len(LABELS))).all()
        if variant == 'mixed_same':
            assert np.array_equal(LABELS[donors], LABELS)
        elif variant == 'mixed_next':
            assert np.array_equal(LABELS[donors], (LABELS + 1) % 3)
    draws = {tuple(background_donors(LABELS, 'mixed_rand', seed=s)) for s in range(5)}
    assert len(draws) > 1  # the seed matters
    # Every image of another class is a possible random donor.
    seen = {int(d) for s in range(200) for d in background_donors(LABELS, 'mixed_rand', s)[:1]}
    assert seen == set(range(1, 8))


def test_donor_errors():
    with pytest.raises(ValueError, match='unknown background variant'):
        background_donors(LABELS, 'mixed')
    with pytest.raises(ValueError, match='no donor for image 0 .class 5.: the class needs a '
                       'second image'):
        background_donors([5, 6, 6], 'mixed_same')
    with pytest.raises(ValueError, match='at least two classes'):
        background_donors([1, 1], 'mixed_next')


def test_variants_keep_the_foreground_exactly_and_replace_the_background():
    rng = np.random.RandomState(0)
    image = rng.randint(0, 256, (12, 16, 3)).astype(np.uint8)
    mask = np.zeros((12, 16), bool)
    mask[3:9, 4:10] = True
    # A donor of one flat colour with a random object in its corner.
    donor = np.empty((12, 16, 3), np.uint8)
    donor[:] = (30, 140, 200)
    donor_mask = np.zeros((12, 16), bool)
    donor_mask[0:4, 0:4] = True
    donor[donor_mask] = rng.randint(0, 256, (16, 3))

    assert np.array_equal(background_variant(image, mask, 'original'), image)
    only_fg = background_variant(image, mask, 'only_fg')
    assert np.array_equal(only_fg[mask], image[mask]) and (only_fg[~mask] == 0).all()

    mixed = background_variant(image, mask, 'mixed_rand', donor, donor_mask)
    assert mixed.dtype == np.uint8 and np.array_equal(mixed[mask], image[mask])
    # The background is the donor with its object inpainted away: here, the flat colour.
    assert np.array_equal(mixed[~mask], fill_foreground(donor, donor_mask)[~mask])
    assert np.abs(mixed[~mask].astype(int) - (30, 140, 200)).max() <= 2  # inpainting rounds

    with pytest.raises(ValueError, match='needs a donor image'):
        background_variant(image, mask, 'mixed_next')
    with pytest.raises(ValueError, match='resize it first'):
        background_variant(image, mask, 'mixed_same', donor[:6], donor_mask[:6])
    with pytest.raises(ValueError, match='must match'):
        background_variant(image, mask[:6], 'only_fg')


def test_fill_foreground_keeps_the_background_bit_for_bit():
    rng = np.random.RandomState(1)
    image = rng.randint(0, 256, (20, 24, 3)).astype(np.uint8)
    mask = np.zeros((20, 24), bool)
    mask[5:12, 6:15] = True
    filled = fill_foreground(image, mask)
    assert np.array_equal(filled[~mask], image[~mask])
    assert not np.array_equal(filled[mask], image[mask])
    assert (fill_foreground(image, np.ones((20, 24), bool)) == 0).all()


def disc_image(rng, size=40, radius=8, colour=(40, 40, 220)):
    """A coloured disc on a grey textured background, and the disc's mask."""
    yy, xx = np.mgrid[:size, :size]
    img = (rng.rand(size, size, 3) * 60 + 60).astype(np.uint8)
    cy, cx = rng.randint(size // 2 - 5, size // 2 + 6, 2)
    disc = (yy - cy) ** 2 + (xx - cx) ** 2 < radius ** 2
    img[disc] = colour
    return img, disc


def test_grabcut_finds_the_object_in_its_box_reproducibly():
    image, disc = disc_image(np.random.RandomState(2))
    mask = grabcut_foreground(image, (4, 4, 36, 36))
    iou = (mask & disc).sum() / (mask | disc).sum()
    assert iou > 0.8
    assert not mask[:4].any() and not mask[:, 36:].any()  # nothing outside the box
    assert np.array_equal(mask, grabcut_foreground(image, (4, 4, 36, 36)))
    with pytest.raises(ValueError, match='must lie inside the 40x40 image'):
        grabcut_foreground(image, (0, 0, 41, 10))


@pytest.fixture
def tiny_class_folder(tmp_path):
    """Two classes of three 40x40 images (a blue or red disc on a textured background) and,
    in class 1, a fourth image with no object at all."""
    rng = np.random.RandomState(0)
    for label, colour in enumerate(((220, 40, 40), (40, 60, 220))):
        for i in range(3):
            mmcv.imwrite(disc_image(rng, colour=colour)[0],
                         str(tmp_path / f'class{label}' / f'{i}.png'))
    mmcv.imwrite(np.full((40, 40, 3), 90, np.uint8), str(tmp_path / 'class1' / 'empty.png'))
    return tmp_path


def _dataset(root):
    return dict(type='CustomDataset', data_root=str(root), with_label=True,
                pipeline=[dict(type='LoadImageFromFile'), dict(type='Resize', scale=(32, 32)),
                          dict(type='PackInputs')])


def _to_bgr(packed):
    return packed['inputs'].permute(1, 2, 0).numpy()


def _grabcut(bgr):
    """What GrabCutForeground() computes on a 32x32 image: the box 10% (3 px) in."""
    return grabcut_foreground(bgr, (3, 3, 29, 29))


@pytest.mark.parametrize('variant', VARIANTS)
def test_dataset_wrapper_swaps_backgrounds_on_a_real_pipeline(tiny_class_folder, variant):
    from attn_plugins.evaluation import BackgroundVariantDataset

    with DefaultScope.overwrite_default_scope('mmpretrain'):
        wrapped = BackgroundVariantDataset(_dataset(tiny_class_folder), variant,
                                           min_foreground=0.05, seed=1)
        plain = BackgroundVariantDataset(_dataset(tiny_class_folder), 'original')
    # The image without an object (class1/empty.png, the last) is left out.
    assert len(plain) == 7 and len(wrapped) == 6
    assert list(wrapped.indices) == [0, 1, 2, 3, 4, 5]
    shares = wrapped.foreground_shares()
    assert shares[6] < 0.05 and (shares[:6] >= 0.05).all()
    assert wrapped.metainfo['classes'] == ('class0', 'class1')
    for index in range(len(wrapped)):
        packed = wrapped[index]
        assert isinstance(packed['inputs'], torch.Tensor) and packed['inputs'].shape == (3, 32, 32)
        assert int(packed['data_samples'].gt_label) == wrapped.labels[index]
        original = _to_bgr(plain[int(wrapped.indices[index])])
        mask = _grabcut(original)
        assert 0 < mask.sum() < mask.size
        out = _to_bgr(packed)
        assert np.array_equal(out[mask], original[mask])
        if variant == 'original':
            assert np.array_equal(out, original)
        elif variant == 'only_fg':
            assert (out[~mask] == 0).all()
        else:
            donor = int(wrapped.donors[index])
            assert donor != index and 0 <= donor < len(wrapped)
            donor_img = _to_bgr(plain[int(wrapped.indices[donor])])
            expected = fill_foreground(donor_img, _grabcut(donor_img))
            assert np.array_equal(out[~mask], expected[~mask])
            if variant != 'mixed_rand':
                same = wrapped.labels[donor] == wrapped.labels[index]
                assert same == (variant == 'mixed_same')


def test_dataset_wrapper_errors(tiny_class_folder):
    from attn_plugins.evaluation import BackgroundVariantDataset

    with DefaultScope.overwrite_default_scope('mmpretrain'):
        with pytest.raises(ValueError, match='unknown variant'):
            BackgroundVariantDataset(_dataset(tiny_class_folder), 'mixed')
        no_pack = _dataset(tiny_class_folder)
        no_pack['pipeline'] = no_pack['pipeline'][:-1]
        with pytest.raises(ValueError, match='must end with its packing transform'):
            BackgroundVariantDataset(no_pack, 'only_fg')
        with pytest.raises(ValueError, match='no image has a foreground covering 90%'):
            BackgroundVariantDataset(_dataset(tiny_class_folder), 'only_fg', min_foreground=0.9)
        no_map = BackgroundVariantDataset(_dataset(tiny_class_folder), 'only_fg',
                                          mask_transform=None)
        with pytest.raises(KeyError, match='0.png has no saliency after the pipeline'):
            no_map[0]
