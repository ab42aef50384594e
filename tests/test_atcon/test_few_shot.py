"""The few-shot rule and FewShotSampler."""
from collections import Counter

import pytest

from attn_plugins.atcon import few_shot_indices


def class_counts(labels, indices):
    return Counter(c for i in indices for c in set(labels[i]))


def test_single_label_gives_exactly_n_per_class():
    labels = [[i % 3] for i in range(30)]
    subset = few_shot_indices(labels, shots=4, seed=7)
    assert class_counts(labels, subset) == {0: 4, 1: 4, 2: 4}
    assert subset == sorted(subset) and len(set(subset)) == 12


def test_multi_label_images_count_for_every_class_they_hold():
    # Class 2 is rare and always comes with class 0: drawing it first covers class 0 too.
    labels = [[0, 2], [0, 2], [0, 2], [0], [0], [0], [1], [1], [1], [1]]
    subset = few_shot_indices(labels, shots=2, seed=0)
    counts = class_counts(labels, subset)
    assert counts[2] == 2 and counts[0] == 2 and counts[1] == 2
    assert len(subset) == 4  # two [0, 2] images and two [1] images, no extra [0] image


def test_every_class_gets_at_least_n_and_short_classes_all_they_have():
    labels = [[0, 1], [0, 1], [0], [0], [0], [1], [1], [2], []]
    subset = few_shot_indices(labels, shots=3, seed=3)
    counts = class_counts(labels, subset)
    assert counts[0] >= 3 and counts[1] >= 3 and counts[2] == 1
    assert 8 not in subset  # no label, never chosen


def test_seeded_draw_is_reproducible_and_depends_on_the_seed():
    labels = [[i % 5, (i * 7) % 5] for i in range(200)]
    first = few_shot_indices(labels, shots=6, seed=1)
    assert few_shot_indices(labels, shots=6, seed=1) == first
    assert any(few_shot_indices(labels, shots=6, seed=s) != first for s in range(2, 6))


@pytest.mark.parametrize('shots', [0, -1, 2.5, True])
def test_bad_shots_raise(shots):
    with pytest.raises(ValueError, match='shots'):
        few_shot_indices([[0]], shots=shots)


class LabelledList:
    """The part of an mmpretrain dataset a sampler reads."""

    CLASSES = ('a', 'b', 'c')

    def __init__(self, labels):
        self.labels = labels

    def __len__(self):
        return len(self.labels)

    def get_cat_ids(self, idx):
        return self.labels[idx]


def test_sampler_yields_the_subset_reshuffled_each_epoch():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.sampler import FewShotSampler
    labels = [[i % 3] for i in range(60)]
    sampler = FewShotSampler(LabelledList(labels), shots=5, subset_seed=2, seed=0)
    assert len(sampler) == 15
    first = list(sampler)
    assert sorted(first) == few_shot_indices(labels, 5, seed=2)
    assert list(sampler) == first  # same epoch, same order
    sampler.set_epoch(1)
    second = list(sampler)
    assert sorted(second) == sorted(first) and second != first
    # The subset does not depend on the shuffle seed.
    other = FewShotSampler(LabelledList(labels), shots=5, subset_seed=2, seed=99)
    assert sorted(other) == sorted(first)


def test_sampler_needs_labels():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.sampler import FewShotSampler
    with pytest.raises(ValueError, match='get_cat_ids'):
        FewShotSampler(list(range(4)), shots=1)
    with pytest.raises(ValueError, match='no labelled image'):
        FewShotSampler(LabelledList([[], []]), shots=1, seed=0)
