"""Train a model from an OpenMMLab 2.x config (mmpretrain, mmdet or mmseg scope).

Examples:
    # CPU-size MoCo v2 pretraining on the shared BSDS500 + OSIE images
    python tools/train.py configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py

    # channels-last memory layout (faster for ResNets, the same float32 maths)
    python tools/train.py CONFIG --channels-last

    # resume from the latest checkpoint in the work dir, or from a given one
    python tools/train.py CONFIG --resume
    python tools/train.py CONFIG --resume work_dirs/NAME/iter_100.pth

    # override config keys; scale the lr to the actual batch size
    python tools/train.py CONFIG --cfg-options train_dataloader.batch_size=64 --auto-scale-lr

    # also log to TensorBoard (pip install tensorboard), then: tensorboard --logdir work_dirs
    python tools/train.py CONFIG --tensorboard

    # also log to Weights & Biases (pip install wandb; wandb login, or WANDB_MODE=offline)
    python tools/train.py CONFIG --wandb --wandb-project my-project

    # transfer: fine-tune a detector / segmentor from a pretraining checkpoint's backbone
    python tools/train.py configs/benchmarks/mmdetection/CONFIG --pretrained PRETRAIN.pth

    # several GPUs / nodes: tools/dist_train.sh, tools/slurm_train.sh
"""
import argparse
import os.path as osp


# Only the parser's helpers here (no torch): --help answers at once; main() imports the rest.
from attn_plugins.cli import add_launch_args, add_transfer_args


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Train a model from an OpenMMLab config.',
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='train config file')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto', metavar='CHECKPOINT',
        help='resume from CHECKPOINT, or, with no value, from the latest checkpoint '
        'in the work dir')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision (needs a CUDA GPU)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by (GPUs x batch size) / '
                        'auto_scale_lr.base_batch_size of the config')
    parser.add_argument('--channels-last', action='store_true',
                        help='train in the channels-last memory layout (ChannelsLastHook: the '
                        'same float32 maths, faster for ResNets)')
    parser.add_argument('--no-validate', action='store_true',
                        help='skip validation during training')
    parser.add_argument('--tensorboard', action='store_true',
                        help='also log scalars to TensorBoard (TensorboardVisBackend, next to '
                        'LocalVisBackend; needs pip install tensorboard)')
    parser.add_argument('--wandb', action='store_true',
                        help='also log scalars to Weights & Biases (WandbVisBackend, next to '
                        'LocalVisBackend; needs pip install wandb)')
    parser.add_argument('--wandb-project', default='attn_plugins',
                        help='W&B project (default: %(default)s); the run is named after the '
                        'work dir')
    add_launch_args(parser)
    add_transfer_args(parser)
    return parser.parse_args(argv)


def merge_args(cfg, args):
    """Apply the command-line options to ``cfg``."""
    import torch

    from attn_plugins.engine.launch import add_vis_backend, set_work_dir
    from attn_plugins.engine.transfer import set_pretrained

    set_work_dir(cfg, args.work_dir, args.config)
    if args.pretrained:
        set_pretrained(cfg, args.pretrained, args.pretrained_prefix, args.pretrained_min_match)
    if args.tensorboard:
        add_vis_backend(cfg, 'tensorboard')
    if args.wandb:
        add_vis_backend(cfg, 'wandb', dict(project=args.wandb_project,
                                           name=osp.basename(osp.normpath(cfg.work_dir))))
    if args.channels_last and not any(h.get('type') == 'ChannelsLastHook'
                                      for h in cfg.get('custom_hooks', [])):
        cfg.custom_hooks = [*cfg.get('custom_hooks', []), dict(type='ChannelsLastHook')]
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp:
        if not torch.cuda.is_available():
            raise SystemExit('--amp needs a CUDA GPU; none is visible to torch here. '
                             'Drop --amp to train in full precision.')
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        if not osp.isfile(args.resume):
            raise SystemExit(f'--resume: checkpoint not found: {args.resume}')
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        if 'base_batch_size' not in cfg.get('auto_scale_lr', {}):
            raise SystemExit(
                f'--auto-scale-lr: {args.config} has no auto_scale_lr.base_batch_size; '
                'add auto_scale_lr = dict(base_batch_size=<batch the lr was tuned for>)')
        cfg.auto_scale_lr.enable = True
    return cfg


def main(argv=None):
    args = parse_args(argv)
    import attn_plugins  # noqa: F401  (registers the plugin's components)
    from attn_plugins.engine.launch import build_runner, load_config, setup_launcher

    cfg = load_config(args.config, args.cfg_options)
    cfg = merge_args(cfg, args)
    setup_launcher(cfg, args.launcher, args.local_rank)
    runner = build_runner(cfg)
    runner.train()


if __name__ == '__main__':
    main()
