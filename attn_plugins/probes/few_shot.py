"""Few-shot linear probe: the linear probe fitted on ``n`` labelled images per class.

Several seeded draws per ``n``; each probe is scored on the whole test set and the draws are
summarised as mean and standard deviation. With one image per class there is nothing to
validate a penalty on, so every draw uses the same fixed weight decay (a protocol constant,
the same for every model compared).
"""
from typing import Dict, Sequence

import torch

from ..defaults import FEW_SHOT_WEIGHT_DECAY  # the few-shot probes' L2 penalty
from .linear import check_features, fit_linear_probe, mean_class_accuracy, top1_accuracy
from .stats import mean_std


def few_shot_indices(labels: torch.Tensor, shots: int, seed: int) -> torch.Tensor:
    """``shots`` training indices of every class, drawn without replacement.

    Args:
        labels (Tensor): (N,) class indices of the training set.
        shots (int): Images per class.
        seed (int): Seed of the draw.

    Returns:
        Tensor: (shots * number of classes,) sorted indices.

    Raises:
        ValueError: When a class has fewer than ``shots`` images.

    Example:
        >>> import torch
        >>> labels = torch.tensor([0, 0, 0, 1, 1, 2, 2, 2])
        >>> labels[few_shot_indices(labels, 2, seed=0)].tolist()
        [0, 0, 1, 1, 2, 2]
    """
    if shots < 1:
        raise ValueError(f'shots must be >= 1, got {shots}')
    generator = torch.Generator().manual_seed(seed)
    chosen = []
    for cls in labels.unique():
        members = torch.nonzero(labels == cls)[:, 0]
        if len(members) < shots:
            raise ValueError(f'class {int(cls)} has {len(members)} training images, fewer than '
                             f'{shots} shots; lower the shots')
        chosen.append(members[torch.randperm(len(members), generator=generator)[:shots]])
    return torch.cat(chosen).sort().values


def few_shot_probe(train_features: torch.Tensor, train_labels: torch.Tensor,
                   test_features: torch.Tensor, test_labels: torch.Tensor,
                   shots: Sequence[int] = (1, 5, 10), draws: int = 5, seed: int = 0,
                   weight_decay: float = FEW_SHOT_WEIGHT_DECAY, num_classes: int = None,
                   max_iter: int = 500) -> Dict[str, dict]:
    """Linear probes on ``n`` images per class, several draws per ``n``.

    Args:
        train_features (Tensor): (N, D) training features to draw from.
        train_labels (Tensor): (N,) class indices.
        test_features (Tensor): (M, D) test features.
        test_labels (Tensor): (M,) class indices.
        shots (Sequence[int]): Images per class of each setting.
        draws (int): Draws per setting; draw ``d`` of ``n`` shots uses seed
            ``seed * 1000 + 100 * n + d``, so settings never share a draw.
        seed (int): Base seed.
        weight_decay (float): Fixed L2 penalty of every probe.
        num_classes (int, optional): K; defaults to the largest label + 1.
        max_iter (int): L-BFGS iterations per fit.

    Returns:
        dict[str, dict]: ``'<n>shot'`` -> ``top1`` and ``mean_class`` (mean over draws),
        ``top1_std`` and ``mean_class_std`` (sample std over draws), ``top1_draws`` (each
        draw's top-1).
    """
    check_features(train_features, train_labels, 'train')
    check_features(test_features, test_labels, 'test')
    if draws < 1:
        raise ValueError(f'draws must be >= 1, got {draws}')
    if num_classes is None:
        num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    results = {}
    for n in shots:
        top1, per_class = [], []
        for draw in range(draws):
            idx = few_shot_indices(train_labels, n, seed * 1000 + 100 * n + draw)
            probe = fit_linear_probe(train_features[idx], train_labels[idx], num_classes,
                                     weight_decay, max_iter)
            predictions = probe.predict(test_features)
            top1.append(top1_accuracy(predictions, test_labels))
            per_class.append(mean_class_accuracy(predictions, test_labels))
        top1_mean, top1_std = mean_std(top1)
        class_mean, class_std = mean_std(per_class)
        results[f'{n}shot'] = dict(top1=top1_mean, top1_std=top1_std, mean_class=class_mean,
                                   mean_class_std=class_std, top1_draws=top1,
                                   weight_decay=weight_decay)
    return results
