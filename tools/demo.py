"""The attn_plugins demo: self-supervised pretraining on a CPU, on photos that ship with
scikit-image (no dataset download), then a summary of what was trained and where it is.

Examples:
    bash tools/demo.sh                              # set up the environment, then this script
    python tools/demo.py --epochs 2                 # shorter
    python tools/demo.py --work-dir /tmp/demo --repeat 40
"""
import argparse
import copy
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import numpy as np  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
METHOD_CONFIGS = {
    'mocov2': 'configs/mocov2/mocov2_resnet18_1xb32-coslr-4e_bsds-osie_cpu.py',
}
# Photos inside the scikit-image wheel (public domain / CC0, see skimage.data's docs).
SAMPLE_PHOTOS = ('astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg',
                 'motorcycle_left.png', 'motorcycle_right.png', 'hubble_deep_field.jpg',
                 'retina.jpg', 'ihc.png', 'camera.png', 'coins.png', 'clock_motion.png',
                 'moon.png', 'grass.png', 'gravel.png', 'brick.png')


def export_sample_photos(folder: str, max_side: int = 400) -> list:
    """Write scikit-image's sample photos as colour PNGs into ``folder`` (kept if present).

    Args:
        folder (str): Output folder.
        max_side (int): Larger photos are scaled down to this longer side.

    Returns:
        list[str]: The image paths.
    """
    import mmcv
    import skimage.data

    paths = []
    for name in SAMPLE_PHOTOS:
        path = osp.join(folder, osp.splitext(name)[0] + '.png')
        if not osp.isfile(path):
            # flag="color" turns grey photos into 3 channels, as training expects.
            img = mmcv.imread(osp.join(skimage.data.data_dir, name), flag='color')
            # Training crops are small; smaller files decode faster every epoch.
            img = mmcv.imrescale(img, (max_side, max_side)) if max(img.shape) > max_side else img
            mmcv.imwrite(img, path)
        paths.append(path)
    return paths


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Pretrain on scikit-image sample photos on a CPU and summarise the run.',
        epilog=__doc__.split('\n', 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--method', choices=sorted(METHOD_CONFIGS), default='mocov2',
                        help='what to pretrain (default: %(default)s)')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--epochs', type=int, default=4, help='default: %(default)s')
    parser.add_argument('--repeat', type=int, default=20,
                        help='passes over the photos per epoch (default: %(default)s)')
    parser.add_argument('--batch-size', type=int, default=16, help='default: %(default)s')
    return parser.parse_args(argv)


def build_config(args, image_dir):
    """The method's CPU config, pointed at the exported photos."""
    from attn_plugins.engine.launch import load_config

    cfg = load_config(osp.join(REPO_ROOT, METHOD_CONFIGS[args.method]))
    dataset = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset.update(data_root=image_dir, img_dirs=[''])
    cfg.train_dataloader.batch_size = args.batch_size
    cfg.train_dataloader.dataset = dict(type='RepeatDataset', times=args.repeat,
                                        dataset=dataset)
    # The negative queue must be a multiple of the batch size.
    cfg.model.queue_len = args.batch_size * 64
    cfg.train_cfg.max_epochs = args.epochs
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', T_max=args.epochs, by_epoch=True,
                                begin=0, end=args.epochs)]
    cfg.default_hooks.logger.interval = 5
    cfg.work_dir = args.work_dir
    cfg.launcher = 'none'
    return cfg


def summarise(runner, args, num_images):
    """Loss trajectory and checkpoint location, as a dict (also written to summary.json)."""
    history = runner.message_hub.get_scalar('train/loss')
    losses = [float(v) for v in history.data[0]]
    with open(osp.join(runner.work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    return dict(
        method=args.method, images=num_images, epochs=args.epochs, iterations=runner.iter,
        loss_first=losses[0], loss_last=losses[-1],
        loss_first_5_mean=float(np.mean(losses[:5])),
        loss_last_5_mean=float(np.mean(losses[-5:])),
        checkpoint=checkpoint, work_dir=osp.abspath(runner.work_dir),
        log_dir=osp.abspath(runner.log_dir))


def main(argv=None):
    args = parse_args(argv)
    import attn_plugins  # noqa: F401
    from attn_plugins.engine.launch import build_runner

    image_dir = osp.abspath(osp.join(args.work_dir, 'images'))
    import mmengine
    mmengine.mkdir_or_exist(image_dir)
    paths = export_sample_photos(image_dir)
    print(f'[demo] {len(paths)} scikit-image sample photos in {image_dir}')

    runner = build_runner(build_config(args, image_dir))
    runner.train()

    summary = summarise(runner, args, len(paths))
    summary_path = osp.join(args.work_dir, 'summary.json')
    with open(summary_path, 'w') as f:
        json.dump(summary, f, indent=2)
    print(f"[demo] {summary['method']}: {summary['iterations']} iterations, loss "
          f"{summary['loss_first_5_mean']:.3f} (first 5) -> {summary['loss_last_5_mean']:.3f} "
          f'(last 5)')
    print(f"[demo] checkpoint: {summary['checkpoint']}")
    print(f"[demo] logs: {summary['log_dir']}")
    print(f'[demo] summary: {osp.abspath(summary_path)}')
    return summary


if __name__ == '__main__':
    main()
