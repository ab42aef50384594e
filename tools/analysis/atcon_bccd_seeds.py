"""ATCON on BCCD 8-shot over several seeds: supervised baseline vs ATCON, on the test split.

Arms, each trained once per seed (``randomness.seed``; the few-shot subset is fixed by the
sampler's ``subset_seed`` and is the same 16 images for every seed):

- ``supervised``: step 1, BCE on the few-shot subset
  (``configs/atcon/supervised_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py``);
- ``consistency``: step 2, consistency-only fine-tuning of that seed's best ``supervised``
  checkpoint on all train images, ATCON's mask (``w = 8`` on the raw Guided-Backprop map)
  (``configs/atcon/atcon-consistency_resnet18_1xb8-adam-10e_bccd_cpu.py``);
- ``consistency_scalefree``: the same with the scale-free mask
  (``model.mask_standardize=True``);
- ``combined``: BCE on labelled batches + alpha x consistency on unlabelled batches, from
  scratch with the baseline's lr and length
  (``configs/atcon/atcon-combined_resnet18_1xb8-adam-200i_bccd-8shot_cpu.py``).

Every run keeps the checkpoint of its best validation mAP (``save_best``); that checkpoint
is scored on BCCD test with the consistency config's test settings, once with ATCON's mask
and once with the scale-free mask (``test`` / ``test_scalefree``: F1, mAP, attention
consistency, localisation, collapse guards, the all-"present" F1 and the label prior; F1 and
mAP are the same in both, the attention numbers differ). Trainings and tests run in this
process (through ``tools/train.py`` and ``tools/test.py``), one after the other, each arm
and seed under ``--lock`` if given (the wall times exclude waiting for it). The script is
resumable: an arm and seed whose result file exists is skipped, and a run whose training
finished is only tested. Small results go to ``--out-dir`` (one JSON per arm and seed,
``summary.json``, ``summary.md``: mean +- std over the seeds); logs and checkpoints to
``--work-dir`` (under ``work_dirs/``, git-ignored). Run it from the repository root (the
configs' data root is relative to it).

Examples:
    # everything, one heavy job at a time on a shared machine
    python tools/analysis/atcon_bccd_seeds.py --lock /tmp/attn_heavy.lock --nice 5 --threads 1

    # only the baseline and step 2, seeds 0 and 1; then only rewrite the summary
    python tools/analysis/atcon_bccd_seeds.py --arms supervised consistency --seeds 0 1
    python tools/analysis/atcon_bccd_seeds.py --summary-only
"""
import argparse
import fcntl
import gc
import glob
import importlib.util
import json
import os
import os.path as osp
import sys
import time
from contextlib import contextmanager
from typing import Callable, Dict, Iterator, List, Optional

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
SUPERVISED = 'configs/atcon/supervised_resnet18_1xb8-adam-100e_bccd-8shot_cpu.py'
CONSISTENCY = 'configs/atcon/atcon-consistency_resnet18_1xb8-adam-10e_bccd_cpu.py'
COMBINED = 'configs/atcon/atcon-combined_resnet18_1xb8-adam-200i_bccd-8shot_cpu.py'
SCALE_FREE = ['model.mask_standardize=True']
# arm -> its config, extra options, and the arm whose best checkpoint it starts from.
ARMS = {
    'supervised': dict(config=SUPERVISED, options=[], init=None),
    'consistency': dict(config=CONSISTENCY, options=[], init='supervised'),
    'combined': dict(config=COMBINED, options=[], init=None),
    'consistency_scalefree': dict(config=CONSISTENCY, options=SCALE_FREE, init='supervised'),
}
# test name -> options of the evaluation (the consistency config's test settings).
TESTS = {'test': [], 'test_scalefree': SCALE_FREE}
# (test, result key, column title, format) of the summary table, in order.
COLUMNS = (
    ('test', 'multi-label/f1-score', 'mean F1 @0.5', '{:.1f}'),
    ('test', 'multi-label/mAP', 'mAP', '{:.1f}'),
    ('test', 'attention/consistency', 'consistency (w=8 mask)', '{:.3f}'),
    ('test_scalefree', 'attention/consistency', 'consistency (scale-free mask)', '{:.3f}'),
    ('test', 'collapse/cam_cross_corr', 'cross-image CAM corr', '{:.3f}'),
    ('test', 'collapse/positive_rate', 'positive rate %', '{:.1f}'),
)
# Keys summarised besides the columns (in summary.json).
EXTRA = (('test', 'collapse/mask_binariness'), ('test_scalefree', 'collapse/mask_binariness'),
         ('test', 'attention/loc_iou'), ('test', 'collapse/all_present_f1'),
         ('test', 'collapse/label_prior'))
TITLES = {'supervised': 'supervised, 8 shots (step 1)',
          'consistency': '+ ATCON consistency (step 2)',
          'consistency_scalefree': '+ ATCON consistency, scale-free mask',
          'combined': 'ATCON combined (from scratch)'}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='ATCON vs the supervised baseline on BCCD 8-shot, over seeds.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--arms', nargs='+', choices=list(ARMS), default=list(ARMS),
                        help='arms to run, in the order of the default (the consistency arms '
                        'need supervised of the same seed)')
    parser.add_argument('--out-dir', default='results/atcon_bccd_8shot',
                        help='small result files (default: %(default)s)')
    parser.add_argument('--work-dir', default='work_dirs/atcon_bccd_8shot',
                        help='logs and checkpoints (default: %(default)s)')
    parser.add_argument('--lock', help='hold this file lock (flock) while training and testing '
                        'each arm and seed, e.g. /tmp/attn_heavy.lock on a shared machine')
    parser.add_argument('--nice', type=int, default=0, help='raise the niceness by this much')
    parser.add_argument('--threads', type=int, help='torch threads (default: torch\'s own); 1 '
                        'keeps a shared CPU from stalling the threads of one run on each other')
    parser.add_argument('--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
                        help='passed to every training (e.g. a shorter schedule for a try)')
    parser.add_argument('--summary-only', action='store_true',
                        help='only rewrite summary.json / summary.md from the result files')
    return parser.parse_args(argv)


@contextmanager
def held(lock_path: Optional[str]) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``lock_path`` (no lock when None)."""
    if lock_path is None:
        yield
        return
    with open(lock_path, 'a') as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def tool(name: str) -> Callable:
    """``main(argv)`` of ``tools/<name>.py``, imported once (one set of imports for all)."""
    module_name = f'_atcon_seeds_{name}'
    if module_name not in sys.modules:
        spec = importlib.util.spec_from_file_location(module_name,
                                                      osp.join(REPO, 'tools', f'{name}.py'))
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    return sys.modules[module_name].main


def timed(function: Callable, argv: List[str]):
    """``function(argv)``; its result and wall time (s)."""
    start = time.time()
    result = function(argv)
    wall = time.time() - start
    gc.collect()  # drop the finished runner (its loaders' worker processes) before the next
    return result, wall


def best_checkpoint(work_dir: str) -> str:
    """The ``save_best`` checkpoint of a finished run."""
    found = sorted(glob.glob(osp.join(work_dir, 'best_multi-label_mAP_*.pth')))
    if len(found) != 1:
        raise FileNotFoundError(f'expected one best_multi-label_mAP_*.pth in {work_dir}, found '
                                f'{found}; did the run validate (val_interval) and save_best?')
    return found[0]


def validation_records(work_dir: str) -> List[dict]:
    """The validation records (those with an mAP) of the run's latest log, in order."""
    files = sorted(glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(f'no */vis_data/scalars.json under {work_dir}')
    with open(files[-1]) as f:
        records = [json.loads(line) for line in f]
    return [r for r in records if 'multi-label/mAP' in r]


def run_arm(arm: str, seed: int, args) -> dict:
    """Train (unless done) and test one arm and seed under the lock; its result record."""
    with held(args.lock):
        return _run_arm(arm, seed, args)


def _run_arm(arm: str, seed: int, args) -> dict:
    spec = ARMS[arm]
    work_dir = osp.join(args.work_dir, f'{arm}_seed{seed}')
    os.makedirs(work_dir, exist_ok=True)
    options = [f'randomness.seed={seed}', *spec['options'], *args.cfg_options]
    if spec['init'] is not None:
        options.append('load_from=' + best_checkpoint(
            osp.join(args.work_dir, f"{spec['init']}_seed{seed}")))
    done = osp.join(work_dir, 'train_wall_s.txt')
    if not osp.exists(done):
        for stale in glob.glob(osp.join(work_dir, 'best_*.pth')):
            os.remove(stale)  # left by an interrupted run; save_best would add a second one
        _, wall = timed(tool('train'), [
            spec['config'], '--work-dir', work_dir, '--cfg-options', *options,
            f'experiment_name={arm}_seed{seed}'])
        with open(done, 'w') as f:
            f.write(f'{wall:.1f}\n')
    with open(done) as f:
        train_wall = float(f.read())
    checkpoint = best_checkpoint(work_dir)
    record = dict(arm=arm, seed=seed, config=spec['config'], cfg_options=options,
                  checkpoint=checkpoint, train_wall_s=round(train_wall, 1))
    val = validation_records(work_dir)
    record['val_best'] = max(val, key=lambda r: r['multi-label/mAP'])
    record['val_all'] = val
    for name, test_options in TESTS.items():
        metrics_file = osp.join(work_dir, f'{name}_metrics.json')
        _, wall = timed(tool('test'), [
            CONSISTENCY, checkpoint, '--work-dir', osp.join(work_dir, name), '--out',
            metrics_file, '--out-item', 'metrics', '--cfg-options', *test_options,
            f'experiment_name={arm}_seed{seed}_{name}'])
        with open(metrics_file) as f:
            record[name] = json.load(f)
        record[f'{name}_wall_s'] = round(wall, 1)
    return record


def summarize(records: List[dict]) -> Dict[str, dict]:
    """Mean and sample std over seeds of each reported test metric, per arm.

    Args:
        records (list[dict]): Result records (``arm``, ``seed``, ``train_wall_s`` and one
            dict of metrics per test, e.g. ``test``).

    Returns:
        dict: ``{arm: {'seeds': [...], 'train_wall_s': total, '<test>/<metric>': {'mean',
        'std', 'values'}}}``; std is the sample std (``ddof=1``), 0 for a single seed.
    """
    summary = {}
    for arm in ARMS:
        runs = sorted((r for r in records if r['arm'] == arm), key=lambda r: r['seed'])
        if not runs:
            continue
        entry = dict(seeds=[r['seed'] for r in runs],
                     train_wall_s=round(sum(r['train_wall_s'] for r in runs), 1))
        for test, key in [c[:2] for c in COLUMNS] + list(EXTRA):
            values = [r[test][key] for r in runs if key in r.get(test, {})]
            if values:
                entry[f'{test}/{key}'] = dict(
                    mean=float(np.mean(values)),
                    std=float(np.std(values, ddof=1)) if len(values) > 1 else 0.0,
                    values=values)
        summary[arm] = entry
    return summary


def markdown(summary: Dict[str, dict]) -> str:
    """The summary as a Markdown table (mean +- std over seeds) and the split's baselines."""
    lines = ['| BCCD test (72 images) | seeds | ' + ' | '.join(c[2] for c in COLUMNS) + ' |',
             '|' + '---|' * (len(COLUMNS) + 2)]
    for arm, entry in summary.items():
        cells = []
        for test, key, _, fmt in COLUMNS:
            stats = entry.get(f'{test}/{key}')
            cells.append('-' if stats is None else
                         f'{fmt.format(stats["mean"])} +- {fmt.format(stats["std"])}')
        lines.append(f'| {TITLES[arm]} | {len(entry["seeds"])} | ' + ' | '.join(cells) + ' |')
    baselines = []
    for key, title, unit in (('test/collapse/all_present_f1', 'all-"present" mean F1', ''),
                             ('test/collapse/label_prior', 'mean label prior', '%')):
        values = sorted({round(e[key]['mean'], 2) for e in summary.values() if key in e})
        if values:
            baselines.append(f'{title} {", ".join(f"{v:.1f}{unit}" for v in values)}')
    if baselines:
        lines.append('')
        lines.append('Labels alone on this split: ' + '; '.join(baselines) + '.')
    return '\n'.join(lines) + '\n'


def write_summary(out_dir: str) -> Dict[str, dict]:
    """Read every ``<arm>_seed<k>.json`` of ``out_dir``; write summary.json / summary.md."""
    records = []
    for path in sorted(glob.glob(osp.join(out_dir, '*_seed*.json'))):
        with open(path) as f:
            records.append(json.load(f))
    summary = summarize(records)
    with open(osp.join(out_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    with open(osp.join(out_dir, 'summary.md'), 'w') as f:
        f.write(markdown(summary))
    return summary


def main(argv=None):
    args = parse_args(argv)
    if osp.realpath(os.getcwd()) != osp.realpath(REPO):
        raise SystemExit(f'run this from the repository root ({REPO}): the configs read their '
                         f'data relative to it')
    if args.nice:
        os.nice(args.nice)
    if args.threads:
        import torch
        torch.set_num_threads(args.threads)
    os.makedirs(args.out_dir, exist_ok=True)
    if not args.summary_only:
        for arm in [a for a in ARMS if a in args.arms]:
            for seed in args.seeds:
                out = osp.join(args.out_dir, f'{arm}_seed{seed}.json')
                if osp.exists(out):
                    print(f'{out} exists: skipped', flush=True)
                    continue
                print(f'{arm} seed {seed} ...', flush=True)
                record = run_arm(arm, seed, args)
                with open(out, 'w') as f:
                    json.dump(record, f, indent=1)
                print(f'{arm} seed {seed}: F1 {record["test"]["multi-label/f1-score"]:.1f} '
                      f'mAP {record["test"]["multi-label/mAP"]:.1f}, train '
                      f'{record["train_wall_s"]:.0f} s', flush=True)
    summary = write_summary(args.out_dir)
    print(markdown(summary))


if __name__ == '__main__':
    main()
