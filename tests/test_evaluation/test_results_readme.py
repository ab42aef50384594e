"""tools/analysis/results_readme.py: the README's results section is the harness's report,
written between the markers and replaced (not added to) on a rerun."""
import json

import pytest
from scipy import stats

from attn_plugins.evaluation.harness import Arm, Experiment
from attn_plugins.evaluation.report import summarise_experiment
from tests.conftest import REPO_ROOT, load_tool

tool = load_tool('analysis/results_readme')


def write_results(folder, method_values, name='demo'):
    exp = Experiment(name=name, arms=[Arm('base', 'b.py'), Arm('method', 'm.py')],
                     baseline='base', seeds=[0, 1, 2], metrics=['linear/top1', 'knn/top1'],
                     description='Method vs base on a demo.',
                     claims=[dict(arm='method', metric='linear/top1', direction='higher',
                                  paper='method helps')])
    base_values = [60.0, 61.0, 62.0]
    collected = {arm: {seed: dict(metrics={'linear/top1': value}, corruption=None)
                       for seed, value in enumerate(values)}
                 for arm, values in (('base', base_values), ('method', method_values))}
    report = summarise_experiment(exp, collected)
    report['command'] = 'python tools/analysis/harness.py demo.py'
    folder.mkdir(parents=True, exist_ok=True)
    (folder / 'results.json').write_text(json.dumps(report))
    (folder / 'results.png').write_bytes(b'png')
    (folder / 'results.md').write_text('# demo\n')


def test_section_is_written_between_the_markers_and_replaced_on_rerun(tmp_path):
    results = tmp_path / 'results' / 'demo'
    write_results(results, [65.0, 66.0, 67.0])
    readme = tmp_path / 'README.md'
    # the markers quoted in prose (as the README's harness docs do) are not marker lines
    readme.write_text(f'# Title\n\nIntro: `{tool.BEGIN}` and `{tool.END}`.\n\n{tool.BEGIN}\n'
                      f'old numbers\n{tool.END}\n\nTail.\n')
    assert tool.main([str(results), '--readme', str(readme)]) == 0
    text = readme.read_text()
    assert text.startswith(f'# Title\n\nIntro: `{tool.BEGIN}` and `{tool.END}`.\n\n')
    assert text.endswith(f'{tool.END}\n\nTail.\n') and 'old numbers' not in text
    section = text.split(f'\n{tool.BEGIN}\n')[1].split(f'\n{tool.END}\n')[0]
    assert '### demo' in section and '#### Claims' in section and '#### Summary' in section
    assert '| method helps (higher) | linear/top1 | method vs base | +5.00 [' in section
    assert '**reproduced**' in section
    # one summary table, not a table per metric: the Welch interval of 66 - 61 (std 1 each,
    # 3 seeds each: 4 degrees of freedom)
    half = stats.t.ppf(0.975, 4) * (2 / 3) ** 0.5
    assert '| metric | base (baseline) | method |' in section
    assert (f'| linear/top1 | 61.00 ± 1.00 | 66.00 ± 1.00; +5.00 [{5 - half:.2f}, '
            f'{5 + half:.2f}] |') in section
    assert '#### linear/top1' not in section and '0: 65.00' not in section
    assert '\nNot measured yet: knn/top1\n' in section  # a headline metric with no run
    assert '[results.md](results/demo/results.md)' in section
    assert 'Regenerate: `python tools/analysis/harness.py demo.py`' in section
    assert '![demo](results/demo/results.png)' in section
    assert tool.main([str(results), '--readme', str(readme), '--check']) == 0

    # New seeds: the numbers are replaced, not kept beside the old ones.
    write_results(results, [60.5, 61.0, 61.5])
    assert tool.main([str(results), '--readme', str(readme), '--check']) == 1
    tool.main([str(results), '--readme', str(readme)])
    section = readme.read_text().split(f'\n{tool.BEGIN}\n')[1].split(f'\n{tool.END}\n')[0]
    assert '+5.00' not in section and '**not at this scale**' in section
    assert section.count('### demo') == 1

    # An arm with seeds still to run says over how many seeds its cell is.
    write_results(results, [65.0, 66.0])
    tool.main([str(results), '--readme', str(readme)])
    assert '| linear/top1 | 61.00 ± 1.00 | 65.50 ± 0.71 (n=2); +4.50 [' in readme.read_text()


def test_every_claim_is_listed_first_with_its_verdict_and_the_counts(tmp_path):
    """One table of every experiment's claims before the sections, rows linking their
    sections, and a line counting the verdicts (a claim alone in its experiment keeps its p
    under Holm's correction)."""
    first, second = tmp_path / 'results' / 'a', tmp_path / 'results' / 'b'
    write_results(first, [65.0, 66.0, 67.0], name='gain_cpu')
    write_results(second, [60.5, 61.0, 61.5], name='null_cpu')
    readme = tmp_path / 'README.md'
    readme.write_text(f'# T\n\n{tool.BEGIN}\n{tool.END}\n')
    assert tool.main([str(first), str(second), '--readme', str(readme)]) == 0
    section = readme.read_text().split(f'\n{tool.BEGIN}\n')[1]
    overview = section.split('### gain_cpu')[0]
    assert overview.startswith(f'### {tool.OVERVIEW}\n')
    p = stats.ttest_ind([65.0, 66.0, 67.0], [60.0, 61.0, 62.0], equal_var=False).pvalue
    assert (f'| [gain_cpu](#gain_cpu) | method helps (higher) | linear/top1 | method vs base | '
            f'+5.00 [') in overview
    assert f'| {p:.3f} | {p:.3f} | **reproduced** |' in overview
    assert '| [null_cpu](#null_cpu) | method helps (higher) |' in overview
    assert ('2 claims in 2 experiments: 1 reproduced (1 after Holm\'s correction); '
            '1 not at this scale.') in overview
    assert section.index('### null_cpu') > section.index('### gain_cpu')


def test_missing_markers_and_folders_are_named(tmp_path):
    results = tmp_path / 'results' / 'demo'
    write_results(results, [65.0, 66.0, 67.0])
    readme = tmp_path / 'README.md'
    readme.write_text('# No markers\n')
    with pytest.raises(SystemExit, match='README.md needs one line <!-- results:begin -->'):
        tool.main([str(results), '--readme', str(readme)])
    with pytest.raises(SystemExit, match='nowhere/results.json not found'):
        tool.main([str(tmp_path / 'nowhere'), '--readme', str(readme)])


def test_the_readme_results_section_is_what_its_command_writes():
    """The README names the command that writes its results section; run with --check, that
    command finds the section equal to what the committed result folders give, and each
    folder's results.md (linked for every seed) is its results.json's report."""
    import re
    import shlex

    readme = (REPO_ROOT / 'README.md').read_text()
    commands = re.findall(r'`python (tools/analysis/results_readme\.py [^`]+)`', readme)
    runnable = [c for c in commands if 'RESULT_DIR' not in c]
    assert len(runnable) == 1, f'the README should name one results_readme command: {commands}'
    folders = shlex.split(runnable[0])[1:]
    assert all((REPO_ROOT / folder / 'results.json').is_file() for folder in folders), folders
    assert tool.main([str(REPO_ROOT / f) for f in folders]
                     + ['--readme', str(REPO_ROOT / 'README.md'), '--check']) == 0
    # the results.md each section links to for every seed holds the same report
    from attn_plugins.evaluation.report import markdown_report
    for folder in folders:
        report = json.loads((REPO_ROOT / folder / 'results.json').read_text())
        assert (REPO_ROOT / folder / 'results.md').read_text() == markdown_report(report), folder


def test_plot_report_wraps_many_metrics_onto_lines(tmp_path):
    """The plot has a panel per headline metric, at most five side by side: twelve metrics
    give three lines of five panels (as wide as five metrics on one line, three times as
    tall), and a report with no headline metric measured writes nothing."""
    from PIL import Image

    from attn_plugins.evaluation.report import plot_report

    def report(n_metrics):
        metrics = [f'm{i}' for i in range(n_metrics)]
        exp = Experiment(name='demo', arms=[Arm('base', 'b.py'), Arm('method', 'm.py')],
                         baseline='base', seeds=[0, 1], metrics=metrics)
        collected = {arm: {seed: dict(metrics={m: seed + offset for m in metrics},
                                      corruption=None) for seed in (0, 1)}
                     for arm, offset in (('base', 0.0), ('method', 1.0))}
        return summarise_experiment(exp, collected)

    sizes = {n: Image.open(plot_report(report(n), str(tmp_path / f'{n}.png'))).size
             for n in (5, 12)}
    assert sizes[12][0] == sizes[5][0]
    assert sizes[12][1] == pytest.approx(3 * sizes[5][1], abs=2)
    assert plot_report(dict(report(5), headline=['missing'], metrics={}),
                       str(tmp_path / 'none.png')) is None
    assert not (tmp_path / 'none.png').exists()
