"""Run a named method-vs-baseline experiment over seeds and compare the arms.

EXPERIMENT is a spec under configs/experiments/ (arms = config + overrides, the baseline arm,
seeds, evaluation tasks, headline metrics; see attn_plugins/evaluation/harness.py). For every
(arm, seed): tools/train.py CONFIG --cfg-options randomness.seed=S (skipped when done; a run
killed mid-training resumes from its last checkpoint), then tools/analysis/ssl_eval.py on the
checkpoint (and tools/test.py when the spec asks for the config's own test set). Then
<work-dir>/results.md / .json: per arm mean +- std over seeds and the per-seed values of each
metric, and each arm's difference to the baseline arm with a 95% interval (Welch) and the
Welch t-test p-value; results.png: each metric per arm with the seeds as dots.

Rerunning the same command skips every finished training and evaluation, so it is also how
an interrupted experiment resumes. A run folder remembers its settings: changing the scale
(--cfg-options) needs another --work-dir.

A spec with a results_dir (a folder in the repository) keeps every finished run there as a
small JSON file, and the report beside them: commit the folder, and the same command on
another machine (or after work_dirs/ is gone) runs only the runs not kept yet. A re-scaled
command (--cfg-options or --work-dir) keeps nothing unless --results-dir is given.

Examples:
    # the whole experiment at CPU scale
    python tools/analysis/harness.py configs/experiments/cast-vs-crop-vs-mocov2_cpu.py

    # re-scaled: 60 epochs, 5 seeds, into its own folder
    python tools/analysis/harness.py configs/experiments/mocov2-vs-random_cpu.py \\
        --seeds 0 1 2 3 4 --cfg-options train_cfg.max_epochs=60 \\
        param_scheduler.0.T_max=60 param_scheduler.0.end=60 \\
        --work-dir work_dirs/experiments/mocov2-vs-random_60e

    # what would run, without running it; the table of what is done so far
    python tools/analysis/harness.py EXPERIMENT --dry-run
    python tools/analysis/harness.py EXPERIMENT --report-only
"""
import argparse
import os.path as osp
import shlex
import sys


def parse_args(argv=None):
    from mmengine.config import DictAction

    parser = argparse.ArgumentParser(
        description='Seeded method-vs-baseline experiment: train, evaluate, compare.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('experiment', help='experiment spec (configs/experiments/*.py)')
    parser.add_argument('--work-dir', help='default: work_dirs/experiments/<name>')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='overrides for every arm (re-scaling), after the spec\'s own')
    parser.add_argument('--seeds', nargs='+', type=int, help='replace the spec\'s seeds')
    parser.add_argument('--arms', nargs='+', help='run only these arms (and the baseline)')
    parser.add_argument('--cache-dir', help='ssl_eval feature cache (default: '
                        '<work-dir>/cache)')
    parser.add_argument('--train-pool', help='folder of trainings shared between experiments '
                        '(default: the spec\'s train_pool, else each run folder)')
    parser.add_argument('--results-dir', help='folder where finished runs and the report are '
                        'kept (default: the spec\'s results_dir, unless --cfg-options or '
                        '--work-dir re-scale the experiment)')
    parser.add_argument('--dry-run', action='store_true',
                        help='list the runs and what is done, run nothing')
    parser.add_argument('--report-only', action='store_true',
                        help='write the tables and plot from what is done, run nothing')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from attn_plugins.evaluation.harness import Harness, load_experiment

    try:
        exp = load_experiment(args.experiment, args.cfg_options, args.seeds, args.arms)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f'[harness] {error}')
    work_dir = args.work_dir or osp.join('work_dirs', 'experiments', exp.name)
    # The command that produced the runs, kept in results.json (without --report-only).
    given = [str(a) for a in (sys.argv[1:] if argv is None else argv)]
    command = ' '.join(['python', 'tools/analysis/harness.py',
                        *map(shlex.quote, [a for a in given if a != '--report-only'])])
    # The spec's results dir holds the spec's own runs: a re-scaled run must not replace them.
    if args.results_dir is None and (args.cfg_options or args.work_dir):
        exp.results_dir = None
    harness = Harness(exp, work_dir, cache_dir=args.cache_dir, train_pool=args.train_pool,
                      command=command, results_dir=args.results_dir)
    if args.dry_run:
        for seed in exp.seeds:
            for arm in exp.arms:
                if harness.kept(arm, seed) is not None:
                    print(f'{arm.name:>24} seed {seed}: {arm.config} '
                          f'[kept in {harness.record_path(arm, seed)}]')
                    continue
                trained = harness.is_trained(arm, seed)
                evaluated = osp.isfile(osp.join(harness.run_dir(arm, seed), 'eval_done.json'))
                transfers = [f'{item["name"]} ' + ('transferred' if osp.isfile(osp.join(
                    harness.transfer_dir(arm, seed, item['name']), 'metrics.json'))
                    else 'to transfer') for item in exp.transfer if seed in item['seeds']]
                print(f'{arm.name:>24} seed {seed}: {arm.config} '
                      f'[{"trained" if trained else "to train"}, '
                      f'{", ".join(["evaluated" if evaluated else "to evaluate", *transfers])}]')
        return
    try:
        if args.report_only:
            harness.report()
        else:
            harness.run()
    except RuntimeError as error:
        raise SystemExit(str(error))
    print(f'[harness] {osp.join(work_dir, "results.md")} (and .json, .png)')


if __name__ == '__main__':
    main()
