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


def negative_counts(labels, indices, num_classes):
    return {c: sum(c not in labels[i] for i in indices) for c in range(num_classes)}


def test_negatives_are_drawn_where_most_images_hold_every_class():
    # 40 images hold all three classes; few lack one: 5 without class 0, 3 without class 1,
    # 20 without class 2. Positives alone would be satisfied by the all-class images.
    labels = ([[0, 1, 2]] * 40 + [[1, 2]] * 5 + [[0, 2]] * 3 + [[0, 1]] * 20)
    positives_only = few_shot_indices(labels, shots=4, seed=0, negatives=False)
    assert negative_counts(labels, positives_only, 3) == {0: 0, 1: 0, 2: 0}
    subset = few_shot_indices(labels, shots=4, seed=0)
    counts = class_counts(labels, subset)
    negatives = negative_counts(labels, subset, 3)
    assert all(counts[c] >= 4 for c in range(3))
    # Class 1 has only 3 images without it: all of them are taken.
    assert negatives[0] >= 4 and negatives[1] == 3 and negatives[2] >= 4
    assert sum(labels[i] == [0, 2] for i in subset) == 3


def test_negatives_draw_is_reproducible_for_a_fixed_seed():
    labels = [[0, 1, 2]] * 40 + [[1, 2]] * 9 + [[0, 2]] * 9 + [[0, 1]] * 20
    first = few_shot_indices(labels, shots=4, seed=5)
    assert all(few_shot_indices(labels, shots=4, seed=5) == first for _ in range(3))
    assert any(few_shot_indices(labels, shots=4, seed=s) != first for s in range(6, 10))


def test_bccd_8shot_subset_has_negatives_of_every_class(shared_data):
    import xml.etree.ElementTree as ET
    root = shared_data('bccd')
    classes = ('RBC', 'WBC', 'Platelets')
    ids = (root / 'ImageSets' / 'Main' / 'train.txt').read_text().split()
    labels = [sorted({classes.index(o.find('name').text) for o in
                      ET.parse(root / 'Annotations' / f'{i}.xml').getroot().iter('object')})
              for i in ids]
    available = negative_counts(labels, range(len(labels)), 3)
    assert available == {0: 8, 1: 1, 2: 88}  # the split's images without each class
    subset = few_shot_indices(labels, shots=8, seed=0)
    assert subset == few_shot_indices(labels, shots=8, seed=0)
    negatives = negative_counts(labels, subset, 3)
    assert negatives == {0: 8, 1: 1, 2: negatives[2]} and negatives[2] >= 8
    assert all(count >= 8 for count in class_counts(labels, subset).values())


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


def test_sampler_picks_negatives_and_depends_only_on_the_subset_seed():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.sampler import FewShotSampler
    labels = [[0, 1, 2]] * 40 + [[1, 2]] * 9 + [[0, 2]] * 9 + [[0, 1]] * 20
    picks = [sorted(FewShotSampler(LabelledList(labels), shots=4, subset_seed=3, seed=seed))
             for seed in (0, 1, 2)]
    assert picks[0] == picks[1] == picks[2] == few_shot_indices(labels, 4, seed=3)
    assert all(count >= 4 for count in negative_counts(labels, picks[0], 3).values())
    plain = FewShotSampler(LabelledList(labels), shots=4, subset_seed=3, negatives=False, seed=0)
    assert sorted(plain) == few_shot_indices(labels, 4, seed=3, negatives=False)


def test_sampler_needs_labels():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.sampler import FewShotSampler
    with pytest.raises(ValueError, match='get_cat_ids'):
        FewShotSampler(list(range(4)), shots=1)
    with pytest.raises(ValueError, match='no labelled image'):
        FewShotSampler(LabelledList([[], []]), shots=1, seed=0)
