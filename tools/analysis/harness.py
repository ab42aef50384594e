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

    # experiments that share trainings, together, one after another: each training is
    # evaluated by every experiment that has its arm before the next training starts
    python tools/analysis/harness.py configs/experiments/mocov2-vs-teacher-attn_cpu.py \\
        configs/experiments/cast-teacher-attn-vs-parts_cpu.py \\
        configs/experiments/cast-vs-crop-vs-mocov2_cpu.py

    # what would run, without running it, and how many trainings are left; the table of
    # what is done so far
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
    parser.add_argument('experiments', nargs='+', metavar='EXPERIMENT',
                        help='experiment spec (configs/experiments/*.py); several that share '
                        'trainings run together, one training at a time, in the order given')
    parser.add_argument('--work-dir', help='default: work_dirs/experiments/<name>; with '
                        'several experiments, the folder of their <name> folders')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='overrides for every arm (re-scaling), after the spec\'s own')
    parser.add_argument('--seeds', nargs='+', type=int, help='replace the spec\'s seeds')
    parser.add_argument('--arms', nargs='+', help='run only these arms (and the baseline) of '
                        'each experiment that has one of them')
    parser.add_argument('--cache-dir', help='ssl_eval feature cache (default: '
                        '<work-dir>/cache)')
    parser.add_argument('--train-pool', help='folder of trainings shared between experiments '
                        '(default: the spec\'s train_pool, else each run folder)')
    parser.add_argument('--results-dir', help='folder where finished runs and the report are '
                        'kept (default: the spec\'s results_dir, unless --cfg-options or '
                        '--work-dir re-scale the experiment)')
    parser.add_argument('--channels-last', action='store_true',
                        help='train every arm in the channels-last memory layout (tools/train.py '
                        '--channels-last: the same float32 maths, faster for ResNets); not '
                        'part of a run\'s key, noted in its record')
    parser.add_argument('--dry-run', action='store_true',
                        help='list the runs and what is done, run nothing')
    parser.add_argument('--report-only', action='store_true',
                        help='write the tables and plot from what is done, run nothing')
    return parser.parse_args(argv)


def load(args, path):
    """The experiment ``path`` with the command line's overrides, or None when ``--arms``
    names none of its arms."""
    from attn_plugins.evaluation.harness import load_experiment

    arms = args.arms
    if arms and len(args.experiments) > 1:
        names = [arm.name for arm in load_experiment(path).arms]
        arms = [name for name in arms if name in names]
        if not arms:
            return None
    exp = load_experiment(path, args.cfg_options, args.seeds, arms)
    # The spec's results dir holds the spec's own runs: a re-scaled run must not replace them.
    if args.results_dir is None and (args.cfg_options or args.work_dir):
        exp.results_dir = None
    return exp


def dry_run(harness, trainings):
    """Print each run of the experiment and what of it is done.

    Args:
        harness (Harness): The experiment's harness.
        trainings (dict): ``{training folder: state}``, updated with each run's training:
            ``'done'`` (kept, or trained), ``'part-trained'`` (a checkpoint to resume) or
            ``'to train'``; one folder for the runs that share a training. A part-trained run's
            line names the checkpoint it resumes from (e.g. ``epoch_37.pth``).
    """
    exp = harness.exp
    print(f'[harness] {exp.name}')
    for seed in exp.seeds:
        for arm in exp.arms:
            kept = harness.kept_record(arm, seed)
            folder = harness.training_dirs(arm, seed)[0]
            if arm.checkpoint == 'random':
                state = None
            elif kept is not None or harness.is_trained(arm, seed):
                state = 'done'
            elif osp.isfile(osp.join(folder, 'last_checkpoint')):
                state = 'part-trained'
            else:
                state = 'to train'
            # a training one experiment still needs is not done for all of them
            if state is not None and trainings.get(folder) in (None, 'done'):
                trainings[folder] = state
            if kept is not None:
                record = kept[0]
                if record != harness.record_path(arm, seed):
                    record = f'{record}, to copy'
                print(f'{arm.name:>24} seed {seed}: {arm.config} [kept in {record}]')
                continue
            evaluated = osp.isfile(osp.join(harness.run_dir(arm, seed), 'eval_done.json'))
            transfers = [f'{item["name"]} ' + ('transferred' if osp.isfile(osp.join(
                harness.transfer_dir(arm, seed, item['name']), 'metrics.json'))
                else 'to transfer') for item in exp.transfer if seed in item['seeds']]
            if state == 'part-trained':  # how far: the checkpoint it resumes from
                with open(osp.join(folder, 'last_checkpoint')) as f:
                    state += f' to {osp.basename(f.read().strip())}'
            print(f'{arm.name:>24} seed {seed}: {arm.config} '
                  f'[{"trained" if state in (None, "done") else state}, '
                  f'{", ".join(["evaluated" if evaluated else "to evaluate", *transfers])}]')


def main(argv=None):
    args = parse_args(argv)
    from attn_plugins.evaluation.harness import Harness, run_together

    try:
        experiments = [(path, load(args, path)) for path in args.experiments]
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f'[harness] {error}')
    experiments = [(path, exp) for path, exp in experiments if exp is not None]
    if not experiments:
        raise SystemExit(f'[harness] --arms: no experiment has an arm named {args.arms}')
    # The command that regenerates each experiment's runs, kept in its results.json: the
    # same options with that spec alone (running it together with others changes nothing).
    given = [str(a) for a in (sys.argv[1:] if argv is None else argv)]
    options = [a for a in given if a not in args.experiments and a != '--report-only']

    def work_dir(exp):
        if args.work_dir is None:
            return osp.join('work_dirs', 'experiments', exp.name)
        return args.work_dir if len(experiments) == 1 else osp.join(args.work_dir, exp.name)

    harnesses = [Harness(exp, work_dir(exp),
                         cache_dir=args.cache_dir, train_pool=args.train_pool,
                         results_dir=args.results_dir, channels_last=args.channels_last,
                         command=' '.join(['python', 'tools/analysis/harness.py',
                                           *map(shlex.quote, [path, *options])]))
                 for path, exp in experiments]
    if args.dry_run:
        trainings = {}
        for harness in harnesses:
            dry_run(harness, trainings)
        states = list(trainings.values())
        print(f'[harness] trainings: {len(states)} ({states.count("done")} done or kept, '
              f'{states.count("part-trained")} part-trained, {states.count("to train")} to '
              'train; a training the experiments share counted once)')
        return
    try:
        if args.report_only:
            for harness in harnesses:
                harness.report()
        elif len(harnesses) == 1:
            harnesses[0].run()
        else:
            run_together(harnesses)
    except RuntimeError as error:
        raise SystemExit(str(error))
    for harness in harnesses:
        print(f'[harness] {osp.join(harness.work_dir, "results.md")} (and .json, .png)')


if __name__ == '__main__':
    main()
