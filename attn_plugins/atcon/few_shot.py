"""Few-shot subsets: N labelled images per class, for single- and multi-label data."""
import random
from typing import List, Sequence


def few_shot_indices(labels: Sequence[Sequence[int]], shots: int, seed: int = 0,
                     negatives: bool = True) -> List[int]:
    """Indices of a seeded subset with ``shots`` positive and ``shots`` negative images per class.

    The rule, which also covers multi-label data (an image counts once for every class it
    contains, and is a negative of every class it does not contain): each class ``c`` has a
    pool of positives (images holding ``c``) and, with ``negatives``, a pool of negatives
    (labelled images without ``c``). Pools are visited from the smallest to the largest
    (ties by class index, positives first); from each, images not chosen yet are drawn at
    random until the pool has ``shots`` chosen images, counting those chosen for earlier
    pools. A pool with fewer images than ``shots`` gives all of them.

    Negatives matter for multi-label data where most images hold most classes: drawing
    positives only then picks images that hold everything, and a classifier trained on them
    learns to answer "present" for every class. With one label per image and at least two
    classes the positives of the other classes already are ``shots`` negatives, so the
    subset is exactly ``shots`` images per class either way. Images without a label are never
    chosen (for VOC-style data an empty label can mean "only difficult objects").

    Args:
        labels (Sequence[Sequence[int]]): The class indices of each image.
        shots (int): ``N``, the positives (and negatives) wanted per class.
        seed (int): Seed of the draw; the same labels and seed give the same subset.
        negatives (bool): Also draw ``shots`` negatives per class. Defaults to True.

    Returns:
        list[int]: The chosen indices, sorted.

    Example:
        >>> labels = [[0], [0], [0], [1], [1], [1]]
        >>> subset = few_shot_indices(labels, shots=2, seed=0)
        >>> len(subset), sorted(labels[i][0] for i in subset)
        (4, [0, 0, 1, 1])
        >>> labels = [[0, 1]] * 6 + [[0]] * 2          # class 1 absent from two images
        >>> sorted(set(map(tuple, (labels[i] for i in few_shot_indices(labels, shots=2)))))
        [(0,), (0, 1)]
    """
    if not isinstance(shots, int) or isinstance(shots, bool) or shots < 1:
        raise ValueError(f'shots must be a positive integer (images per class), got {shots!r}.')
    label_sets = [set(int(c) for c in image_labels) for image_labels in labels]
    labelled = [index for index, classes in enumerate(label_sets) if classes]
    pools = {}  # (class, 0 = positives / 1 = negatives) -> image indices
    for index in labelled:
        for c in label_sets[index]:
            pools.setdefault((c, 0), []).append(index)
    if negatives:
        for c in sorted({c for c, _ in pools}):
            pools[(c, 1)] = [index for index in labelled if c not in label_sets[index]]
    rng = random.Random(seed)
    chosen = set()
    for key in sorted(pools, key=lambda key: (len(pools[key]), key)):
        have = sum(index in chosen for index in pools[key])
        candidates = [index for index in pools[key] if index not in chosen]
        rng.shuffle(candidates)
        for index in candidates[:max(shots - have, 0)]:
            chosen.add(index)
    return sorted(chosen)
