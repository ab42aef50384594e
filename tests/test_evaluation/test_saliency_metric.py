"""SaliencyMetric: benchmark metrics of predicted maps against packed fixations."""
import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.registry import DefaultScope
from mmpretrain.structures import DataSample

from attn_plugins.saliency import auc_judd, cc, center_bias, fixation_density, kld, nss, sim


def make_sample(seed, shape=(30, 40)):
    rng = np.random.RandomState(seed)
    fixation_map = np.zeros(shape, np.float32)
    fixation_map[rng.randint(0, shape[0], 12), rng.randint(0, shape[1], 12)] = 1
    density = fixation_density(fixation_map, sigma_px=3).astype(np.float32)
    sample = DataSample()
    sample.set_field(torch.from_numpy(fixation_map), 'gt_fixation_map')
    sample.set_field(torch.from_numpy(density), 'gt_fixation_density')
    return sample, fixation_map, density


def evaluate(samples, predictions, **kwargs):
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        evaluator = Evaluator(dict(type='SaliencyMetric', **kwargs))
    for sample, prediction in zip(samples, predictions):
        sample.set_field(torch.as_tensor(prediction), 'pred_saliency')
    evaluator.process(samples)
    return evaluator.evaluate(len(samples))


def test_scores_equal_the_core_metrics_and_perfect_beats_center_bias():
    triples = [make_sample(seed) for seed in range(3)]
    samples = [t[0] for t in triples]
    predictions = [t[2] for t in triples]  # the fixation density itself
    result = evaluate(samples, predictions, center_bias=True)
    for name, func, truth in (('nss', nss, 1), ('auc_judd', auc_judd, 1), ('kld', kld, 2),
                              ('cc', cc, 2), ('sim', sim, 2)):
        expected = np.mean([func(t[2], t[truth]) for t in triples])
        assert result[f'saliency/{name}'] == pytest.approx(expected, rel=1e-5)
        baseline = np.mean([func(center_bias((30, 40)), t[truth]) for t in triples])
        assert result[f'saliency/center_bias_{name}'] == pytest.approx(baseline, rel=1e-5)
    for name in ('nss', 'cc', 'sim', 'auc_judd'):
        assert result[f'saliency/{name}'] > result[f'saliency/center_bias_{name}']
    assert result['saliency/kld'] < result['saliency/center_bias_kld']
    assert result['saliency/cc'] == pytest.approx(1.0)


def test_prediction_is_resized_to_the_ground_truth():
    sample, fixation_map, density = make_sample(5, shape=(40, 60))
    small = density[::2, ::2] * 10  # scale does not matter to NSS or CC
    result = evaluate([sample], [small], metrics=('nss', 'cc'))
    from attn_plugins.saliency import resize_map
    upsampled = resize_map(small.astype(np.float64), (40, 60))
    assert result['saliency/nss'] == pytest.approx(nss(upsampled, fixation_map), rel=1e-5)
    assert result['saliency/cc'] == pytest.approx(cc(upsampled, density), rel=1e-5)


def test_clear_errors():
    with pytest.raises(ValueError, match="unknown saliency metrics \\['auc'\\]"):
        evaluate([], [], metrics=('auc',))
    sample = DataSample()
    sample.set_field(torch.ones(4, 4), 'gt_fixation_map')
    with pytest.raises(KeyError, match="no 'fixation_density'"):
        evaluate([sample], [np.ones((4, 4))], metrics=('cc',))
