"""tools/analysis/compare_arms.py: one arm of a harness report against an arm of another,
checked against scipy's Welch test computed here."""
import json

import pytest
from scipy import stats

from attn_plugins.evaluation.harness import Arm, Experiment
from attn_plugins.evaluation.report import summarise_experiment
from tests.conftest import load_tool

tool = load_tool('analysis/compare_arms')


def write_report(folder, values):
    """A harness report of arms ``base`` and ``method`` from ``{arm: {metric: [per seed]}}``."""
    exp = Experiment(name='demo', arms=[Arm('base', 'b.py'), Arm('method', 'm.py')],
                     baseline='base', seeds=[0, 1, 2])
    collected = {arm: {seed: dict(metrics={m: v[seed] for m, v in metrics.items()},
                                  corruption=None) for seed in range(3)}
                 for arm, metrics in values.items()}
    folder.mkdir(parents=True)
    (folder / 'results.json').write_text(json.dumps(summarise_experiment(exp, collected)))


def test_an_arm_of_two_reports_is_compared_with_welchs_test(tmp_path, capsys):
    first, second = tmp_path / 'first', tmp_path / 'second'
    write_report(first, dict(base={'linear/top1': [50.0, 51.0, 52.0], 'knn/top1': [40.0] * 3},
                             method={'linear/top1': [55.0, 56.0, 58.0]}))
    write_report(second, dict(base={'linear/top1': [52.0, 54.5, 53.0]},
                              method={'linear/top1': [1.0, 2.0, 3.0]}))
    out = tmp_path / 'diff.json'
    rows = tool.main([f'{first}:base', f'{second / "results.json"}:base', '--out', str(out)])
    assert list(rows) == ['linear/top1']  # the only metric both arms have
    test = stats.ttest_ind([52.0, 54.5, 53.0], [50.0, 51.0, 52.0], equal_var=False)
    assert rows['linear/top1']['diff'] == pytest.approx(53.1666667 - 51.0)
    assert rows['linear/top1']['p'] == pytest.approx(test.pvalue)
    assert json.loads(out.read_text())['metrics']['linear/top1']['second'] == [52.0, 54.5, 53.0]
    printed = capsys.readouterr().out
    assert '| linear/top1 | 51.00 ± 1.00 (n=3) | 53.17 ± 1.26 (n=3) | +2.17 [' in printed
    assert f'| {test.pvalue:.3g} |' in printed

    # the same report on both sides, two of its arms
    rows = tool.main([f'{first}:base', f'{first}:method', '--metrics', 'linear/top1'])
    assert rows['linear/top1']['diff'] == pytest.approx(5.3333333)


def test_bad_sides_are_named(tmp_path):
    write_report(tmp_path / 'r', dict(base={'linear/top1': [1.0, 2.0, 3.0]},
                                      method={'linear/top1': [1.0, 2.0, 3.0]}))
    with pytest.raises(SystemExit, match=r"has no arm 'cast'; its arms: \['base', 'method'\]"):
        tool.main([f'{tmp_path / "r"}:cast', f'{tmp_path / "r"}:base'])
    with pytest.raises(SystemExit, match='nowhere/results.json not found: give a results.json'):
        tool.main([f'{tmp_path / "nowhere"}:base', f'{tmp_path / "r"}:base'])
    with pytest.raises(SystemExit, match="expected RESULTS:ARM"):
        tool.main([str(tmp_path / 'r'), f'{tmp_path / "r"}:base'])
    with pytest.raises(SystemExit, match=r"not measured on both sides: \['knn/top1'\]"):
        tool.main([f'{tmp_path / "r"}:base', f'{tmp_path / "r"}:method', '--metrics',
                   'knn/top1'])
