"""The attn_plugins demo: self-supervised pretraining with human-like attention on a CPU, on
photos that ship with scikit-image (no dataset download), ending with a picture of where the
model looks and a short summary.

By default it pretrains CAST (saliency-constrained crops + Grad-CAM grounding loss) with
saliency maps from the unsupervised spectral-residual estimator; --method picks another
pretraining, --teacher uses a trained saliency teacher's maps instead of the estimator.

Examples:
    bash tools/demo.sh                              # set up the environment, then this script
    python tools/demo.py --epochs 2                 # shorter
    python tools/demo.py --method mocov2            # the MoCo v2 baseline, for comparison
    python tools/demo.py --work-dir /tmp/demo --repeat 40
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

import numpy as np  # noqa: E402

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
# method -> CPU config (its pipeline is pointed at the demo photos)
METHOD_CONFIGS = {
    'cast': 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py',
    'crop-only': 'configs/cast/mocov2-saliency-crop_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py',
    'mocov2': 'configs/cast/mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py',
}
# Photos inside the scikit-image wheel (public domain / CC0, see skimage.data's docs).
SAMPLE_PHOTOS = ('astronaut.png', 'chelsea.png', 'coffee.png', 'rocket.jpg',
                 'motorcycle_left.png', 'motorcycle_right.png', 'hubble_deep_field.jpg',
                 'retina.jpg', 'ihc.png', 'camera.png', 'coins.png', 'clock_motion.png',
                 'moon.png', 'grass.png', 'gravel.png', 'brick.png')
CROP_SIZE = 96


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

    os.makedirs(folder, exist_ok=True)
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
        description='Pretrain with human-like attention on scikit-image sample photos on a '
        'CPU; draw where the model looks.',
        epilog=__doc__.split('\n\n', 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--method', choices=sorted(METHOD_CONFIGS), default='cast',
                        help='what to pretrain (default: %(default)s)')
    parser.add_argument('--teacher', nargs=2, metavar=('CONFIG', 'CHECKPOINT'),
                        help='label the photos with this saliency teacher '
                        '(tools/gen_saliency.py) instead of the spectral-residual estimator')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--epochs', type=int, default=4, help='default: %(default)s')
    parser.add_argument('--repeat', type=int, default=20,
                        help='passes over the photos per epoch (default: %(default)s)')
    parser.add_argument('--batch-size', type=int, default=16, help='default: %(default)s')
    return parser.parse_args(argv)


def label_with_teacher(teacher, image_dir, out_dir):
    """Write teacher saliency maps for the photos (resumable, see tools/gen_saliency.py)."""
    import subprocess

    config, checkpoint = teacher
    subprocess.run([sys.executable, osp.join(REPO_ROOT, 'tools', 'gen_saliency.py'), config,
                    checkpoint, image_dir, out_dir], check=True)


def demo_pipeline(pipeline, saliency_dir):
    """The config's training pipeline with its saliency loading pointed at the demo: maps from
    ``saliency_dir`` (teacher) or estimated from each photo (no teacher)."""
    pipeline = copy.deepcopy(pipeline)
    for index, step in enumerate(pipeline):
        if step['type'] == 'LoadSaliencyMap' and saliency_dir is None:
            pipeline[index] = dict(type='EstimateSaliency')
    return pipeline


def build_config(args, image_dir, saliency_dir):
    """The method's CPU config, pointed at the exported photos."""
    from attn_plugins.engine.launch import load_config

    cfg = load_config(osp.join(REPO_ROOT, METHOD_CONFIGS[args.method]))
    dataset = copy.deepcopy(cfg.train_dataloader.dataset)
    uses_saliency = any(step['type'] == 'LoadSaliencyMap' for step in dataset.pipeline)
    if uses_saliency and saliency_dir is not None:
        dataset.update(data_root='', img_dirs=[image_dir], saliency_dir=saliency_dir,
                       missing_saliency='error')
    else:
        dataset = dict(type='ImageFolder', data_root='', img_dirs=[image_dir],
                       pipeline=dataset.pipeline)
    dataset['pipeline'] = demo_pipeline(dataset['pipeline'], saliency_dir)
    cfg.train_dataloader.batch_size = args.batch_size
    cfg.train_dataloader.dataset = dict(type='RepeatDataset', times=args.repeat,
                                        dataset=dataset)
    # The negative queue holds one batch: 16 photos are too few for a longer one.
    cfg.model.queue_len = args.batch_size
    cfg.train_cfg.max_epochs = args.epochs
    cfg.param_scheduler = [dict(type='CosineAnnealingLR', T_max=args.epochs, by_epoch=True,
                                begin=0, end=args.epochs)]
    cfg.default_hooks.logger.interval = 5
    cfg.default_hooks.checkpoint.interval = args.epochs
    cfg.work_dir = args.work_dir
    cfg.launcher = 'none'
    return cfg


def attention_samples(paths, saliency_dir):
    """The photos with their saliency (teacher maps or the estimate), for the picture."""
    import mmcv

    from attn_plugins.data import LoadSaliencyMap
    from attn_plugins.saliency import spectral_residual_saliency

    samples = []
    for path in paths:
        img = mmcv.imread(path)
        sample = dict(img=img, name=osp.splitext(osp.basename(path))[0])
        if saliency_dir is None:
            sample['saliency'] = spectral_residual_saliency(img[..., ::-1])
        else:
            stem = osp.splitext(osp.basename(path))[0]
            sample = LoadSaliencyMap()(dict(sample, saliency_path=osp.join(saliency_dir,
                                                                          stem + '.png')))
        samples.append(sample)
    return samples


def loss_summary(runner):
    """First and last logged value of every loss term."""
    summary = {}
    for key, history in runner.message_hub.log_scalars.items():
        if key.startswith('train/loss'):
            values = [float(v) for v in history.data[0]]
            name = key[len('train/'):]
            summary[name] = dict(first=values[0], last=values[-1],
                                 first_5_mean=float(np.mean(values[:5])),
                                 last_5_mean=float(np.mean(values[-5:])))
    return summary


def main(argv=None):
    args = parse_args(argv)
    import attn_plugins  # noqa: F401
    from attn_plugins.engine.launch import build_runner
    from attn_plugins.evaluation import draw_model_attention, plot_scalar_curves, read_scalars

    image_dir = osp.abspath(osp.join(args.work_dir, 'images'))
    paths = export_sample_photos(image_dir)
    print(f'[demo] {len(paths)} scikit-image sample photos in {image_dir}')
    saliency_dir = None
    if args.teacher:
        saliency_dir = osp.abspath(osp.join(args.work_dir, 'teacher_saliency'))
        label_with_teacher(args.teacher, image_dir, saliency_dir)
        print(f'[demo] teacher saliency maps in {saliency_dir}')
    else:
        print('[demo] saliency: spectral-residual estimate of each photo (no teacher, no labels)')

    runner = build_runner(build_config(args, image_dir, saliency_dir))
    samples = attention_samples(paths, saliency_dir)
    picture = osp.abspath(osp.join(args.work_dir, 'attention.png'))
    # Where the freshly initialised model looks, for comparison with the trained one.
    runner.model.init_weights()
    # Four photos (image, saliency, attention) per line of the picture.
    before = draw_model_attention(runner.model, samples,
                                  osp.join(args.work_dir, 'attention_init.png'), size=CROP_SIZE,
                                  title=f'{args.method}, initial weights', per_line=4)
    runner.train()
    after = draw_model_attention(runner.model, samples, picture, size=CROP_SIZE,
                                 title=f'{args.method} after {runner.iter} iterations',
                                 per_line=4)

    with open(osp.join(runner.work_dir, 'last_checkpoint')) as f:
        checkpoint = f.read().strip()
    # The curves mmengine's LocalVisBackend logged (vis_data/scalars.json).
    scalars = read_scalars(runner.log_dir)
    curves = plot_scalar_curves(
        {args.method: scalars}, sorted(key for key in scalars if key.startswith('loss')),
        osp.abspath(osp.join(args.work_dir, 'loss_curves.png')))
    summary = dict(
        method=args.method, images=len(paths), epochs=args.epochs, iterations=runner.iter,
        saliency='teacher' if args.teacher else 'spectral residual',
        losses=loss_summary(runner),
        attention_saliency_cc=dict(initial=float(np.mean(before)), trained=float(np.mean(after))),
        attention_picture=picture, loss_curves=curves, checkpoint=checkpoint,
        work_dir=osp.abspath(runner.work_dir), log_dir=osp.abspath(runner.log_dir))
    summary_path = osp.abspath(osp.join(args.work_dir, 'summary.json'))
    with open(summary_path, 'w') as f:
        json.dump(summary, f, indent=2)

    print(f'[demo] {args.method}: {runner.iter} iterations on {len(paths)} photos')
    for name, values in summary['losses'].items():
        print(f"[demo]   {name}: {values['first_5_mean']:.3f} (first 5 iterations) -> "
              f"{values['last_5_mean']:.3f} (last 5)")
    agreement = summary['attention_saliency_cc']
    print(f"[demo] attention vs saliency, mean CC: {agreement['initial']:.3f} (initial weights)"
          f" -> {agreement['trained']:.3f} (trained)")
    print(f'[demo] attention picture: {picture}')
    print(f'[demo] loss curves: {curves}')
    print(f'[demo] checkpoint: {checkpoint}')
    print(f"[demo] logs: {summary['log_dir']}")
    print(f'[demo] summary: {summary_path}')
    return summary


if __name__ == '__main__':
    main()
