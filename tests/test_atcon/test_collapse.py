"""Collapse guards and label baselines, against numpy / hand computations and real models."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from attn_plugins.atcon import (all_present_f1, attention_consistency, cross_image_correlation,
                                guided_mask, label_prior, mask_binariness, positive_rate)


def test_cross_image_correlation_is_the_mean_off_diagonal_pearson():
    rng = np.random.default_rng(0)
    maps = rng.normal(size=(6, 4, 5))
    matrix = np.corrcoef(maps.reshape(6, -1))
    expected = (matrix.sum() - np.trace(matrix)) / (6 * 5)
    assert cross_image_correlation(maps) == pytest.approx(expected, abs=1e-12)
    assert cross_image_correlation(torch.from_numpy(maps).float()) == pytest.approx(
        expected, abs=1e-6)
    # Affine copies of one map: 1. A constant map correlates 0 with anything.
    base = rng.normal(size=(1, 3, 3))
    assert cross_image_correlation(np.concatenate([base, 3 * base - 1])) == pytest.approx(1.0)
    flat = np.concatenate([base, np.ones((1, 3, 3))])
    assert cross_image_correlation(flat) == 0.0
    with pytest.raises(ValueError, match='N >= 2'):
        cross_image_correlation(maps[:1])


def test_mask_binariness_and_positive_rate_by_hand():
    mask = torch.tensor([[[0.5, 0.5], [0.5, 0.5]],
                         [[0.0, 1.0], [1.0, 0.0]],
                         [[0.6, 0.3], [0.9, 0.5]]])
    # |2m - 1|: (0.2 + 0.4 + 0.8 + 0) / 4 = 0.35 for the third mask.
    torch.testing.assert_close(mask_binariness(mask), torch.tensor([0.0, 1.0, 0.35]))
    scores = np.array([[0.9, 0.1, 0.5], [0.51, 0.2, 0.7]])
    assert positive_rate(scores) == pytest.approx(3 / 6)  # 0.5 itself is not above
    assert positive_rate(scores, threshold=0.15) == pytest.approx(5 / 6)


LABELS = np.array([[1, 1, 0],
                   [1, 0, 0],
                   [1, 1, -1],   # class 2 ignored (difficult-only) for this image
                   [0, 1, 1],
                   [1, 1, 0]])


def test_label_prior_and_all_present_f1_by_hand():
    # Counted entries per class: 5, 5, 4; positives 4, 4, 1.
    np.testing.assert_allclose(label_prior(LABELS), [4 / 5, 4 / 5, 1 / 4])
    # Answering "present" everywhere: recall 1, precision = prior.
    f1 = [2 * 0.8 * 1 / (0.8 + 1), 2 * 0.8 * 1 / (0.8 + 1), 2 * 0.25 * 1 / (0.25 + 1)]
    assert all_present_f1(LABELS) == pytest.approx(np.mean(f1))
    # A class without positives scores 0 (and counts in the mean).
    assert all_present_f1(np.array([[1, 0], [1, 0]])) == pytest.approx(0.5)
    with pytest.raises(ValueError, match='only 1'):
        label_prior(np.array([[2, 0]]))


def test_all_present_f1_is_what_mmpretrain_reports_for_all_ones():
    pytest.importorskip('mmpretrain')
    from mmpretrain.evaluation import MultiLabelMetric
    target = torch.tensor(LABELS)  # a copy: mmpretrain zeroes the ignored entries in place
    _, _, f1, _ = MultiLabelMetric.calculate(torch.ones(target.shape), target,
                                             pred_indices=False, target_indices=False,
                                             thr=0.5)
    assert float(f1) == pytest.approx(100 * all_present_f1(LABELS), abs=1e-4)


def test_guided_mask_scale_free_option():
    torch.manual_seed(0)
    g = torch.rand(2, 6, 6) * 1e-3  # the scale of a small network's input gradients
    mean = g.flatten(1).mean(dim=1).view(-1, 1, 1)
    std = g.flatten(1).std(dim=1).view(-1, 1, 1)
    torch.testing.assert_close(guided_mask(g, 8.0, standardize=True),
                               torch.sigmoid(8.0 * ((g - mean) / std - 0.5)))
    # Scale-free: the same mask for g and 1000 g; ATCON's rule is not.
    torch.testing.assert_close(guided_mask(g, 8.0, standardize=True),
                               guided_mask(1000 * g, 8.0, standardize=True))
    raw = guided_mask(g, 8.0)
    assert float((raw - 0.5).abs().max()) < 0.01  # w = 8 on tiny g: the mask is ~0.5
    assert float(mask_binariness(raw).max()) < 0.01
    assert float(mask_binariness(guided_mask(g, 8.0, standardize=True)).min()) > 0.5
    # A constant map: sigmoid(-w / 2) everywhere, finite.
    torch.testing.assert_close(guided_mask(torch.ones(1, 2, 2), 8.0, standardize=True),
                               torch.full((1, 2, 2), float(torch.sigmoid(torch.tensor(-4.)))))


class ConstantMapNet(nn.Module):
    """A network whose feature map ignores the image (all it keeps is a scalar gain)."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.template = nn.Parameter(torch.randn(1, 4, 4, 4))
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        gain = 1 + 0.01 * x.mean(dim=(1, 2, 3)).view(-1, 1, 1, 1)
        feats = self.template * gain
        return feats, self.fc(feats.mean(dim=(2, 3)))


class BlobNet(nn.Module):
    """conv-ReLU-conv-ReLU on 16 px images, global pooling and a linear layer."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.conv1 = nn.Conv2d(1, 8, 3, padding=1, padding_mode='reflect')
        self.conv2 = nn.Conv2d(8, 8, 3, stride=2, padding=1, padding_mode='reflect')
        self.fc = nn.Linear(8, 2)

    def forward(self, x):
        feats = F.relu(self.conv2(F.relu(self.conv1(x))))
        return feats, self.fc(feats.mean(dim=(2, 3)))


def blob_images(n, seed):
    """Noise images, half of them with a bright 4x4 square at a random place (label 1)."""
    generator = torch.Generator().manual_seed(seed)
    images = 0.1 * torch.randn(n, 1, 16, 16, generator=generator)
    labels = torch.arange(n) % 2
    for i in range(n):
        if labels[i]:
            r, c = torch.randint(0, 12, (2, ), generator=generator).tolist()
            images[i, :, r:r + 4, c:c + 4] += 2.0
    return images, labels


def trained_blob_net():
    net = BlobNet()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-2)
    images, labels = blob_images(32, seed=1)
    for _ in range(40):
        loss = F.cross_entropy(net(images)[1], labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert float((net(images)[1].argmax(1) == labels).float().mean()) > 0.9
    return net


def cams(model, images):
    _, maps = attention_consistency(model, images, create_graph=False, return_maps=True)
    return maps['cam']


def test_detector_fires_on_a_constant_map_model_and_not_on_a_trained_one():
    images, _ = blob_images(12, seed=2)
    constant = cross_image_correlation(cams(ConstantMapNet(), images))
    trained = cross_image_correlation(cams(trained_blob_net(), images))
    assert constant > 0.999
    assert trained < 0.5


def samples_for_metric(model, images, labels):
    """What ATCONClassifier.predict hands a metric, as dicts."""
    consistency, maps = attention_consistency(model, images, create_graph=False,
                                              return_maps=True)
    scores = torch.sigmoid(maps['logits'])
    binariness = mask_binariness(maps['mask'])
    return [dict(pred_score=scores[i], gt_label=torch.tensor([int(labels[i])]),
                 gt_label_difficult=[],
                 grad_cam=maps['cam'][i], mask_binariness=binariness[i],
                 attention_consistency=consistency[i]) for i in range(len(images))]


def test_collapse_guard_metric_flags_the_constant_model_only():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.metrics import CollapseGuardMetric
    images, labels = blob_images(12, seed=2)
    results = {}
    for name, model in (('constant', ConstantMapNet()), ('trained', trained_blob_net())):
        metric = CollapseGuardMetric()
        samples = samples_for_metric(model, images, labels)
        metric.process(None, samples[:5])
        metric.process(None, samples[5:])
        results[name] = metric.compute_metrics(metric.results)
        scores = torch.stack([s['pred_score'] for s in samples])
        onehot = F.one_hot(labels, 2)
        assert results[name]['positive_rate'] == pytest.approx(
            100 * float((scores > 0.5).float().mean()))
        assert results[name]['label_prior'] == pytest.approx(50.0)
        assert results[name]['all_present_f1'] == pytest.approx(100 * all_present_f1(onehot))
        assert results[name]['cam_cross_corr'] == pytest.approx(
            cross_image_correlation(torch.stack([s['grad_cam'] for s in samples])))
        assert results[name]['mask_binariness'] == pytest.approx(
            float(torch.stack([s['mask_binariness'] for s in samples]).mean()))
    assert results['constant']['cam_collapsed'] == 1.0
    assert results['trained']['cam_collapsed'] == 0.0


def test_collapse_guard_metric_without_attention_and_its_errors():
    pytest.importorskip('mmpretrain')
    from attn_plugins.atcon.metrics import CollapseGuardMetric
    samples = [dict(pred_score=torch.tensor([0.9, 0.7, 0.6]), gt_label=torch.tensor(list(c)),
                    gt_label_difficult=[])
               for c in ([0, 1], [0], [1, 2], [0, 1])]
    metric = CollapseGuardMetric(attention=False)
    metric.process(None, samples)
    result = metric.compute_metrics(metric.results)
    labels = np.array([[1, 1, 0], [1, 0, 0], [0, 1, 1], [1, 1, 0]])
    assert result == pytest.approx(dict(positive_rate=100.0,
                                        all_present_f1=100 * all_present_f1(labels),
                                        label_prior=100 * label_prior(labels).mean()))
    with pytest.raises(KeyError, match='grad_cam'):
        CollapseGuardMetric().process(None, samples)
    with pytest.raises(ValueError, match='thr'):
        CollapseGuardMetric(thr=1.5)
