"""Does a self-supervised start help the saliency teacher? Scratch vs MoCo v2 initialisation of
the lean teacher, over seeds, on both held-out fixation splits.

1. MoCo v2 pretrains the teacher's encoder (the quarter-wide ResNet-18) on unlabelled photos
   without the held-out images
   (configs/mocov2/mocov2_resnet18-w16_1xb32-coslr-30e_bsds-osie-scene_cpu.py);
2. the shipped teacher's config
   (configs/saliency_teacher/saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py)
   is trained once per seed from scratch and once per seed from that encoder
   (``model.backbone.init_cfg = Pretrained(prefix='backbone.')``); the decoder starts from
   the same random weights in both arms;
3. every teacher and the centre bias are scored by tools/analysis/saliency_baselines.py
   (NSS, CC, KLD, SIM, AUC-Judd, sAUC, information gain) on OSIE 1601-1700 and Scene 401-500.

The JSON holds each teacher's scores, and per split and metric the mean and std of each arm
over seeds and the paired difference (SSL init minus scratch, same seed). Resumable: a run
whose last checkpoint exists is not trained again.

Examples:
    python tools/analysis/teacher_ssl_init.py --seeds 0 1 \
        --out results/saliency_baselines/teacher_ssl_init.json
"""
import argparse
import copy
import json
import os
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

import saliency_baselines

TEACHER_CONFIG = osp.join(REPO_ROOT, 'configs', 'saliency_teacher',
                          'saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py')
SSL_CONFIG = osp.join(REPO_ROOT, 'configs', 'mocov2',
                      'mocov2_resnet18-w16_1xb32-coslr-30e_bsds-osie-scene_cpu.py')
ARMS = ('scratch', 'ssl-init')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/teacher_ssl_init',
                        help='one training folder per run (default: %(default)s)')
    parser.add_argument('--out', required=True, help='JSON of the scores')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1],
                        help='teacher seeds, each trained in both arms (default: 0 1)')
    parser.add_argument('--every', type=int, default=1, help='score every n-th image only')
    return parser.parse_args(argv)


def train(config: str, work_dir: str, seed: int, init_checkpoint: str = None) -> str:
    """Train ``config`` into ``work_dir`` (skipped when its last checkpoint exists).

    Args:
        config (str): The config file.
        work_dir (str): Its work directory.
        seed (int): ``randomness.seed``.
        init_checkpoint (str, optional): Start the backbone from this checkpoint's
            ``backbone.`` weights.

    Returns:
        str: The last checkpoint.
    """
    from attn_plugins.engine.launch import build_runner, load_config

    cfg = load_config(config)
    last = osp.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    if osp.isfile(last):
        print(f'[ssl-init] trained already: {last}', flush=True)
        return last
    cfg.randomness = dict(seed=seed)
    if init_checkpoint is not None:
        cfg.model.backbone = dict(copy.deepcopy(cfg.model.backbone), init_cfg=dict(
            type='Pretrained', checkpoint=init_checkpoint, prefix='backbone.'))
    cfg.work_dir = work_dir
    cfg.launcher = 'none'
    print(f'[ssl-init] training {osp.basename(config)} (seed {seed}) into {work_dir}',
          flush=True)
    build_runner(cfg).train()
    return last


def arm_statistics(held_out: dict, seeds) -> dict:
    """Per split and metric: each arm's mean and std over seeds and the paired difference."""
    import numpy as np

    stats = {}
    for split, summary in held_out.items():
        stats[split] = {}
        for metric in summary['center_bias']:
            values = {arm: np.array([summary[f'{arm} seed {s}'][metric]['mean'] for s in seeds])
                      for arm in ARMS}
            diff = values['ssl-init'] - values['scratch']
            stats[split][metric] = dict(
                center_bias=summary['center_bias'][metric]['mean'],
                difference=dict(mean=float(diff.mean()), std=float(diff.std()),
                                per_seed=diff.tolist()),
                **{arm: dict(mean=float(v.mean()), std=float(v.std()))
                   for arm, v in values.items()})
    return stats


def main(argv=None):
    args = parse_args(argv)
    work_dir = osp.abspath(args.work_dir)
    encoder = train(SSL_CONFIG, osp.join(work_dir, 'mocov2'), seed=0)
    teachers = []
    for seed in args.seeds:
        for arm in ARMS:
            checkpoint = train(TEACHER_CONFIG, osp.join(work_dir, f'{arm}_seed{seed}'), seed,
                               init_checkpoint=encoder if arm == 'ssl-init' else None)
            teachers += ['--teacher', f'{arm} seed {seed}', TEACHER_CONFIG, checkpoint]
    results = saliency_baselines.main(['--methods', 'center_bias', '--every', str(args.every),
                                       *teachers])
    held_out = {name: data['summary'] for name, data in results['datasets'].items()}
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(dict(teacher_config=osp.relpath(TEACHER_CONFIG, REPO_ROOT),
                       ssl_config=osp.relpath(SSL_CONFIG, REPO_ROOT), seeds=args.seeds,
                       every=args.every, held_out=held_out,
                       arms=arm_statistics(held_out, args.seeds)), f, indent=1)
    print(f'[ssl-init] scores: {args.out}')


if __name__ == '__main__':
    main()
