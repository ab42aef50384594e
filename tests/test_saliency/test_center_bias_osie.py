"""Center bias on real OSIE fixations: it beats a flat map, and the analysis tool agrees."""
import importlib.util
import re

import numpy as np
import pytest
from scipy.io import loadmat

from attn_plugins.saliency import (OSIE_PIXELS_PER_DEGREE, auc_judd, cc, center_bias,
                                   fixation_density, fixations_to_map, kld, nss, sim)
from tests.conftest import REPO_ROOT, run_tool

IMAGES = ('1001.jpg', '1250.jpg', '1700.jpg')
TOOL = 'tools/analysis/center_bias_osie.py'


def _scores(osie, names):
    """Metrics of the center bias and of a flat map, per image."""
    records = loadmat(osie / 'fixations.mat', squeeze_me=True,
                      struct_as_record=False)['fixations']
    by_name = {str(r.img): r for r in records}
    center, flat = center_bias((600, 800)), np.ones((600, 800))
    scores = {'center': [], 'flat': []}
    for name in names:
        subjects = np.atleast_1d(by_name[name].subjects)
        x = np.concatenate([np.atleast_1d(s.fix_x) for s in subjects])
        y = np.concatenate([np.atleast_1d(s.fix_y) for s in subjects])
        fixations = fixations_to_map(x, y, (600, 800), one_based=True)
        density = fixation_density(fixations, sigma_deg=1.0,
                                   pixels_per_degree=OSIE_PIXELS_PER_DEGREE)
        for key, prediction in (('center', center), ('flat', flat)):
            scores[key].append([nss(prediction, fixations), kld(prediction, density),
                                cc(prediction, density), sim(prediction, density),
                                auc_judd(prediction, fixations)])
    return {key: np.array(value) for key, value in scores.items()}


def test_center_bias_beats_a_flat_map_on_osie(shared_data):
    scores = _scores(shared_data('osie'), IMAGES)
    center, flat = scores['center'], scores['flat']
    np.testing.assert_array_equal(flat[:, [0, 2, 4]], [[0.0, 0.0, 0.5]] * len(IMAGES))
    assert (center[:, 0] > 0.2).all()  # NSS
    assert (center[:, 1] < flat[:, 1]).all()  # KLD
    assert (center[:, 2] > 0.1).all()  # CC
    assert (center[:, 3] > flat[:, 3]).all()  # SIM
    assert (center[:, 4] > 0.6).all()  # AUC-Judd


def test_tool_prints_the_mean_scores(shared_data, tmp_path):
    osie = shared_data('osie')
    split = tmp_path / 'split.txt'
    split.write_text('1001.jpg\n1250\n\n1700.jpg\n')  # names or stems, blank lines skipped
    proc = run_tool([TOOL, '--data-root', osie, '--split', split], timeout=300)
    assert 'on 3 OSIE images' in proc.stdout
    table = dict(re.findall(r'\| (\S+) +\| +(-?[\d.]+) \|', proc.stdout))
    expected = _scores(osie, IMAGES)['center'].mean(axis=0)
    for metric, value in zip(['NSS', 'KLD', 'CC', 'SIM', 'AUC-Judd'], expected):
        assert float(table[metric]) == round(value, 3), metric


def _load_tool():
    spec = importlib.util.spec_from_file_location('center_bias_osie', REPO_ROOT / TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tool_help_and_bad_split(tmp_path, shared_data, capsys):
    tool = _load_tool()
    with pytest.raises(SystemExit) as exit_info:
        tool.main(['--help'])
    assert exit_info.value.code == 0 and 'Examples:' in capsys.readouterr().out
    split = tmp_path / 'split.txt'
    split.write_text('no_such_image.jpg\n')
    with pytest.raises(SystemExit, match="'no_such_image.jpg' is not an OSIE image"):
        tool.main(['--data-root', str(shared_data('osie')), '--split', str(split)])
    with pytest.raises(SystemExit, match='fixations.mat not found'):
        tool.main(['--data-root', str(tmp_path)])
