"""``FewShotSampler``: train on N labelled images per class of a dataset."""
import math
from typing import Iterator, Optional, Sequence, Sized

import torch
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.logging import MMLogger
from mmpretrain.registry import DATA_SAMPLERS
from torch.utils.data import Sampler

from .few_shot import few_shot_indices


@DATA_SAMPLERS.register_module()
class FewShotSampler(Sampler):
    """Sample from a fixed few-shot subset: ``shots`` positives and negatives of every class.

    The subset follows :func:`attn_plugins.atcon.few_shot_indices` (smallest pool first; a
    multi-label image is a positive of every class it contains and a negative of the others,
    difficult-only labels do not count) and is drawn once, with ``subset_seed``, so it stays
    the same across runs, epochs and ranks whatever the training seed. The log states, per
    class, the positives and negatives drawn and the class's share of positives in the
    subset beside its share in the whole dataset (a subset far from the dataset's prior
    teaches the classifier another prior). Each epoch shuffles it with ``seed + epoch``;
    with several processes each rank takes every ``world_size``-th index, as mmengine's
    ``DefaultSampler`` does.

    Args:
        dataset (Sized): The dataset; it must have ``get_cat_ids(idx)`` (every mmpretrain
            dataset does).
        shots (int): ``N``, the positives (and negatives) wanted per class.
        subset_seed (int): Seed of the subset draw. Defaults to 0.
        negatives (bool): Also draw ``shots`` negatives per class. Defaults to True.
        shuffle (bool): Shuffle the subset every epoch. Defaults to True.
        seed (int, optional): Seed of the shuffle; the runner passes its own.
        round_up (bool): Repeat indices so every rank gets as many. Defaults to True.

    Example::

        train_dataloader = dict(
            batch_size=8,
            sampler=dict(type='FewShotSampler', shots=16),
            dataset=dict(type='VOCMultiLabelBoxes', ...))
    """

    def __init__(self,
                 dataset: Sized,
                 shots: int,
                 subset_seed: int = 0,
                 negatives: bool = True,
                 shuffle: bool = True,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        if not hasattr(dataset, 'get_cat_ids'):
            raise ValueError(f'FewShotSampler needs a dataset with get_cat_ids(idx), got '
                             f'{type(dataset).__name__}; use an mmpretrain dataset.')
        self.rank, self.world_size = get_dist_info()
        self.dataset = dataset
        self.shots = shots
        self.subset_seed = subset_seed
        self.negatives = negatives
        self.shuffle = shuffle
        self.seed = sync_random_seed() if seed is None else seed
        self.round_up = round_up
        self.epoch = 0

        labels = [set(dataset.get_cat_ids(i)) for i in range(len(dataset))]
        self.indices = few_shot_indices(labels, shots, seed=subset_seed, negatives=negatives)
        if not self.indices:
            raise ValueError(f'FewShotSampler found no labelled image in '
                             f'{type(dataset).__name__} ({len(dataset)} images).')
        self._log_subset(labels, getattr(dataset, 'CLASSES', None))

        if round_up:
            self.num_samples = math.ceil(len(self.indices) / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = math.ceil((len(self.indices) - self.rank) / self.world_size)
            self.total_size = len(self.indices)

    def _log_subset(self, labels: list, classes: Optional[Sequence[str]]) -> None:
        """Log positives / negatives per class and the subset's prior beside the dataset's."""
        labelled = [classes_of for classes_of in labels if classes_of]
        seen = sorted(set().union(*labelled)) if labelled else []
        classes = classes or [str(c) for c in range(max(seen, default=-1) + 1)]
        lines = []
        short = []
        for c, name in enumerate(classes):
            positives = sum(c in labels[i] for i in self.indices)
            negatives = len(self.indices) - positives
            prior = sum(c in classes_of for classes_of in labelled) / max(len(labelled), 1)
            lines.append(f'{name}: {positives} pos / {negatives} neg '
                         f'({100 * positives / len(self.indices):.0f}% pos; dataset '
                         f'{100 * prior:.0f}%)')
            if positives < self.shots or (self.negatives and negatives < self.shots):
                short.append(name)
        logger = MMLogger.get_current_instance()
        logger.info(f'FewShotSampler: {len(self.indices)} of {len(labels)} images for '
                    f'{self.shots} shots per class, subset_seed={self.subset_seed}: '
                    + '; '.join(lines))
        if short:
            logger.warning(f'FewShotSampler: fewer than {self.shots} positives or negatives '
                           f'of {short} in the dataset; all of them are used')

    def __iter__(self) -> Iterator[int]:
        """The subset's indices for this rank, shuffled per epoch."""
        indices = list(self.indices)
        if self.shuffle:
            generator = torch.Generator()
            generator.manual_seed(self.seed + self.epoch)
            indices = [indices[i] for i in torch.randperm(len(indices),
                                                           generator=generator).tolist()]
        if self.round_up:
            indices = (indices * math.ceil(self.total_size / len(indices)))[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.world_size])

    def __len__(self) -> int:
        """The number of indices this rank yields per epoch."""
        return self.num_samples

    def set_epoch(self, epoch: int) -> None:
        """Shuffle with ``seed + epoch`` from now on (called by the runner every epoch)."""
        self.epoch = epoch
