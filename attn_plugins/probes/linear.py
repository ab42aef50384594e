"""Linear probe: multinomial logistic regression on frozen features, in pure torch.

The standard protocol of self-supervised evaluation: freeze the encoder, extract one feature
vector per image, standardise them with the training set's statistics and fit a softmax
classifier with an L2 penalty. The penalty is chosen on a validation split carved from the
training set (stratified, seeded), then the probe is fitted again on the whole training set
with that penalty and scored once on the test set.

The fit is full-batch L-BFGS with a strong-Wolfe line search: the objective is convex, so it
converges to the same optimum whatever the start, and a probe on a few thousand 512-d features
takes seconds on a CPU.
"""
from dataclasses import dataclass
from typing import Dict, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F

# The weight decays select_weight_decay tries, in a pure-Python module the tools read too.
from ..defaults import DEFAULT_WEIGHT_DECAYS


def check_features(features: torch.Tensor, labels: torch.Tensor, name: str) -> None:
    """Raise ``ValueError`` unless ``features`` is (N, D) float and ``labels`` (N,) integer.

    Args:
        features (Tensor): (N, D) features.
        labels (Tensor): (N,) class indices.
        name (str): What they are (``'train'``, ``'test'``), for the message.
    """
    if not isinstance(features, torch.Tensor) or features.dim() != 2 \
            or not features.is_floating_point():
        raise ValueError(f'{name} features must be an (N, D) float tensor, got '
                         f'{getattr(features, "shape", type(features).__name__)}')
    if not isinstance(labels, torch.Tensor) or labels.shape != features.shape[:1] \
            or labels.is_floating_point():
        raise ValueError(f'{name} labels must be an ({features.shape[0]},) integer tensor, one '
                         f'per feature row, got {getattr(labels, "shape", type(labels).__name__)}')
    if features.shape[0] == 0:
        raise ValueError(f'no {name} features')


def top1_accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of correct predictions, in percent.

    Args:
        predictions (Tensor): (N,) predicted classes.
        labels (Tensor): (N,) true classes.

    Returns:
        float: Accuracy in [0, 100].
    """
    return float((predictions == labels).float().mean()) * 100


def mean_class_accuracy(predictions: torch.Tensor, labels: torch.Tensor) -> float:
    """Accuracy of each class present in ``labels``, averaged over those classes, in percent.

    Caltech-101's classes hold 31 to 800 images; the mean per-class accuracy keeps the four
    largest (faces, airplanes, motorbikes) from dominating the score.

    Args:
        predictions (Tensor): (N,) predicted classes.
        labels (Tensor): (N,) true classes.

    Returns:
        float: Mean per-class accuracy in [0, 100].

    Example:
        >>> import torch
        >>> mean_class_accuracy(torch.tensor([0, 0, 0, 1]), torch.tensor([0, 0, 0, 0])) \\
        ...     == top1_accuracy(torch.tensor([0, 0, 0, 1]), torch.tensor([0, 0, 0, 0]))
        True
        >>> mean_class_accuracy(torch.tensor([0, 0, 0, 0]), torch.tensor([0, 0, 0, 1]))
        50.0
    """
    classes = labels.unique()
    correct = (predictions == labels).float()
    return float(torch.stack([correct[labels == c].mean() for c in classes]).mean()) * 100


def stratified_split(labels: torch.Tensor, fraction: float,
                     seed: int = 0) -> Tuple[torch.Tensor, torch.Tensor]:
    """Split indices into (keep, held out) with ``fraction`` of every class held out.

    Each class with at least two samples gives ``max(1, round(fraction * n))`` of them (but
    never all) to the held-out part; a class with one sample stays whole in the kept part.

    Args:
        labels (Tensor): (N,) class indices.
        fraction (float): Share of each class to hold out, in (0, 1).
        seed (int): Seed of the draw.

    Returns:
        tuple[Tensor, Tensor]: Sorted indices of the kept and of the held-out samples.
    """
    if not 0 < fraction < 1:
        raise ValueError(f'the held-out fraction must be in (0, 1), got {fraction}')
    generator = torch.Generator().manual_seed(seed)
    keep, held = [], []
    for cls in labels.unique():
        members = torch.nonzero(labels == cls)[:, 0]
        members = members[torch.randperm(len(members), generator=generator)]
        count = 0 if len(members) < 2 else min(len(members) - 1,
                                                max(1, round(fraction * len(members))))
        held.append(members[:count])
        keep.append(members[count:])
    return torch.cat(keep).sort().values, torch.cat(held).sort().values


@dataclass
class LinearProbe:
    """A fitted probe: ``logits = ((x - mean) / std) @ weight.T + bias``.

    Attributes:
        mean (Tensor): (D,) training-feature mean.
        std (Tensor): (D,) training-feature standard deviation (at least 1e-6).
        weight (Tensor): (K, D) class weights on the standardised features.
        bias (Tensor): (K,) class biases.
        weight_decay (float): The L2 penalty it was fitted with.
    """

    mean: torch.Tensor
    std: torch.Tensor
    weight: torch.Tensor
    bias: torch.Tensor
    weight_decay: float

    def logits(self, features: torch.Tensor) -> torch.Tensor:
        """(N, D) features -> (N, K) class scores (differentiable in ``features``)."""
        standardised = (features - self.mean.to(features)) / self.std.to(features)
        return standardised @ self.weight.to(features).T + self.bias.to(features)

    def predict(self, features: torch.Tensor) -> torch.Tensor:
        """(N, D) features -> (N,) predicted classes."""
        return self.logits(features).argmax(dim=1)

    def state_dict(self) -> Dict[str, torch.Tensor]:
        """The probe as tensors (for ``torch.save`` / weights-only ``torch.load``)."""
        return dict(mean=self.mean, std=self.std, weight=self.weight, bias=self.bias,
                    weight_decay=torch.tensor(self.weight_decay, dtype=torch.float64))

    @classmethod
    def from_state_dict(cls, state: Dict[str, torch.Tensor]) -> 'LinearProbe':
        """Inverse of :meth:`state_dict`."""
        return cls(state['mean'], state['std'], state['weight'], state['bias'],
                   float(state['weight_decay']))


def fit_linear_probe(features: torch.Tensor, labels: torch.Tensor, num_classes: int,
                     weight_decay: float, max_iter: int = 500,
                     init: Optional[LinearProbe] = None) -> LinearProbe:
    """Fit a softmax classifier with an L2 penalty on standardised features.

    Minimises ``mean_i CE(W x_i + b, y_i) + weight_decay / 2 * |W|^2`` (the bias is not
    penalised) by full-batch L-BFGS, in float64. The objective is strictly convex for a
    positive penalty, so the optimum does not depend on the start: ``init`` (a probe fitted
    with a nearby penalty) only saves iterations.

    Args:
        features (Tensor): (N, D) training features.
        labels (Tensor): (N,) class indices in ``[0, num_classes)``.
        num_classes (int): K.
        weight_decay (float): L2 penalty, >= 0.
        max_iter (int): L-BFGS iterations at most.
        init (LinearProbe, optional): Start from its weights instead of zeros.

    Returns:
        LinearProbe: The fitted probe (float32 tensors on the CPU).

    Example:
        >>> import torch
        >>> x = torch.cat([torch.randn(20, 4) + 5, torch.randn(20, 4) - 5])
        >>> y = torch.cat([torch.zeros(20), torch.ones(20)]).long()
        >>> probe = fit_linear_probe(x, y, num_classes=2, weight_decay=1e-3)
        >>> top1_accuracy(probe.predict(x), y)
        100.0
    """
    check_features(features, labels, 'train')
    if weight_decay < 0:
        raise ValueError(f'weight_decay must be >= 0, got {weight_decay}')
    if int(labels.min()) < 0 or int(labels.max()) >= num_classes:
        raise ValueError(f'labels must be in [0, {num_classes}), got {int(labels.min())} to '
                         f'{int(labels.max())}')
    x = features.detach().to('cpu', torch.float64)
    y = labels.detach().to('cpu', torch.long)
    mean = x.mean(dim=0)
    # A constant feature (dead ReLU channel) gets std 1 instead of a division by ~0.
    std = x.std(dim=0, unbiased=False)
    std = torch.where(std > 1e-6, std, torch.ones_like(std))
    x = (x - mean) / std
    if init is not None and init.weight.shape == (num_classes, x.shape[1]):
        weight = init.weight.detach().double().clone().requires_grad_()
        bias = init.bias.detach().double().clone().requires_grad_()
    else:
        weight = torch.zeros(num_classes, x.shape[1], dtype=torch.float64, requires_grad=True)
        bias = torch.zeros(num_classes, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], lr=1, max_iter=max_iter, history_size=20,
                                  tolerance_grad=1e-7, tolerance_change=1e-10,
                                  line_search_fn='strong_wolfe')

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(x @ weight.T + bias, y) + weight_decay / 2 * weight.pow(2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        optimizer.step(closure)
    return LinearProbe(mean.float(), std.float(), weight.detach().float(),
                       bias.detach().float(), float(weight_decay))


def select_weight_decay(features: torch.Tensor, labels: torch.Tensor, num_classes: int,
                        weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS,
                        val_fraction: float = 0.2, seed: int = 0,
                        max_iter: int = 500) -> Tuple[float, Dict[float, float]]:
    """Choose the L2 penalty on a stratified validation split of the training set.

    Args:
        features (Tensor): (N, D) training features.
        labels (Tensor): (N,) class indices.
        num_classes (int): K.
        weight_decays (Sequence[float]): Candidates.
        val_fraction (float): Share of each class held out for validation.
        seed (int): Seed of the split.
        max_iter (int): L-BFGS iterations per fit.

    Returns:
        tuple[float, dict[float, float]]: The chosen weight decay (the largest of those
        with the best validation accuracy: ties go to the simpler model) and the validation
        top-1 accuracy of every candidate.

    The candidates are fitted from the largest penalty down, each starting from the previous
    solution (a regularisation path), which saves most of the iterations.
    """
    if not weight_decays:
        raise ValueError('give at least one weight decay to choose from')
    fit_idx, val_idx = stratified_split(labels, val_fraction, seed)
    if len(val_idx) == 0:
        raise ValueError('no class has two training samples: cannot carve a validation split; '
                         'give a single weight decay instead')
    scores, probe = {}, None
    for wd in sorted(weight_decays, reverse=True):
        probe = fit_linear_probe(features[fit_idx], labels[fit_idx], num_classes, wd, max_iter,
                                 init=probe)
        scores[float(wd)] = top1_accuracy(probe.predict(features[val_idx]), labels[val_idx])
    scores = {float(wd): scores[float(wd)] for wd in weight_decays}
    best = max(scores.values())
    return max(wd for wd, acc in scores.items() if acc == best), scores


def linear_probe(train_features: torch.Tensor, train_labels: torch.Tensor,
                 test_features: torch.Tensor, test_labels: torch.Tensor,
                 num_classes: Optional[int] = None,
                 weight_decays: Sequence[float] = DEFAULT_WEIGHT_DECAYS,
                 val_fraction: float = 0.2, seed: int = 0,
                 max_iter: int = 500) -> Tuple[Dict, LinearProbe]:
    """The linear-probe protocol: choose the penalty on a validation split, refit, test.

    Args:
        train_features (Tensor): (N, D) training features.
        train_labels (Tensor): (N,) class indices.
        test_features (Tensor): (M, D) test features.
        test_labels (Tensor): (M,) class indices.
        num_classes (int, optional): K; defaults to the largest label + 1.
        weight_decays (Sequence[float]): Candidates; with one, no validation split is made.
        val_fraction (float): Share of each training class held out for validation.
        seed (int): Seed of the validation split.
        max_iter (int): L-BFGS iterations per fit.

    Returns:
        tuple[dict, LinearProbe]: ``top1`` and ``mean_class`` test accuracy (percent),
        ``weight_decay`` (the chosen one) and ``val_top1`` (candidate -> validation
        accuracy); and the probe fitted on the whole training set.
    """
    check_features(train_features, train_labels, 'train')
    check_features(test_features, test_labels, 'test')
    if num_classes is None:
        num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    if len(weight_decays) == 1:
        chosen, val_scores = float(weight_decays[0]), {}
    else:
        chosen, val_scores = select_weight_decay(train_features, train_labels, num_classes,
                                                 weight_decays, val_fraction, seed, max_iter)
    probe = fit_linear_probe(train_features, train_labels, num_classes, chosen, max_iter)
    predictions = probe.predict(test_features)
    result = dict(top1=top1_accuracy(predictions, test_labels),
                  mean_class=mean_class_accuracy(predictions, test_labels),
                  weight_decay=chosen,
                  val_top1={str(wd): acc for wd, acc in val_scores.items()})
    return result, probe
