"""The frozen-feature probes against known answers: separable clusters are classified
perfectly, random labels at chance; the linear probe is the optimum of its objective; the
weighted kNN vote and the few-shot draws follow their definitions; the core imports no
framework and its examples run."""
import doctest
import math
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F

import attn_plugins.probes as probes
from attn_plugins.probes import (FeatureCache, fit_linear_probe, few_shot_indices,
                                 few_shot_probe, key_digest, knn_classify, knn_scores,
                                 linear_probe, mean_class_accuracy, select_weight_decay,
                                 stratified_split, top1_accuracy)
from attn_plugins.probes import cache, few_shot, knn, linear, stats
from tests.conftest import run_doctests, top_level_imports


def clusters(num_classes, per_class, dim=32, spread=0.3, seed=0):
    """Gaussian clusters around random unit centres, well apart in ``dim`` dimensions."""
    g = torch.Generator().manual_seed(seed)
    centres = F.normalize(torch.randn(num_classes, dim, generator=g), dim=1) * 5
    labels = torch.arange(num_classes).repeat_interleave(per_class)
    return centres[labels] + spread * torch.randn(len(labels), dim, generator=g), labels


@pytest.mark.parametrize('module', [linear, knn, few_shot, stats, cache],
                         ids=lambda m: m.__name__)
def test_docstring_examples(module):
    run_doctests(module, doctest.NORMALIZE_WHITESPACE)


def test_core_imports_only_torch_numpy_scipy():
    allowed = {'numpy', 'torch', 'scipy'} | set(sys.stdlib_module_names)
    imported = top_level_imports(Path(probes.__file__).parent.glob('*.py'))
    assert imported - allowed == set()


def test_separable_clusters_are_classified_perfectly():
    train_x, train_y = clusters(10, 20, seed=0)
    test_x, test_y = clusters(10, 10, seed=0)  # same centres (seed), other noise below
    test_x = test_x + 0.1 * torch.randn_like(test_x)
    result, _ = linear_probe(train_x, train_y, test_x, test_y, weight_decays=(1e-3, 1e-1))
    assert result['top1'] == 100.0 and result['mean_class'] == 100.0
    assert knn_classify(train_x, train_y, test_x, test_y)['top1'] == 100.0
    shots = few_shot_probe(train_x, train_y, test_x, test_y, shots=(1, 5), draws=3)
    assert shots['1shot']['top1'] == 100.0 and shots['1shot']['top1_std'] == 0.0
    assert shots['5shot']['top1_draws'] == [100.0] * 3


def test_random_labels_score_chance():
    """Features independent of the labels: 10 classes -> 10% +- 3 points (binomial std of
    2,000 test images: 0.7 points), however well the probe fits the training set."""
    g = torch.Generator().manual_seed(1)
    train_x, test_x = torch.randn(2000, 16, generator=g), torch.randn(2000, 16, generator=g)
    train_y = torch.randint(0, 10, (2000, ), generator=g)
    test_y = torch.randint(0, 10, (2000, ), generator=g)
    result, _ = linear_probe(train_x, train_y, test_x, test_y, weight_decays=(1e-4, 1e-2))
    assert abs(result['top1'] - 10) < 3
    assert abs(knn_classify(train_x, train_y, test_x, test_y)['top1'] - 10) < 3


def test_linear_probe_is_the_optimum_of_its_objective():
    """At the returned weights the gradient of mean CE + wd / 2 |W|^2 (on standardised
    features) vanishes: L-BFGS found the unique minimum of the convex objective."""
    x, y = clusters(4, 30, dim=8, spread=3.0, seed=2)  # overlapping: a non-trivial optimum
    wd = 1e-2
    probe = fit_linear_probe(x, y, 4, wd)
    z = ((x.double() - x.double().mean(0)) / x.double().std(0, unbiased=False))
    weight = probe.weight.double().requires_grad_()
    bias = probe.bias.double().requires_grad_()
    loss = F.cross_entropy(z @ weight.T + bias, y) + wd / 2 * weight.pow(2).sum()
    grad_w, grad_b = torch.autograd.grad(loss, (weight, bias))
    assert grad_w.abs().max() < 1e-4 and grad_b.abs().max() < 1e-4
    assert torch.allclose(probe.logits(x), (z @ probe.weight.double().T
                                            + probe.bias.double()).float(), atol=1e-4)


def test_weight_decay_selection_and_split():
    labels = torch.arange(5).repeat_interleave(10)
    keep, held = stratified_split(labels, 0.2, seed=0)
    assert sorted(torch.cat([keep, held]).tolist()) == list(range(50))
    assert torch.bincount(labels[held]).tolist() == [2] * 5
    # A huge penalty shrinks the weights to ~0 and leaves the (unpenalised) bias, which
    # predicts the most frequent class everywhere; the selection must avoid it.
    x, y = clusters(5, 40, seed=3)
    keep = (y == 0) | (torch.arange(len(y)) % 40 < 10)  # 40 images of class 0, 10 of others
    x, y = x[keep], y[keep]
    chosen, scores = select_weight_decay(x, y, 5, (1e-3, 1e3))
    assert chosen == 1e-3 and scores[1e-3] == 100.0 and scores[1e3] < 100.0


def test_accuracies_against_hand_counts():
    predictions = torch.tensor([0, 0, 1, 1, 1, 2])
    labels = torch.tensor([0, 1, 1, 1, 1, 0])
    assert top1_accuracy(predictions, labels) == pytest.approx(100 * 4 / 6)
    # class 0: 1 of 2, class 1: 3 of 4 -> (50 + 75) / 2
    assert mean_class_accuracy(predictions, labels) == pytest.approx(62.5)


def test_weighted_knn_vote_against_a_hand_computation():
    """Three neighbours: two of class 0 at cosine 0.6 and one of class 1 at cosine 0.99. A
    majority vote says 0; with weights exp(cos / T) class 1 wins at T = 0.07 and loses at
    T = 10 (nearly uniform weights)."""
    angle = [math.acos(0.6), math.acos(0.6), math.acos(0.99), math.pi / 2 + 0.5]
    train = torch.tensor([[math.cos(a), math.sin(a)] for a in angle]) * 3  # norms do not count
    train[1, 1] *= -1  # the second class-0 neighbour on the other side, same cosine
    labels = torch.tensor([0, 0, 1, 1])
    test = torch.tensor([[2.0, 0.0]])
    for temperature in (0.07, 10.0):
        cos = F.normalize(train, dim=1) @ F.normalize(test, dim=1)[0]
        top = cos.topk(3).indices
        expected = torch.zeros(2, dtype=torch.float64)
        for i in top:
            expected[labels[i]] += math.exp(cos[i] / temperature)
        scores = knn_scores(train, labels, test, 2, k=3, temperature=temperature)[0]
        # knn_scores drops the common factor exp(-1 / T): compare the normalised votes.
        assert torch.allclose(scores.double() / scores.sum(), expected / expected.sum(),
                              atol=1e-5)
    assert knn_scores(train, labels, test, 2, k=3, temperature=0.07).argmax() == 1
    assert knn_scores(train, labels, test, 2, k=3, temperature=10.0).argmax() == 0


def test_few_shot_draws():
    labels = torch.arange(4).repeat_interleave(6)
    first = few_shot_indices(labels, 3, seed=0)
    assert torch.bincount(labels[first]).tolist() == [3] * 4
    assert len(set(first.tolist())) == 12
    assert not torch.equal(first, few_shot_indices(labels, 3, seed=1))
    assert torch.equal(first, few_shot_indices(labels, 3, seed=0))
    with pytest.raises(ValueError, match='class 0 has 6 training images, fewer than 7'):
        few_shot_indices(labels, 7, seed=0)


def test_feature_cache_round_trip(tmp_path):
    store = FeatureCache(str(tmp_path))
    key = dict(checkpoint='a' * 64, size=112, data=dict(train='x'))
    assert store.load(key) is None
    store.save(key, dict(features=torch.arange(6.).view(3, 2), note='{"a": 1}'))
    assert key_digest(key) == key_digest(dict(data=dict(train='x'), size=112,
                                              checkpoint='a' * 64))
    entry = FeatureCache(str(tmp_path)).load(key)
    assert torch.equal(entry['features'], torch.arange(6.).view(3, 2))
    assert entry['note'] == '{"a": 1}'
    assert store.load(dict(key, size=64)) is None
    assert [p.suffix for p in tmp_path.iterdir()] == ['.pt']  # no temporary file left


def test_clear_errors():
    x, y = clusters(3, 4)
    with pytest.raises(ValueError, match=r'train labels must be an \(12,\) integer tensor'):
        fit_linear_probe(x, y.float(), 3, 0.1)
    with pytest.raises(ValueError, match=r'labels must be in \[0, 2\)'):
        fit_linear_probe(x, y, 2, 0.1)
    with pytest.raises(ValueError, match='k >= 1 and temperature > 0'):
        knn_scores(x, y, x, 3, k=0)
