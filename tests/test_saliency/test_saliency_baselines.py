"""tools/analysis/saliency_baselines.py on real fixations, against direct computations."""
import json

import mmcv
import numpy as np
import pytest
from scipy.io import loadmat

from attn_plugins.saliency import (auc_judd, cc, center_bias, estimate_saliency,
                                   fixation_density, fixations_to_map, information_gain, kld,
                                   nss, sim)
from tests.conftest import run_tool

TOOL = 'tools/analysis/saliency_baselines.py'


def osie_truth(osie, name):
    """Fixation map and one-degree density (24 px) of an OSIE image, read from the .mat."""
    records = loadmat(osie / 'fixations.mat', squeeze_me=True,
                      struct_as_record=False)['fixations']
    record = next(r for r in records if str(r.img) == name)
    subjects = np.atleast_1d(record.subjects)
    x = np.concatenate([np.atleast_1d(s.fix_x) for s in subjects])
    y = np.concatenate([np.atleast_1d(s.fix_y) for s in subjects])
    fixations = fixations_to_map(x, y, (600, 800), one_based=True)
    return fixations, fixation_density(fixations, sigma_px=24)


def test_center_bias_beats_a_flat_map_on_osie(shared_data):
    osie = shared_data('osie')
    center, flat = center_bias((600, 800)), np.ones((600, 800))
    for name in ('1001.jpg', '1250.jpg', '1700.jpg'):
        fixations, density = osie_truth(osie, name)
        assert (nss(flat, fixations), cc(flat, density), auc_judd(flat, fixations)) == \
            (0.0, 0.0, 0.5)
        assert nss(center, fixations) > 0.2 and cc(center, density) > 0.1
        assert kld(center, density) < kld(flat, density)
        assert sim(center, density) > sim(flat, density)
        assert auc_judd(center, fixations) > 0.6


def test_tool_scores_match_direct_computation(shared_data, tmp_path):
    osie, scene = shared_data('osie'), shared_data('scene_saliency')
    out = tmp_path / 'scores.json'
    # --every 50 on the 100 held-out images: OSIE 1601 and 1651, Scene 401 and 451
    proc = run_tool([TOOL, '--data-root', osie.parent, '--every', '50', '--methods',
                     'center_bias', 'signature_center', '--out', out], timeout=600)
    assert '| osie val (2 images) |' in proc.stdout and '| scene val (2 images) |' in proc.stdout
    results = json.loads(out.read_text())
    osie_scores = results['datasets']['osie']['per_image']
    for index, name in enumerate(('1601.jpg', '1651.jpg')):
        fixations, density = osie_truth(osie, name)
        image = mmcv.imread(str(osie / 'images' / name), channel_order='rgb')
        for method in ('center_bias', 'signature_center'):
            prediction = estimate_saliency(image, method)
            expected = dict(nss=nss(prediction, fixations), cc=cc(prediction, density),
                            kld=kld(prediction, density), sim=sim(prediction, density),
                            auc_judd=auc_judd(prediction, fixations))
            for metric, value in expected.items():
                assert osie_scores[method][metric][index] == pytest.approx(value, rel=1e-6)
    # sAUC of 1601: negatives are the fixations of the 99 other held-out OSIE images (all
    # 800x600, so no rescaling); information gain over the centre bias
    records = loadmat(osie / 'fixations.mat', squeeze_me=True,
                      struct_as_record=False)['fixations']
    negatives = np.zeros((600, 800))
    for record in records:
        if 1602 <= int(str(record.img)[:-4]) <= 1700:
            for subject in np.atleast_1d(record.subjects):
                negatives += fixations_to_map(np.atleast_1d(subject.fix_x),
                                              np.atleast_1d(subject.fix_y), (600, 800),
                                              one_based=True, count=True)
    fixations, _ = osie_truth(osie, '1601.jpg')
    image = mmcv.imread(str(osie / 'images' / '1601.jpg'), channel_order='rgb')
    prediction = estimate_saliency(image, 'signature_center')
    positives = prediction[fixations > 0]
    values = prediction[negatives > 0]
    weights = negatives[negatives > 0]
    wins = [(weights * ((p > values) + 0.5 * (p == values))).sum() for p in positives]
    expected_sauc = np.sum(wins) / (positives.size * weights.sum())
    # the tool rescales every image's fixations through relative coordinates, which can move
    # a point lying exactly on a pixel boundary (x.5) by one pixel: a 1e-5 effect
    assert osie_scores['signature_center']['sauc'][0] == pytest.approx(expected_sauc, rel=1e-4)
    assert osie_scores['signature_center']['info_gain'][0] == pytest.approx(
        information_gain(prediction, fixations, center_bias((600, 800))), rel=1e-6)
    assert osie_scores['center_bias']['info_gain'][0] == pytest.approx(0, abs=1e-9)
    # Scene: rows [y, x, ...], 1-based; the density blur is 0.03 of the width
    cells = loadmat(str(scene / 'fixations.mat'))['fixations'][400]
    points = np.concatenate([c for c in cells if c.size])
    image = mmcv.imread(str(scene / 'stimuli' / '401.jpg'), channel_order='rgb')
    height, width = image.shape[:2]
    fixations = fixations_to_map(points[:, 1], points[:, 0], (height, width), one_based=True)
    prediction = estimate_saliency(image, 'center_bias')
    scene_scores = results['datasets']['scene']['per_image']['center_bias']
    assert scene_scores['nss'][0] == pytest.approx(nss(prediction, fixations), rel=1e-6)
    assert scene_scores['cc'][0] == pytest.approx(
        cc(prediction, fixation_density(fixations, sigma_px=0.03 * width)), rel=1e-6)
    summary = results['datasets']['osie']['summary']['center_bias']['nss']
    assert summary['mean'] == pytest.approx(np.mean(osie_scores['center_bias']['nss']))


def test_tool_names_a_missing_data_folder(tmp_path):
    proc = run_tool([TOOL, '--data-root', tmp_path, '--datasets', 'scene'], check=False)
    assert proc.returncode != 0
    assert f'{tmp_path}/scene_saliency not found' in proc.stderr
