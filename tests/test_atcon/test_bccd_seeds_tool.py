"""tools/analysis/atcon_bccd_seeds.py: summary over seeds, and resuming from result files."""
import json
import math

import pytest

from tests.conftest import REPO_ROOT, load_tool, run_tool

TOOL = REPO_ROOT / 'tools' / 'analysis' / 'atcon_bccd_seeds.py'


@pytest.fixture(scope='module')
def tool():
    return load_tool('analysis/atcon_bccd_seeds')


def record(arm, seed, f1, map_, consistency, corr):
    test = {'multi-label/f1-score': f1, 'multi-label/mAP': map_,
            'attention/consistency': consistency, 'collapse/cam_cross_corr': corr,
            'collapse/positive_rate': 70.0, 'collapse/all_present_f1': 88.43,
            'collapse/label_prior': 81.48, 'collapse/mask_binariness': 0.003}
    return dict(arm=arm, seed=seed, train_wall_s=10.0, test=test,
                test_scalefree={'attention/consistency': consistency / 2})


RECORDS = [record('supervised', 0, 60.0, 80.0, 0.1, 0.2),
           record('supervised', 1, 70.0, 84.0, 0.3, 0.4),
           record('supervised', 2, 80.0, 88.0, 0.2, 0.3),
           record('consistency', 0, 65.0, 82.0, 0.9, 0.5)]


def test_summary_is_mean_and_sample_std_over_seeds(tool):
    summary = tool.summarize(RECORDS)
    assert list(summary) == ['supervised', 'consistency']
    f1 = summary['supervised']['test/multi-label/f1-score']
    # 60, 70, 80: mean 70, sample variance (100 + 0 + 100) / 2 = 100.
    assert f1['mean'] == pytest.approx(70.0) and f1['std'] == pytest.approx(10.0)
    assert summary['supervised']['test_scalefree/attention/consistency']['mean'] == \
        pytest.approx(0.1)
    assert summary['supervised']['train_wall_s'] == 30.0
    assert summary['consistency']['test/multi-label/mAP'] == dict(mean=82.0, std=0.0,
                                                                 values=[82.0])
    table = tool.markdown(summary)
    assert '| supervised, 8 shots (step 1) | 3 | 70.0 +- 10.0 | 84.0 +- 4.0 |' in table
    assert 'all-"present" mean F1 88.4; mean label prior 81.5%' in table


def test_existing_results_are_skipped_and_summarised(tmp_path):
    out = tmp_path / 'results'
    out.mkdir()
    for r in RECORDS:
        (out / f'{r["arm"]}_seed{r["seed"]}.json').write_text(json.dumps(r))
    proc = run_tool([TOOL, '--arms', 'supervised', '--seeds', '0', '1', '--out-dir', out,
                     '--work-dir', tmp_path / 'work'])
    assert 'supervised_seed0.json exists: skipped' in proc.stdout
    assert not (tmp_path / 'work' / 'supervised_seed0').exists()  # nothing trained
    summary = json.loads((out / 'summary.json').read_text())
    corr = summary['supervised']['test/collapse/cam_cross_corr']
    assert corr['mean'] == pytest.approx(0.3)
    assert corr['std'] == pytest.approx(math.sqrt((0.01 + 0 + 0.01) / 2))
    assert (out / 'summary.md').read_text() in proc.stdout
