"""Train the lean saliency teacher on OSIE alone, on the Scene saliency set alone, and on both,
and score each on both held-out splits beside the centre bias (cross-dataset transfer).

Every teacher is the shipped teacher's config
(configs/saliency_teacher/saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py)
with its training set swapped; "both" is that config as it is. Scores are those of
tools/analysis/saliency_baselines.py (NSS, CC, KLD, SIM, AUC-Judd, sAUC, information gain) on
OSIE 1601-1700 and Scene 401-500. Resumable: a teacher whose last checkpoint exists is not
trained again, and the scores are recomputed from the checkpoints (a minute or two).

Examples:
    python tools/analysis/teacher_cross_dataset.py \
        --out results/saliency_baselines/teacher_cross_dataset.json
"""
import argparse
import copy
import json
import os
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

import saliency_baselines

CONFIG = osp.join(REPO_ROOT, 'configs', 'saliency_teacher',
                  'saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py')
# training set -> indices into the config's ConcatDataset (0: OSIE, 1: Scene)
TRAIN_SETS = {'osie': [0], 'scene': [1], 'osie+scene': [0, 1]}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/teacher_cross_dataset',
                        help='one training folder per teacher (default: %(default)s)')
    parser.add_argument('--out', required=True, help='JSON of the scores')
    parser.add_argument('--train-sets', nargs='+', default=list(TRAIN_SETS),
                        choices=list(TRAIN_SETS))
    parser.add_argument('--every', type=int, default=1, help='score every n-th image only')
    return parser.parse_args(argv)


def train_teacher(train_set: str, work_dir: str) -> str:
    """Train the lean teacher on ``train_set`` (skipped when done); its last checkpoint."""
    from attn_plugins.engine.launch import build_runner, load_config

    cfg = load_config(CONFIG)
    last = osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    if osp.isfile(last):
        print(f'[cross] {train_set}: trained already ({last})', flush=True)
        return last
    datasets = cfg.train_dataloader.dataset.datasets
    picked = [copy.deepcopy(datasets[i]) for i in TRAIN_SETS[train_set]]
    cfg.train_dataloader.dataset = picked[0] if len(picked) == 1 else dict(
        type='ConcatDataset', datasets=picked)
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    print(f'[cross] {train_set}: training into {work_dir}', flush=True)
    build_runner(cfg).train()
    return last


def main(argv=None):
    args = parse_args(argv)
    teachers = []
    for train_set in args.train_sets:
        checkpoint = train_teacher(train_set, osp.abspath(osp.join(args.work_dir, train_set)))
        teachers += ['--teacher', f'trained on {train_set}', CONFIG, checkpoint]
    results = saliency_baselines.main(['--methods', 'center_bias', '--every', str(args.every),
                                       *teachers])
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    summary = {name: data['summary'] for name, data in results['datasets'].items()}
    with open(args.out, 'w') as f:
        json.dump(dict(config=osp.relpath(CONFIG, REPO_ROOT), every=args.every,
                       held_out=summary), f, indent=1)
    print(f'[cross] scores: {args.out}')


if __name__ == '__main__':
    main()
