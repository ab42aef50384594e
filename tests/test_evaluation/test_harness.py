"""The experiment harness with stand-in train / eval scripts: every (arm, seed) is trained
and evaluated once; a run killed mid-training resumes from its checkpoint and nothing
finished is redone; the table's statistics equal hand computations (Welch t-test, 95%
interval of the difference of means, mCE against the baseline arm's mean errors)."""
import json
import math
import shutil

import numpy as np
import pytest
from scipy import stats

from tests.conftest import REPO_ROOT, run_tool

FAKES = REPO_ROOT / 'tests' / 'test_evaluation' / 'harness_fakes'
CORRUPTIONS = ['gaussian_noise', 'shot_noise', 'impulse_noise', 'defocus_blur', 'glass_blur',
               'motion_blur', 'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast',
               'elastic_transform', 'pixelate', 'jpeg_compression']
# Per arm and seed: linear top-1, kNN top-1, accuracy of every corruption cell.
VALUES = dict(
    base=dict(linear={0: 60.0, 1: 62.0, 2: 61.0}, knn={0: 40.0, 1: 41.0, 2: 45.0},
              corruption={0: 50.0, 1: 51.0, 2: 52.0}),
    method=dict(linear={0: 64.0, 1: 63.5, 2: 65.5}, knn={0: 42.0, 1: 40.0, 2: 41.0},
                corruption={0: 60.0, 1: 60.0, 2: 60.0}),
    rand=dict(linear={0: 30.0, 1: 31.0, 2: 29.0}, knn={0: 20.0, 1: 20.0, 2: 21.0},
              corruption={0: 20.0, 1: 20.0, 2: 20.0}))


@pytest.fixture
def experiment(tmp_path):
    for arm, values in VALUES.items():
        (tmp_path / f'{arm}.py').write_text(
            f'linear = {values["linear"]!r}\nknn = {values["knn"]!r}\n'
            f'corruption = {values["corruption"]!r}\ncorruptions = {CORRUPTIONS!r}\n')
    spec = tmp_path / 'fake_experiment.py'
    spec.write_text(f'''name = 'fake'
baseline = 'base'
seeds = [0, 1, 2]
cfg_options = dict(train_cfg=dict(max_epochs=3))
arms = [
    dict(name='base', config={str(tmp_path / 'base.py')!r}),
    dict(name='method', config={str(tmp_path / 'method.py')!r},
         cfg_options={{'model.queue_len': 512}}),
    dict(name='random', config={str(tmp_path / 'rand.py')!r}, checkpoint='random'),
]
evaluation = dict(tasks=['linear', 'knn', 'corruption'])
metrics = ['linear/top1', 'knn/top1', 'corruption/mce']
train_script = {str(FAKES / 'fake_train.py')!r}
eval_script = {str(FAKES / 'fake_eval.py')!r}
''')
    return spec


def calls(log):
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_harness_resumes_and_its_statistics_match_hand_computations(tmp_path, experiment):
    log, work = tmp_path / 'calls.log', tmp_path / 'work'
    command = ['tools/analysis/harness.py', experiment, '--work-dir', work]
    # First run: the method's seed-1 training is killed after its first checkpoint.
    proc = run_tool(command, env=dict(FAKE_LOG=str(log), FAKE_FAIL='method:1'), check=False)
    assert proc.returncode != 0 and 'train method seed 1 failed (exit status 137)' in proc.stderr
    first = calls(log)
    assert [(c['script'], c['arm'], c['seed']) for c in first] == [
        ('train', 'base', 0), ('eval', 'base', 0), ('train', 'method', 0),
        ('eval', 'method', 0), ('eval', 'rand', 0), ('train', 'base', 1), ('eval', 'base', 1),
        ('train', 'method', 1)]
    assert first[2]['options'] == {'train_cfg.max_epochs': '3', 'model.queue_len': '512',
                                   'randomness.seed': '0'}
    # Rerun: only what is missing runs; the killed training resumes from its checkpoint.
    run_tool(command, env=dict(FAKE_LOG=str(log), FAKE_FAIL='method:1'))
    second = calls(log)[len(first):]
    assert [(c['script'], c['arm'], c['seed'], c.get('resume')) for c in second] == [
        ('train', 'method', 1, True), ('eval', 'method', 1, None), ('eval', 'rand', 1, None),
        ('train', 'base', 2, False), ('eval', 'base', 2, None), ('train', 'method', 2, False),
        ('eval', 'method', 2, None), ('eval', 'rand', 2, None)]
    # Third run: everything is done, nothing runs.
    run_tool(command, env=dict(FAKE_LOG=str(log)))
    assert len(calls(log)) == len(first) + len(second)

    report = json.loads((work / 'results.json').read_text())
    linear = report['metrics']['linear/top1']
    method, base = (list(VALUES[a]['linear'].values()) for a in ('method', 'base'))
    assert linear['method']['values'] == {'0': 64.0, '1': 63.5, '2': 65.5}
    assert linear['method']['mean'] == pytest.approx(np.mean(method))
    assert linear['method']['std'] == pytest.approx(np.std(method, ddof=1))
    # Welch by hand: standard error, Welch-Satterthwaite df, t quantile, scipy's p.
    va, vb = np.var(method, ddof=1) / 3, np.var(base, ddof=1) / 3
    se = math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 2)
    diff = np.mean(method) - np.mean(base)
    assert linear['method']['diff'] == pytest.approx(diff)
    assert linear['method']['ci_low'] == pytest.approx(diff - stats.t.ppf(0.975, df) * se)
    assert linear['method']['ci_high'] == pytest.approx(diff + stats.t.ppf(0.975, df) * se)
    assert linear['method']['p'] == pytest.approx(
        stats.ttest_ind(method, base, equal_var=False).pvalue)
    assert linear['method']['t'] == pytest.approx(diff / se)
    assert 'diff' not in linear['base']
    # mCE against the baseline's errors averaged over its seeds (50, 49, 48 -> 49).
    mce = report['metrics']['corruption/mce']
    assert mce['method']['values'] == pytest.approx({'0': 40 / 49, '1': 40 / 49, '2': 40 / 49})
    assert mce['random']['mean'] == pytest.approx(80 / 49)
    assert mce['base']['values'] == pytest.approx({'0': 50 / 49, '1': 49 / 49, '2': 48 / 49})
    # Wall times from the trainings' logs: the killed and resumed one counts both attempts.
    train_min = report['metrics']['wall/train_min']
    assert train_min['method']['values'] == {'0': 20.0, '1': 30.0, '2': 20.0}
    assert train_min['base']['values'] == {'0': 20.0, '1': 20.0, '2': 20.0}
    assert 'random' not in train_min
    assert report['metrics']['wall/train_s_per_iter']['method']['values'] == pytest.approx(
        {'0': 0.2, '1': 0.15, '2': 0.2})
    markdown = (work / 'results.md').read_text()
    assert '| method | 64.33 ± 1.04 (n=3) | 0: 64.00, 1: 63.50, 2: 65.50 | +3.33 [' in markdown
    assert '| method | 23.33 ± 5.77 | 0.18 ± 0.03 |' in markdown
    assert (work / 'results.png').stat().st_size > 1000


def test_harness_refuses_to_mix_settings(tmp_path, experiment):
    log, work = tmp_path / 'calls.log', tmp_path / 'work'
    command = ['tools/analysis/harness.py', experiment, '--work-dir', work, '--seeds', '0',
               '--arms', 'base']
    run_tool(command, env=dict(FAKE_LOG=str(log)))
    proc = run_tool(command + ['--cfg-options', 'train_cfg.max_epochs=9'],
                    env=dict(FAKE_LOG=str(log)), check=False)
    assert proc.returncode != 0
    assert 'was run with other settings (cfg_options differ)' in proc.stderr


def test_train_pool_trains_a_shared_arm_once(tmp_path, experiment):
    """Two experiments with one pool: the arm they share (same config, overrides, seed) is
    trained once and evaluated by each; an arm whose overrides differ trains on its own; a
    prerequisite without ``creates`` runs every time."""
    log, pool = tmp_path / 'calls.log', tmp_path / 'pool'
    other = tmp_path / 'other_experiment.py'
    other.write_text(experiment.read_text().replace("name = 'fake'", "name = 'other'").replace(
        "{'model.queue_len': 512}", "{'model.queue_len': 256}") + (
            f"prerequisites = [dict(name='touch', command=[{str(FAKES / 'fake_eval.py')!r}, "
            "'--prerequisite'])]\n"))
    env = dict(FAKE_LOG=str(log))
    for spec, work in ((experiment, 'work_a'), (other, 'work_b')):
        run_tool(['tools/analysis/harness.py', spec, '--work-dir', tmp_path / work, '--seeds',
                  '0', '--train-pool', pool], env=env)
    done = calls(log)
    assert [(c['script'], c['arm']) for c in done if c['script'] == 'train'] == [
        ('train', 'base'), ('train', 'method'), ('train', 'method')]
    assert [c['options']['model.queue_len'] for c in done if c.get('arm') == 'method'
            and c['script'] == 'train'] == ['512', '256']
    # base (and random) is evaluated once, from the one pooled checkpoint: the second
    # experiment copies the first's output, as the pool's record of it says
    for arm in ('base', 'rand'):
        assert len([c for c in done if c['script'] == 'eval' and c.get('arm') == arm]) == 1
        first, second = (tmp_path / work / arm.replace('rand', 'random') / 'seed0' / 'eval'
                         for work in ('work_a', 'work_b'))
        assert (second / 'results.json').read_text() == (first / 'results.json').read_text()
        assert json.loads((second.parent / 'eval_done.json').read_text())[
            'copied_from'] == str(first)
    assert [c['checkpoint'] for c in done if c['script'] == 'eval'
            and c.get('arm') == 'base'][0].startswith(str(pool / 'base-'))
    assert len(list((pool / 'evals').glob('*.json'))) == 4  # base, rand, the two methods
    assert sorted(p.name.split('-')[0] for p in pool.iterdir()
                  if p.is_dir() and p.name != 'evals') == ['base', 'method', 'method']
    assert not (tmp_path / 'work_a' / 'base' / 'seed0' / 'train').exists()
    # Rerun of the second: nothing trains or evaluates again; the prerequisite runs again.
    run_tool(['tools/analysis/harness.py', other, '--work-dir', tmp_path / 'work_b',
              '--seeds', '0', '--train-pool', pool], env=env)
    assert [c['script'] for c in calls(log)[len(done):]] == ['prerequisite']
    # A new work dir: base and random, whose recorded run folder is gone, are evaluated
    # again; the method's evaluation (in work_b) is copied.
    shutil.rmtree(tmp_path / 'work_a')
    count = len(calls(log))
    run_tool(['tools/analysis/harness.py', other, '--work-dir', tmp_path / 'work_d',
              '--seeds', '0', '--train-pool', pool], env=env)
    assert sorted(c.get('arm', '') for c in calls(log)[count:] if c['script'] == 'eval') == [
        'base', 'rand']
    assert (tmp_path / 'work_d' / 'method' / 'seed0' / 'eval' / 'results.json').is_file()
    # A pooled training whose config file changed since is refused, not reused.
    base = tmp_path / 'base.py'
    base.write_text(base.read_text() + 'epochs = 5\n')
    proc = run_tool(['tools/analysis/harness.py', other, '--work-dir', tmp_path / 'work_c',
                     '--seeds', '0', '--train-pool', pool], env=env, check=False)
    assert proc.returncode != 0 and f'trained from another version of {base}' in proc.stderr


def test_run_folder_keeps_its_own_training_when_a_pool_is_added(tmp_path, experiment):
    log, work = tmp_path / 'calls.log', tmp_path / 'work'
    command = ['tools/analysis/harness.py', experiment, '--work-dir', work, '--seeds', '0']
    run_tool(command, env=dict(FAKE_LOG=str(log)))
    count = len(calls(log))
    proc = run_tool(command + ['--train-pool', tmp_path / 'pool', '--dry-run'],
                    env=dict(FAKE_LOG=str(log)))
    assert proc.stdout.count('[trained, evaluated]') == 3
    run_tool(command + ['--train-pool', tmp_path / 'pool'], env=dict(FAKE_LOG=str(log)))
    assert len(calls(log)) == count and not (tmp_path / 'pool').exists()


def test_claims_get_the_verdict_of_their_interval(experiment):
    """Claims against the baseline and against another arm, judged from the per-seed values
    (the fixture's numbers) by the Welch interval computed here independently."""
    from attn_plugins.evaluation.harness import load_experiment
    from attn_plugins.evaluation.report import markdown_report, summarise_experiment

    experiment.write_text(experiment.read_text() + """claims = [
    dict(arm='method', metric='linear/top1', direction='higher', paper='method beats base'),
    dict(arm='method', metric='knn/top1', direction='higher', paper='kNN too'),
    dict(arm='method', metric='linear/top1', direction='lower', against='random',
         paper='method below random'),
    dict(arm='method', metric='fewshot/5shot', direction='higher', paper='few-shot'),
]
""")
    exp = load_experiment(str(experiment))
    collected = {arm: {seed: dict(metrics={'linear/top1': values['linear'][seed],
                                           'knn/top1': values['knn'][seed]}, corruption=None)
                       for seed in range(3)}
                 for arm, values in (('base', VALUES['base']), ('method', VALUES['method']),
                                     ('random', VALUES['rand']))}
    report = summarise_experiment(exp, collected)
    verdicts = [c['verdict'] for c in report['claims']]

    def interval(a, b):
        a, b = np.array(list(a.values())), np.array(list(b.values()))
        va, vb = a.var(ddof=1) / 3, b.var(ddof=1) / 3
        df = (va + vb) ** 2 / (va ** 2 / 2 + vb ** 2 / 2)
        half = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
        return a.mean() - b.mean() - half, a.mean() - b.mean() + half

    low, _ = interval(VALUES['method']['linear'], VALUES['base']['linear'])
    assert low > 0 and verdicts[0] == 'reproduced'
    low, high = interval(VALUES['method']['knn'], VALUES['base']['knn'])
    assert low < 0 < high and verdicts[1] == 'not at this scale'
    low, _ = interval(VALUES['method']['linear'], VALUES['rand']['linear'])
    assert low > 0 and verdicts[2] == 'contrary'
    assert verdicts[3] == 'not measured yet'
    assert report['claims'][2]['against'] == 'random'
    markdown = markdown_report(report)
    assert '| method beats base (higher) | linear/top1 | method vs base | +3.33 [' in markdown
    assert '**contrary** |' in markdown
    assert ('**Verdict**: 1 of 4 claims reproduced; 1 not at this scale; 1 contrary; '
            '1 not measured yet.') in markdown
    # Holm over the three claims with a p, from scipy's Welch p-values: 0.016 (x 2 = 0.032),
    # 0.59 (x 1) and 2.1e-6 (x 3): both claims with p < 0.05 keep it.
    tested = report['claims'][:3]
    welch = [stats.ttest_ind(list(VALUES[a][m].values()), list(VALUES[b][m].values()),
                             equal_var=False).pvalue
             for a, b, m in (('method', 'base', 'linear'), ('method', 'base', 'knn'),
                             ('method', 'rand', 'linear'))]
    assert [c['p'] for c in tested] == pytest.approx(welch)
    assert [c['p_holm'] for c in tested] == pytest.approx(
        [2 * welch[0], welch[1], 3 * welch[2]])
    assert 'p_holm' not in report['claims'][3]
    assert ("After Holm's correction over the 3 claims tested, 2 of the 2 claims with "
            'p < 0.05 stay below 0.05.') in markdown
    assert f'| {2 * welch[0]:.3f} |' in markdown  # the p (Holm) column

    bad = experiment.parent / 'bad_claim.py'
    bad.write_text(experiment.read_text().replace("against='random'", "against='nope'"))
    with pytest.raises(ValueError, match="against 'nope' is not one of the arms"):
        load_experiment(str(bad))


def test_the_verdict_line_says_which_claims_survive_holms_correction():
    """Two claims at p 0.03 and 0.04 each clear 0.05 alone, but Holm's threshold for the
    smaller of two is 0.025: neither survives. One claim alone is not corrected."""
    from attn_plugins.evaluation.report import claims_verdict

    claims = [dict(verdict='reproduced', p=0.03, p_holm=0.06),
              dict(verdict='contrary', p=0.04, p_holm=0.06)]
    assert claims_verdict(claims) == ("1 of 2 claims reproduced; 1 contrary. After Holm's "
                                      'correction over the 2 claims tested, 0 of the 2 claims '
                                      'with p < 0.05 stay below 0.05.')
    assert claims_verdict(claims[:1]) == '1 of 1 claim reproduced.'
    # One claim below 0.05 among two tested: its corrected p is named.
    claims[1].update(p=0.2, p_holm=0.2)
    assert claims_verdict(claims).endswith(
        "After Holm's correction over the 2 claims tested, the claim with p < 0.05 has "
        'p 0.060, no longer below 0.05.')
    claims[0].update(p=0.01, p_holm=0.02)
    assert claims_verdict(claims).endswith('has p 0.020, still below 0.05.')


def test_a_claim_with_seeds_still_to_run_is_pending_not_judged(experiment):
    """While a side has fewer seeds than are due, a claim shows its interval but no verdict;
    a transfer's metrics are due on that transfer's seeds only."""
    from attn_plugins.evaluation.harness import load_experiment
    from attn_plugins.evaluation.report import markdown_report, summarise_experiment

    det = experiment.parent / 'det.py'
    det.write_text('')
    experiment.write_text(experiment.read_text() + f"""transfer = [
    dict(name='det', seeds=[0], config={str(det)!r})]
claims = [
    dict(arm='method', metric='linear/top1', direction='higher', paper='method beats base'),
    dict(arm='random', metric='linear/top1', direction='lower', paper='random below base'),
    dict(arm='method', metric='transfer/det/AP50', direction='higher', paper='transfers'),
]
""")
    exp = load_experiment(str(experiment))
    seeds = dict(base=(0, 1, 2), method=(0, 1), rand=(0, 1, 2))
    collected = {arm: {seed: dict(metrics={'linear/top1': VALUES[key]['linear'][seed]},
                                  corruption=None) for seed in seeds[key]}
                 for arm, key in (('base', 'base'), ('method', 'method'),
                                  ('random', 'rand'))}
    for arm, value in (('base', 50.0), ('method', 55.0)):
        collected[arm][0]['metrics']['transfer/det/AP50'] = value
    report = summarise_experiment(exp, collected)
    claims = report['claims']

    method = np.array([VALUES['method']['linear'][s] for s in (0, 1)])
    base = np.array(list(VALUES['base']['linear'].values()))
    va, vb = method.var(ddof=1) / 2, base.var(ddof=1) / 3
    half = stats.t.ppf(0.975, (va + vb) ** 2 / (va ** 2 + vb ** 2 / 2)) * math.sqrt(va + vb)
    assert claims[0]['n'] == [2, 3] and claims[0]['verdict'] == 'pending: 2 of 3 seeds'
    assert claims[0]['ci_low'] == pytest.approx(method.mean() - base.mean() - half)
    # the random arm has all its seeds: judged as before
    assert claims[1]['verdict'] == 'reproduced'
    # one seed is all the transfer runs: no longer pending, but one seed tests nothing
    assert claims[2]['n'] == [1, 1] and claims[2]['verdict'] == 'one seed: not tested'
    markdown = markdown_report(report)
    assert '| method vs base | +' in markdown and '**pending: 2 of 3 seeds** |' in markdown
    assert ('**Verdict**: 1 of 3 claims reproduced; 1 pending: 2 of 3 seeds; '
            '1 one seed: not tested.') in markdown


def test_a_claim_no_better_than_its_trivial_answer_is_degenerate(experiment):
    """A claim reproduced against the baseline stays reproduced only when the arm also beats
    the trivial answer's score on its own runs (interval computed here independently)."""
    from attn_plugins.evaluation.harness import load_experiment
    from attn_plugins.evaluation.report import DEGENERATE, markdown_report, summarise_experiment

    experiment.write_text(experiment.read_text() + """claims = [
    dict(arm='method', metric='linear/top1', direction='higher', paper='beats a low floor',
         trivial='floor/low'),
    dict(arm='method', metric='linear/top1', direction='higher', paper='at the floor',
         trivial='floor/high'),
    dict(arm='method', metric='knn/top1', direction='higher', paper='kNN',
         trivial='floor/low'),
]
""")
    exp = load_experiment(str(experiment))
    floors = {'floor/low': 50.0, 'floor/high': 64.5}  # method's linear: 64.0, 63.5, 65.5
    collected = {arm: {seed: dict(metrics={'linear/top1': values['linear'][seed],
                                           'knn/top1': values['knn'][seed], **floors},
                                  corruption=None) for seed in range(3)}
                 for arm, values in (('base', VALUES['base']), ('method', VALUES['method']))}
    report = summarise_experiment(exp, collected)
    claims = report['claims']
    method = np.array(list(VALUES['method']['linear'].values()))
    half = stats.t.ppf(0.975, 2) * method.std(ddof=1) / math.sqrt(3)  # the floor has no spread
    for claim, floor in zip(claims, (50.0, 64.5)):
        assert claim['trivial_mean'] == floor
        assert claim['trivial_diff'] == pytest.approx(method.mean() - floor)
        assert claim['trivial_ci_low'] == pytest.approx(method.mean() - floor - half)
    assert method.mean() - 50.0 - half > 0 and claims[0]['verdict'] == 'reproduced'
    assert method.mean() - 64.5 - half < 0 and claims[1]['verdict'] == DEGENERATE
    # Not reproduced against the baseline: the trivial answer does not change the verdict.
    assert claims[2]['verdict'] == 'not at this scale'
    markdown = markdown_report(dict(summarise_experiment(exp, collected), headline=[]))
    assert 'trivial answer: score; arm - it [95% CI]' in markdown
    assert f'| floor/high 64.50; {method.mean() - 64.5:+.2f} [' in markdown
    assert f'**{DEGENERATE}** |' in markdown


def test_wall_times_are_read_from_the_runner_logs(tmp_path):
    """Elapsed minutes per attempt (first to last stamped line) summed for a resumed
    training, the latest attempt alone for a test, the median iteration time; and the
    report's wall-time table."""
    from attn_plugins.evaluation.harness import runner_log_times
    from attn_plugins.evaluation.report import markdown_report

    def attempt(stamp, lines):
        folder = tmp_path / 'train' / stamp
        folder.mkdir(parents=True)
        (folder / f'{stamp}.log').write_text('\n'.join(lines) + '\n')

    attempt('20261231_235000', [
        '2026/12/31 23:50:00 - mmengine - INFO - Config: ...', 'not stamped: time: 9.0',
        '2026/12/31 23:55:00 - mmengine - INFO - Epoch(train)   [1][25/95]  lr: 0.06  '
        'eta: 0:10:00  time: 0.5000  data_time: 0.0030  loss: 6.9',
        '2026/12/31 23:58:00 - mmengine - INFO - Epoch(train)   [1][50/95]  time: 0.7000',
        '2027/01/01 00:20:00 - mmengine - INFO - Saving checkpoint at 1 epochs'])
    attempt('20270101_010000', [
        '2027/01/01 01:00:00 - mmengine - INFO - Epoch(val) [1][2/2]  time: 9.0000',
        '2027/01/01 01:10:00 - mmengine - INFO - Epoch(train)   [2][25/95]  time: 0.6000',
        '2027/01/01 01:15:30 - mmengine - INFO - Saving checkpoint at 2 epochs'])
    (tmp_path / 'train' / 'not_a_run').mkdir()
    assert runner_log_times(str(tmp_path / 'train')) == dict(minutes=30 + 15.5,
                                                              iteration_s=0.6)
    assert runner_log_times(str(tmp_path / 'train'), attempts='last') == dict(
        minutes=15.5, iteration_s=0.6)
    assert runner_log_times(str(tmp_path / 'nothing')) is None

    def row(values):
        return dict(values=dict(enumerate(values)), mean=float(np.mean(values)),
                    std=float(np.std(values, ddof=1)), n=len(values))

    report = dict(experiment='x', baseline='base', seeds=[0, 1], headline=['a'], claims=[],
                  metrics={'a': dict(base=row([1.0, 2.0])),
                           'wall/eval_min': dict(base=row([2.0, 4.0])),
                           'wall/train_min': dict(base=row([30.0, 40.0]),
                                                  method=row([50.0, 70.0]))})
    markdown = markdown_report(report)
    assert '| arm | train_min | eval_min |' in markdown
    assert '| base | 35.00 ± 7.07 | 3.00 ± 1.41 |' in markdown
    assert '| method | 60.00 ± 14.14 |  |' in markdown
    assert '## wall/train_min' not in markdown  # not a headline metric


def test_spec_errors_name_the_problem(tmp_path, experiment):
    from attn_plugins.evaluation.harness import load_experiment

    text = experiment.read_text()
    bad = tmp_path / 'bad.py'
    bad.write_text(text.replace("baseline = 'base'", "baseline = 'nope'"))
    with pytest.raises(ValueError, match="baseline 'nope' is not one of the arms"):
        load_experiment(str(bad))
    bad.write_text(text + 'epochs = 3\n')
    with pytest.raises(ValueError, match=r"unknown keys \['epochs'\]"):
        load_experiment(str(bad))
    bad.write_text(text.replace("/base.py'", "/missing.py'"))
    with pytest.raises(FileNotFoundError, match='config not found'):
        load_experiment(str(bad))
    base = str(experiment.parent / 'base.py')
    bad.write_text(text + f"transfer = [dict(name='det', config={base!r}, iters=5)]\n")
    with pytest.raises(ValueError, match=r"transfer 'det' has unknown keys \['iters'\]"):
        load_experiment(str(bad))
    bad.write_text(text + "transfer = [dict(name='det', config='missing.py')]\n")
    with pytest.raises(FileNotFoundError, match="transfer 'det': config not found"):
        load_experiment(str(bad))
    bad.write_text(text + f"transfer = [dict(name='det', config={base!r})] * 2\n")
    with pytest.raises(ValueError, match='transfer names must be unique'):
        load_experiment(str(bad))
    bad.write_text(text + f"transfer = [dict(name='det', config={base!r}, seeds=[2, 7])]\n")
    with pytest.raises(ValueError, match=r"transfer 'det': seeds \[7\] are not the spec's"):
        load_experiment(str(bad))
    bad.write_text(text + f"transfer = [dict(name='det', config={base!r}, seeds=[0, 2])]\n")
    assert load_experiment(str(bad), seeds=[2, 3]).transfer[0]['seeds'] == [2]  # --seeds
    bad.write_text(text.replace("{'model.queue_len': 512}", "{'model.backbone.depth': 50}") +
                   f"transfer = [dict(name='det', config={base!r})]\n")
    with pytest.raises(ValueError, match="arm 'method' overrides the backbone"):
        load_experiment(str(bad))


EXPERIMENTS = sorted((REPO_ROOT / 'configs' / 'experiments').glob('*.py'))


@pytest.mark.parametrize('spec', EXPERIMENTS, ids=lambda p: p.name)
def test_shipped_experiments_load(spec):
    """Every spec parses, names existing configs, and has a CPU scale and a full scale."""
    from attn_plugins.evaluation.harness import load_experiment

    exp = load_experiment(str(spec))
    assert exp.baseline in [arm.name for arm in exp.arms] and len(exp.arms) >= 2
    assert len(exp.seeds) >= 3
    if spec.name.endswith('_cpu.py'):
        # the full scale drops '_cpu' and, for a second small dataset of one experiment
        # (<experiment>_<dataset>_cpu.py), the dataset too
        stem = spec.name[:-len('_cpu.py')]
        assert {f'{stem}.py', f'{stem.split("_")[0]}.py'} & {p.name for p in EXPERIMENTS}
        assert all(arm.config.endswith('_cpu.py') for arm in exp.arms)
    else:
        assert (spec.parent / spec.name.replace('.py', '_cpu.py')).is_file()


def test_docstring_examples():
    import doctest

    from attn_plugins.evaluation import harness
    from tests.conftest import run_doctests

    run_doctests(harness, doctest.NORMALIZE_WHITESPACE)


def test_transfer_fine_tunes_each_run_once_from_its_checkpoint(tmp_path, experiment):
    """A spec's transfer trains the downstream config from every covered run's checkpoint
    (from scratch for the random arm), seeded by the run's seed, resumes a killed one, tests
    it, and reports its numbers per arm like any metric; seeds it does not cover get none."""
    det = tmp_path / 'det.py'
    ap50 = {'base': {0: 70.0, 1: 71.0}, 'method': {0: 74.0, 1: 75.5},
            'random': {0: 60.0, 1: 61.0}}
    det.write_text(f'ap50 = {ap50!r}\n'
                   "default_hooks = dict(checkpoint=dict(interval=300, by_epoch=False))\n")
    experiment.write_text(experiment.read_text() + (
        f"transfer = [dict(name='det', config={str(det)!r}, seeds=[0, 1],\n"
        "                 cfg_options=dict(train_cfg=dict(max_iters=5)))]\n"
        f"test_script = {str(FAKES / 'fake_test_tool.py')!r}\n"))
    log, work = tmp_path / 'calls.log', tmp_path / 'work'
    command = ['tools/analysis/harness.py', experiment, '--work-dir', work]
    proc = run_tool(command, env=dict(FAKE_LOG=str(log), FAKE_FAIL='det:1'), check=False)
    assert proc.returncode != 0
    assert 'transfer det base seed 1 failed (exit status 137)' in proc.stderr
    first = calls(log)
    checkpoint = {(arm, seed): str(work / arm / f'seed{seed}' / 'train' / 'epoch_2.pth')
                  for arm in ('base', 'method') for seed in (0, 1)}
    downstream = [(c['script'], c['arm'], c['seed'], c.get('pretrained')) for c in first
                  if c['arm'] == 'det' or c['script'] == 'test']
    assert downstream == [
        ('train', 'det', 0, checkpoint['base', 0]), ('test', 'base', 0, None),
        ('train', 'det', 0, checkpoint['method', 0]), ('test', 'method', 0, None),
        ('train', 'det', 0, None), ('test', 'random', 0, None),
        ('train', 'det', 1, checkpoint['base', 1])]
    first_transfer = next(c for c in first if c['arm'] == 'det')
    # it saves every 50 iterations (the config: every 300), so a killed one loses little
    assert first_transfer['options'] == {'default_hooks.checkpoint.interval': '50',
                                         'train_cfg.max_iters': '5', 'randomness.seed': '0'}
    # The rerun resumes the killed transfer and runs what is left; seed 2 has no transfer.
    run_tool(command, env=dict(FAKE_LOG=str(log)))
    second = calls(log)[len(first):]
    assert (second[0]['arm'], second[0]['seed'], second[0]['resume']) == ('det', 1, True)
    assert not [c for c in second if c['arm'] == 'det' and c['seed'] == 2]
    assert len([c for c in second if c['script'] == 'test']) == 3
    run_tool(command, env=dict(FAKE_LOG=str(log)))
    assert len(calls(log)) == len(first) + len(second)  # all done: nothing runs

    report = json.loads((work / 'results.json').read_text())
    rows = report['metrics']['transfer/det/coco/bbox_mAP_50']
    assert rows['method']['values'] == {'0': 74.0, '1': 75.5}
    assert rows['random']['values'] == {'0': 60.0, '1': 61.0}
    assert rows['method']['diff'] == pytest.approx(np.mean([74.0, 75.5]) - np.mean([70, 71]))
    assert 'transfer/det/coco/bbox_mAP_copypaste' not in report['metrics']  # a string


def test_kept_results_outlive_the_work_dir(tmp_path, experiment):
    """With a results dir every finished run is kept as a small record: with the work dir
    gone (another machine), the same command runs only the runs not kept and reports the
    kept ones too; a run whose config changed since runs again; a re-scaled command
    (--cfg-options) does not use the spec's results dir."""
    log, kept = tmp_path / 'calls.log', tmp_path / 'kept'
    env = dict(FAKE_LOG=str(log))

    def harness(work, *extra):
        return run_tool(['tools/analysis/harness.py', experiment, '--work-dir', tmp_path / work,
                         '--results-dir', kept, *extra], env=env)

    harness('work1', '--seeds', '0', '1')
    records = sorted(p.relative_to(kept).as_posix() for p in kept.glob('runs/*/*.json'))
    assert records == [f'runs/{arm}/seed{s}.json' for arm in ('base', 'method', 'random')
                       for s in (0, 1)]
    record = json.loads((kept / 'runs' / 'method' / 'seed1.json').read_text())
    assert record['metrics']['linear/top1'] == VALUES['method']['linear'][1]
    assert record['metrics']['wall/train_min'] == 20.0  # read from the logs before they go
    assert record['key']['cfg_options'] == {'train_cfg.max_epochs': 3, 'model.queue_len': 512,
                                            'randomness.seed': 1}
    assert (json.loads((kept / 'results.json').read_text())['metrics']
            == json.loads((tmp_path / 'work1' / 'results.json').read_text())['metrics'])

    # Another machine: no work1. Only seed 2 runs; the report counts all three seeds.
    before = len(calls(log))
    proc = harness('work2')
    assert [(c['script'], c['arm'], c['seed']) for c in calls(log)[before:]] == [
        ('train', 'base', 2), ('eval', 'base', 2), ('train', 'method', 2),
        ('eval', 'method', 2), ('eval', 'rand', 2)]
    assert f'base seed 0: kept in {kept / "runs" / "base" / "seed0.json"}' in proc.stdout
    report = json.loads((tmp_path / 'work2' / 'results.json').read_text())
    linear = report['metrics']['linear/top1']['method']
    assert linear['values'] == {'0': 64.0, '1': 63.5, '2': 65.5}
    assert linear['p'] == pytest.approx(stats.ttest_ind(
        list(VALUES['method']['linear'].values()), list(VALUES['base']['linear'].values()),
        equal_var=False).pvalue)
    assert report['metrics']['wall/train_min']['base']['values'] == {
        '0': 20.0, '1': 20.0, '2': 20.0}
    mce = report['metrics']['corruption/mce']['method']['values']  # kept corruption cells
    assert mce == pytest.approx({'0': 40 / 49, '1': 40 / 49, '2': 40 / 49})

    # The method's config changed: its three runs go again, the others stay kept.
    method = tmp_path / 'method.py'
    method.write_text(method.read_text() + 'epochs = 5\n')
    before = len(calls(log))
    proc = harness('work3')
    assert [(c['script'], c['arm'], c['seed']) for c in calls(log)[before:]] == [
        (script, 'method', s) for s in (0, 1, 2) for script in ('train', 'eval')]
    assert 'was made with other settings (config_digests differ)' in proc.stdout
    proc = run_tool(['tools/analysis/harness.py', experiment, '--results-dir', kept,
                     '--dry-run'], env=env)
    assert proc.stdout.count('[kept in ') == 9

    # The spec's own results dir: used by the plain command, not by a re-scaled one.
    experiment.write_text(experiment.read_text() + f'results_dir = {str(kept)!r}\n')
    dry = ['tools/analysis/harness.py', experiment, '--dry-run']
    assert run_tool(dry, env=env).stdout.count('[kept in ') == 9
    rescaled = run_tool(dry + ['--cfg-options', 'train_cfg.max_epochs=3'], env=env)
    assert rescaled.stdout.count('[kept in ') == 0


def test_a_run_another_experiment_kept_is_copied_not_run_again(tmp_path, experiment):
    """A new experiment that adds an arm to runs another one kept (results dirs side by side,
    another machine): the runs with the same key are copied from the other's records, with
    ``copied_from``, and count in its report; only its new arm runs; a record whose key
    differs (other settings) is not taken for the run."""
    log, results = tmp_path / 'calls.log', tmp_path / 'results'
    env = dict(FAKE_LOG=str(log))
    run_tool(['tools/analysis/harness.py', experiment, '--seeds', '0', '1', '--work-dir',
              tmp_path / 'work1', '--results-dir', results / 'first'], env=env)
    second = tmp_path / 'second_experiment.py'
    second.write_text(experiment.read_text().replace("name = 'fake'", "name = 'second'").replace(
        "    dict(name='random'",
        "    dict(name='control', config={!r}, cfg_options={{'model.queue_len': 64}}),\n"
        "    dict(name='random'".format(str(tmp_path / 'method.py'))))
    # the method's seed-1 record made with other settings: not this run's
    record = results / 'first' / 'runs' / 'method' / 'seed1.json'
    changed = json.loads(record.read_text())
    changed['key']['cfg_options']['model.queue_len'] = 1024
    record.write_text(json.dumps(changed))

    command = ['tools/analysis/harness.py', second, '--seeds', '0', '1', '--work-dir',
               tmp_path / 'work2', '--results-dir', results / 'second']
    dry = run_tool(command + ['--dry-run'], env=env).stdout
    assert f'[kept in {results / "first" / "runs" / "base" / "seed0.json"}, to copy]' in dry
    assert not (results / 'second').exists()  # a dry run copies nothing
    before = len(calls(log))
    proc = run_tool(command, env=env)
    # (the stand-in scripts name a run by its config: the control's is the method's)
    ran = [(c['script'], c['seed'], c.get('options', {}).get('model.queue_len'))
           for c in calls(log)[before:]]
    assert ran == [('train', 0, '64'), ('eval', 0, None), ('train', 1, '512'),
                   ('eval', 1, None), ('train', 1, '64'), ('eval', 1, None)]
    assert (f'base seed 1: kept in {results / "second" / "runs" / "base" / "seed1.json"} '
            f'(copied from {results / "first" / "runs" / "base" / "seed1.json"})') in proc.stdout
    copied = json.loads((results / 'second' / 'runs' / 'method' / 'seed0.json').read_text())
    original = json.loads((results / 'first' / 'runs' / 'method' / 'seed0.json').read_text())
    assert copied == dict(original, copied_from=str(results / 'first' / 'runs' / 'method' /
                                                    'seed0.json'))
    assert 'copied_from' not in json.loads(
        (results / 'second' / 'runs' / 'method' / 'seed1.json').read_text())  # ran here
    linear = json.loads((results / 'second' / 'results.json').read_text())['metrics'][
        'linear/top1']
    assert linear['base']['values'] == {'0': 60.0, '1': 62.0}
    assert linear['method']['values'] == {'0': 64.0, '1': 63.5}
    assert set(linear) == {'base', 'method', 'control', 'random'}


@pytest.mark.parametrize('hooks, expected', [
    ("dict(checkpoint=dict(interval=300, by_epoch=False))", 50),  # iterations, rarely
    ("dict(checkpoint=dict(interval=-1, by_epoch=False))", 50),  # only at the end
    ("dict(checkpoint=dict(interval=20, by_epoch=False))", None),  # often enough already
    ("dict(checkpoint=dict(interval=5))", None),  # epochs: by_epoch defaults to True
    ("dict(logger=dict(interval=10))", None),  # no CheckpointHook
])
def test_an_iteration_based_transfer_saves_every_50_iterations(tmp_path, hooks, expected):
    from attn_plugins.evaluation.harness import Harness

    config = tmp_path / 'downstream.py'
    config.write_text(f'default_hooks = {hooks}\n')
    options = Harness.checkpoint_options(str(config))
    assert options == ({} if expected is None else
                       {'default_hooks.checkpoint.interval': expected})


def test_dry_run_counts_the_trainings_left_each_shared_one_once(tmp_path, experiment):
    """--dry-run over experiments that share a pool ends with the trainings they need: the
    shared baseline counted once, a killed one with a checkpoint as part-trained."""
    log, pool = tmp_path / 'calls.log', tmp_path / 'pool'
    other = tmp_path / 'other_experiment.py'
    other.write_text(experiment.read_text().replace("name = 'fake'", "name = 'other'").replace(
        "dict(name='method'", "dict(name='other-method'").replace(
        "{'model.queue_len': 512}", "{'model.queue_len': 256}"))
    command = ['tools/analysis/harness.py', experiment, other, '--seeds', '0', '--train-pool',
               pool, '--work-dir', tmp_path / 'work']

    def dry_run():
        return run_tool(command + ['--dry-run'], env=dict(FAKE_LOG=str(log))).stdout

    def summary(done, part, left):
        return (f'[harness] trainings: 3 ({done} done or kept, {part} part-trained, {left} to '
                'train; a training the experiments share counted once)')

    # base (in both), method, other-method
    assert dry_run().strip().splitlines()[-1] == summary(0, 0, 3)
    # the method's training dies after its first checkpoint (both methods' config is method.py:
    # the first to train dies)
    proc = run_tool(command, env=dict(FAKE_LOG=str(log), FAKE_FAIL='method:0'), check=False)
    assert proc.returncode != 0
    out = dry_run()
    assert out.strip().splitlines()[-1] == summary(1, 1, 1)
    assert out.count('[part-trained to epoch_1.pth, to evaluate]') == 1  # how far it got
    run_tool(command, env=dict(FAKE_LOG=str(log)))
    assert dry_run().strip().splitlines()[-1] == summary(3, 0, 0)


def test_experiments_sharing_trainings_run_together(tmp_path, experiment):
    """Several specs in one command: one experiment after another, each seed's arms trained
    once and evaluated by every spec that has them before the next training;
    --arms keeps the named arms (and each baseline) of the specs that have them; each
    experiment has its folder in --work-dir, and its report's command is its spec's own; a
    prerequisite both specs name runs once."""
    log, pool = tmp_path / 'calls.log', tmp_path / 'pool'
    experiment.write_text(experiment.read_text() + (
        f"prerequisites = [dict(name='touch', command=[{str(FAKES / 'fake_eval.py')!r}, "
        "'--prerequisite'])]\n"))
    other = tmp_path / 'other_experiment.py'
    other.write_text(experiment.read_text().replace("name = 'fake'", "name = 'other'").replace(
        "dict(name='method'", "dict(name='other-method'").replace(
        "{'model.queue_len': 512}", "{'model.queue_len': 256}"))
    env = dict(FAKE_LOG=str(log))
    work = tmp_path / 'work'
    proc = run_tool(['tools/analysis/harness.py', experiment, other, '--seeds', '0', '1',
                     '--train-pool', pool, '--arms', 'method', 'other-method', 'random',
                     '--work-dir', work],
                    env=env, check=False)
    assert proc.returncode == 0, proc.stderr
    assert calls(log)[0] == dict(script='prerequisite')
    assert [c['script'] for c in calls(log)].count('prerequisite') == 1
    order = [(c['script'], c['arm'], c['seed'], c.get('options', {}).get('model.queue_len'))
             for c in calls(log)[1:]]
    # the first experiment's seeds first; base and random are evaluated once, for both
    for seed in (0, 1):
        assert order[5 * seed:5 * seed + 5] == [
            ('train', 'base', seed, None), ('eval', 'base', seed, None),
            ('train', 'method', seed, '512'), ('eval', 'method', seed, None),
            ('eval', 'rand', seed, None)]
    assert order[10:] == [('train', 'method', 0, '256'), ('eval', 'method', 0, None),
                          ('train', 'method', 1, '256'), ('eval', 'method', 1, None)]
    for name, spec in (('fake', experiment), ('other', other)):
        report = json.loads((work / name / 'results.json').read_text())
        assert report['command'] == (f'python tools/analysis/harness.py {spec} --seeds 0 1 '
                                     f'--train-pool {pool} --arms method other-method random '
                                     f'--work-dir {work}')
        assert sorted(report['metrics']['linear/top1']) == (
            ['base', 'method', 'random'] if name == 'fake' else
            ['base', 'other-method', 'random'])
    proc = run_tool(['tools/analysis/harness.py', experiment, other, '--arms', 'nothing'],
                    env=env, check=False)
    assert proc.returncode != 0 and "no experiment has an arm named ['nothing']" in proc.stderr


def test_channels_last_trains_every_arm_so_and_is_noted_but_not_keyed(tmp_path, experiment):
    """--channels-last passes the flag to every training (not to evaluations); each kept record
    of a trained arm notes the layout its training's logs show ('mixed', with which attempt
    trained what, for a training killed in one layout and resumed in the other); runs kept
    without it do not run again: the layout changes float32 rounding, not what a run
    computes."""
    log, kept, work = tmp_path / 'calls.log', tmp_path / 'kept', tmp_path / 'work'

    def harness(*extra, fail=''):
        return run_tool(['tools/analysis/harness.py', experiment, '--work-dir', work,
                         '--results-dir', kept, *extra],
                        env=dict(FAKE_LOG=str(log), FAKE_FAIL=fail), check=not fail)

    assert harness('--seeds', '0', '1', fail='method:1').returncode != 0  # killed mid-training
    harness('--channels-last')  # continues: method seed 1 resumes, seed 2 runs
    trainings = [(c['arm'], c['seed'], c['resume'], c['channels_last'])
                 for c in calls(log) if c['script'] == 'train']
    assert trainings == [('base', 0, False, False), ('method', 0, False, False),
                         ('base', 1, False, False), ('method', 1, False, False),
                         ('method', 1, True, True), ('base', 2, False, True),
                         ('method', 2, False, True)]
    records = {(arm, s): json.loads((kept / 'runs' / arm / f'seed{s}.json').read_text())
               for arm in ('base', 'method') for s in (0, 1, 2)}
    assert [records['base', s]['channels_last'] for s in (0, 1, 2)] == [False, False, True]
    assert [records['method', s]['channels_last'] for s in (0, 1, 2)] == [False, 'mixed', True]
    logs = sorted(p.name for p in (work / 'method' / 'seed1' / 'train').iterdir() if p.is_dir())
    assert records['method', 1]['training_attempts'] == [
        dict(log=logs[0], channels_last=False, trained='[1][1/1] to [1][1/1]'),
        dict(log=logs[1], channels_last=True, trained='[1][1/1] to [1][1/1]')]
    assert not any('training_attempts' in r for k, r in records.items() if k != ('method', 1))
    assert 'channels_last' not in json.loads(
        (kept / 'runs' / 'random' / 'seed1.json').read_text())
