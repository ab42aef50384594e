"""Weighted k-nearest-neighbour classification of frozen features (Wu et al., CVPR 2018
"InstDisc"; the evaluation DINO and most self-supervised papers report).

Features are L2-normalised; each test feature's ``k`` most cosine-similar training features
vote for their class with weight ``exp(similarity / temperature)``; the class with the
largest total wins. No training, no hyper-parameter search: a quick, monotone read-out of
how well the feature space clusters the classes.
"""
import torch
import torch.nn.functional as F

from .linear import check_features, mean_class_accuracy, top1_accuracy


def knn_scores(train_features: torch.Tensor, train_labels: torch.Tensor,
               test_features: torch.Tensor, num_classes: int, k: int = 20,
               temperature: float = 0.07, chunk_size: int = 1024) -> torch.Tensor:
    """Class votes of the ``k`` nearest training features for each test feature.

    Args:
        train_features (Tensor): (N, D) training features (normalised here).
        train_labels (Tensor): (N,) class indices in ``[0, num_classes)``.
        test_features (Tensor): (M, D) test features.
        num_classes (int): K.
        k (int): Neighbours per test feature; at most N are used.
        temperature (float): Vote weight ``exp(cosine / temperature)``.
        chunk_size (int): Test features per similarity matrix (bounds memory at
            ``chunk_size x N`` floats).

    Returns:
        Tensor: (M, K) summed vote weights per class.

    Example:
        >>> import torch
        >>> train = torch.tensor([[1., 0.], [0.9, 0.1], [0., 1.]])
        >>> scores = knn_scores(train, torch.tensor([0, 0, 1]), torch.tensor([[1., 0.05]]),
        ...                     num_classes=2, k=2)
        >>> scores.argmax(dim=1).tolist()
        [0]
    """
    check_features(train_features, train_labels, 'train')
    if k < 1 or temperature <= 0:
        raise ValueError(f'kNN needs k >= 1 and temperature > 0, got k={k}, '
                         f'temperature={temperature}')
    train = F.normalize(train_features.float(), dim=1)
    test = F.normalize(test_features.float(), dim=1)
    k = min(k, train.shape[0])
    scores = []
    for start in range(0, test.shape[0], chunk_size):
        similarity = test[start:start + chunk_size] @ train.T  # (m, N) cosines
        top_sim, top_idx = similarity.topk(k, dim=1)  # (m, k)
        votes = torch.zeros(top_sim.shape[0], num_classes, dtype=top_sim.dtype)
        # exp((s - 1) / T) instead of exp(s / T): the same ranking, no overflow at small T.
        votes.scatter_add_(1, train_labels[top_idx], ((top_sim - 1) / temperature).exp())
        scores.append(votes)
    return torch.cat(scores)


def knn_classify(train_features: torch.Tensor, train_labels: torch.Tensor,
                 test_features: torch.Tensor, test_labels: torch.Tensor, k: int = 20,
                 temperature: float = 0.07, num_classes: int = None) -> dict:
    """Weighted kNN accuracy of frozen features.

    Args:
        train_features (Tensor): (N, D) training features.
        train_labels (Tensor): (N,) class indices.
        test_features (Tensor): (M, D) test features.
        test_labels (Tensor): (M,) class indices.
        k (int): Neighbours (20, as InstDisc and DINO).
        temperature (float): Vote temperature (0.07).
        num_classes (int, optional): K; defaults to the largest label + 1.

    Returns:
        dict: ``top1`` and ``mean_class`` accuracy in percent, ``k``, ``temperature``.
    """
    check_features(test_features, test_labels, 'test')
    if num_classes is None:
        num_classes = int(max(train_labels.max(), test_labels.max())) + 1
    predictions = knn_scores(train_features, train_labels, test_features, num_classes, k,
                             temperature).argmax(dim=1)
    return dict(top1=top1_accuracy(predictions, test_labels),
                mean_class=mean_class_accuracy(predictions, test_labels), k=k,
                temperature=temperature)
