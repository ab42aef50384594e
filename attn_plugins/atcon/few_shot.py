"""Few-shot subsets: N labelled images per class, for single- and multi-label data."""
import random
from typing import List, Sequence


def few_shot_indices(labels: Sequence[Sequence[int]], shots: int, seed: int = 0) -> List[int]:
    """Indices of a seeded subset with at least ``shots`` images of every class.

    The rule, which also covers multi-label data (an image counts once for every class it
    contains): classes are visited from the rarest to the most frequent (ties by class
    index); for each, images that contain it and are not chosen yet are drawn at random until
    the class has ``shots`` chosen images, counting those chosen for earlier classes. A class
    with fewer images than ``shots`` gets all of them. With one label per image this is
    exactly ``shots`` images per class; with several, frequent classes that co-occur with rare
    ones need fewer extra draws, so the subset stays small (at most ``shots`` x classes).
    Images without a label are never chosen.

    Args:
        labels (Sequence[Sequence[int]]): The class indices of each image.
        shots (int): ``N``, the images wanted per class.
        seed (int): Seed of the draw; the same labels and seed give the same subset.

    Returns:
        list[int]: The chosen indices, sorted.

    Example:
        >>> labels = [[0], [0], [0], [1], [1], [1]]
        >>> subset = few_shot_indices(labels, shots=2, seed=0)
        >>> len(subset), sorted(labels[i][0] for i in subset)
        (4, [0, 0, 1, 1])
    """
    if not isinstance(shots, int) or isinstance(shots, bool) or shots < 1:
        raise ValueError(f'shots must be a positive integer (images per class), got {shots!r}.')
    label_sets = [set(int(c) for c in image_labels) for image_labels in labels]
    by_class = {}
    for index, classes in enumerate(label_sets):
        for c in classes:
            by_class.setdefault(c, []).append(index)
    rng = random.Random(seed)
    counts = dict.fromkeys(by_class, 0)
    chosen = set()
    for c in sorted(by_class, key=lambda c: (len(by_class[c]), c)):
        candidates = [index for index in by_class[c] if index not in chosen]
        rng.shuffle(candidates)
        for index in candidates:
            if counts[c] >= shots:
                break
            chosen.add(index)
            for other in label_sets[index]:
                counts[other] += 1
    return sorted(chosen)
