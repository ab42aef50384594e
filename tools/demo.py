"""The attn_plugins demo: self-supervised pretraining with human-like attention on a CPU, on
photos that ship with scikit-image (no dataset download), ending with a picture of where the
model looks and a short summary.

By default it pretrains CAST (saliency-constrained crops + Grad-CAM grounding loss) with
saliency maps from the teacher shipped with the package (trained on human eye fixations of
OSIE and the Scene saliency set; tools/gen_saliency.py --teacher default labels the photos);
--method picks another pretraining, --teacher a teacher of your own, --no-teacher the best
unsupervised estimate (image signature times a centre prior) instead.

Of the 16 photos, 12 are trained on and 4 are held out (HELD_OUT_PHOTOS): the summary gives
the agreement between the model's attention and the saliency maps on each group, before and
after training; only the held-out one says whether the model learned to look at salient
regions of photos it has not seen. The run is seeded (--seed): a rerun on the same machine
with the same number of torch threads prints the same numbers. Another seed or thread count
(which changes the order of float sums) gives other numbers; the README gives the spread.

Examples:
    bash tools/demo.sh                              # set up the environment, then this script
    python tools/demo.py --epochs 2                 # shorter
    python tools/demo.py --method mocov2            # the MoCo v2 baseline, for comparison
    python tools/demo.py --work-dir /tmp/demo --repeat 40
    # a saliency teacher of your own
    T=configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py
    python tools/demo.py --teacher $T \
        work_dirs/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu/epoch_10.pth
    python tools/demo.py --no-teacher              # no teacher: an unsupervised estimate
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys


import numpy as np

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
# Never trained on: the attention-saliency agreement on these is the honest one. Four kinds
# of scene (an animal, an object on a table, many small objects, a microscope slide), none
# a near-copy of a training photo (motorcycle_left/right are, so they stay together).
HELD_OUT_PHOTOS = ('chelsea.png', 'coffee.png', 'coins.png', 'ihc.png')
CROP_SIZE = 96
# The unsupervised estimate of --no-teacher (attn_plugins.saliency.estimate_saliency).
ESTIMATE = 'signature_center'


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
    source = parser.add_mutually_exclusive_group()
    source.add_argument('--teacher', nargs=2, metavar=('CONFIG', 'CHECKPOINT'),
                        help='label the photos with this saliency teacher instead of the '
                        'shipped one (tools/gen_saliency.py)')
    source.add_argument('--no-teacher', action='store_true',
                        help='no teacher: estimate each map from its photo (image signature '
                        'times a centre prior)')
    parser.add_argument('--work-dir', default='work_dirs/demo',
                        help='output folder (default: %(default)s)')
    parser.add_argument('--epochs', type=int, default=4, help='default: %(default)s')
    parser.add_argument('--repeat', type=int, default=20,
                        help='passes over the photos per epoch (default: %(default)s)')
    parser.add_argument('--batch-size', type=int, default=16, help='default: %(default)s')
    parser.add_argument('--seed', type=int, default=0,
                        help='random seed of the run (default: %(default)s)')
    return parser.parse_args(argv)


def split_photos(paths):
    """The exported photos split into (trained on, held out), by HELD_OUT_PHOTOS.

    Args:
        paths (list[str]): Paths from :func:`export_sample_photos`, in SAMPLE_PHOTOS order.

    Returns:
        tuple[list[str], list[str]]: Training photos and held-out photos.
    """
    held_out_stems = {osp.splitext(name)[0] for name in HELD_OUT_PHOTOS}
    train = [p for p in paths if osp.splitext(osp.basename(p))[0] not in held_out_stems]
    held_out = [p for p in paths if osp.splitext(osp.basename(p))[0] in held_out_stems]
    return train, held_out


def write_list_file(paths, image_dir, path):
    """Write ``paths`` relative to ``image_dir``, one a line: the training set's ann_file."""
    with open(path, 'w') as f:
        f.writelines(osp.relpath(p, image_dir) + '\n' for p in paths)
    return path


def label_with_teacher(teacher, image_dir, out_dir):
    """Write teacher saliency maps for the photos with tools/gen_saliency.py (resumable).

    Args:
        teacher (Sequence[str] | None): The teacher's config file and checkpoint, or None for
            the teacher shipped with the package.
        image_dir (str): Folder of the photos.
        out_dir (str): Folder for the maps, one PNG per photo stem.

    Raises:
        FileNotFoundError: If the config or the checkpoint does not exist.
        RuntimeError: If gen_saliency.py fails; its exit status is in the message.
    """
    import subprocess

    if teacher is None:
        which = ['--teacher', 'default']
    else:
        config, checkpoint = teacher
        for path, what in ((config, 'config'), (checkpoint, 'checkpoint')):
            if not osp.isfile(path):
                raise FileNotFoundError(f'--teacher {what} not found: {path}')
        which = [config, checkpoint]
    # Data loading in this process (--num-workers 0): 16 small photos do not pay for workers.
    command = [sys.executable, osp.join(REPO_ROOT, 'tools', 'gen_saliency.py'), *which,
               '--images', image_dir, '--out-dir', out_dir, '--num-workers', '0']
    status = subprocess.run(command).returncode
    if status != 0:
        raise RuntimeError(f'labelling the photos with the teacher failed (exit status '
                           f'{status}): {" ".join(command)}')


def demo_pipeline(pipeline, saliency_dir):
    """The config's training pipeline with its saliency loading pointed at the demo: maps from
    ``saliency_dir`` (teacher) or estimated from each photo (no teacher)."""
    pipeline = copy.deepcopy(pipeline)
    for index, step in enumerate(pipeline):
        if step['type'] == 'LoadSaliencyMap' and saliency_dir is None:
            pipeline[index] = dict(type='EstimateSaliency', method=ESTIMATE)
    return pipeline


def build_config(args, image_dir, train_list, saliency_dir):
    """The method's CPU config, pointed at the training photos (``train_list``), seeded.

    Args:
        args (argparse.Namespace): The demo's options.
        image_dir (str): Folder of the photos.
        train_list (str): List file of the training photos, relative to ``image_dir``.
        saliency_dir (str | None): Teacher maps, or None for the unsupervised estimate.

    Returns:
        mmengine.Config: The config to build the runner from.
    """
    from attn_plugins.engine.launch import load_config

    cfg = load_config(osp.join(REPO_ROOT, METHOD_CONFIGS[args.method]))
    dataset = copy.deepcopy(cfg.train_dataloader.dataset)
    uses_saliency = any(step['type'] == 'LoadSaliencyMap' for step in dataset.pipeline)
    if uses_saliency and saliency_dir is not None:
        dataset.update(data_root='', img_dirs=[image_dir], ann_file=train_list,
                       saliency_dir=saliency_dir, missing_saliency='error')
    else:
        dataset = dict(type='ImageFolder', data_root='', img_dirs=[image_dir],
                       ann_file=train_list, pipeline=dataset.pipeline)
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
    cfg.randomness = dict(seed=args.seed)
    return cfg


def attention_samples(paths, saliency_dir, held_out=()):
    """The photos with their saliency (teacher maps or the estimate), for the picture.

    Args:
        paths (list[str]): Photo paths.
        saliency_dir (str | None): Teacher maps, or None for the unsupervised estimate.
        held_out (Sequence[str]): Paths of held-out photos; their captions say so.

    Returns:
        list[dict]: ``img`` (H, W, 3) uint8 BGR, ``saliency`` (H, W) and ``name``.
    """
    import mmcv

    from attn_plugins.data import LoadSaliencyMap
    from attn_plugins.saliency import estimate_saliency

    samples = []
    for path in paths:
        img = mmcv.imread(path)
        name = osp.splitext(osp.basename(path))[0]
        sample = dict(img=img, name=f'{name} (held out)' if path in held_out else name)
        if saliency_dir is None:
            sample['saliency'] = estimate_saliency(img[..., ::-1], ESTIMATE)
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


def mean_cc(scores, paths, subset):
    """Mean of the per-photo CCs ``scores`` (in ``paths`` order) over the photos of ``subset``."""
    return float(np.mean([score for path, score in zip(paths, scores) if path in subset]))


def main(argv=None):
    args = parse_args(argv)
    import torch

    import attn_plugins  # noqa: F401
    from attn_plugins.engine.launch import build_runner
    from attn_plugins.evaluation import (center_bias_cc, draw_model_attention,
                                         plot_scalar_curves, read_scalars)

    image_dir = osp.abspath(osp.join(args.work_dir, 'images'))
    paths = export_sample_photos(image_dir)
    train_paths, held_out_paths = split_photos(paths)
    train_list = write_list_file(train_paths, image_dir,
                                 osp.abspath(osp.join(args.work_dir, 'train_photos.txt')))
    print(f'[demo] {len(paths)} scikit-image sample photos in {image_dir}: '
          f'{len(train_paths)} to train on, {len(held_out_paths)} held out '
          f'({", ".join(osp.basename(p) for p in held_out_paths)})')
    saliency_dir = None
    if args.no_teacher:
        print('[demo] saliency: an estimate from each photo (image signature x centre prior; '
              'no teacher, no labels)')
    else:
        saliency_dir = osp.abspath(osp.join(args.work_dir, 'teacher_saliency'))
        label_with_teacher(args.teacher, image_dir, saliency_dir)
        which = 'the shipped default teacher' if args.teacher is None else 'your teacher'
        print(f'[demo] saliency maps of {which} in {saliency_dir}')

    runner = build_runner(build_config(args, image_dir, train_list, saliency_dir))
    samples = attention_samples(paths, saliency_dir, held_out_paths)
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
    # The trivial answer: a Gaussian at the centre of every view, scored the same way.
    bias = center_bias_cc(samples, size=CROP_SIZE)
    agreement = {
        group: dict(initial=mean_cc(before, paths, subset), trained=mean_cc(after, paths, subset),
                    center_bias=mean_cc(bias, paths, subset))
        for group, subset in (('held_out', held_out_paths), ('train', train_paths))}
    summary = dict(
        method=args.method, images=len(train_paths),
        held_out_images=[osp.basename(p) for p in held_out_paths], epochs=args.epochs,
        iterations=runner.iter, seed=args.seed, torch_threads=torch.get_num_threads(),
        saliency=('estimate' if args.no_teacher else
                  'default teacher' if args.teacher is None else 'teacher'),
        losses=loss_summary(runner), attention_saliency_cc=agreement,
        attention_saliency_cc_per_photo={
            osp.basename(p): dict(initial=b, trained=a, center_bias=c)
            for p, b, a, c in zip(paths, before, after, bias)},
        attention_picture=picture, loss_curves=curves, checkpoint=checkpoint,
        work_dir=osp.abspath(runner.work_dir), log_dir=osp.abspath(runner.log_dir))
    summary_path = osp.abspath(osp.join(args.work_dir, 'summary.json'))
    with open(summary_path, 'w') as f:
        json.dump(summary, f, indent=2)

    print(f'[demo] {args.method}: {runner.iter} iterations on {len(train_paths)} photos')
    for name, values in summary['losses'].items():
        print(f"[demo]   {name}: {values['first_5_mean']:.3f} (first 5 iterations) -> "
              f"{values['last_5_mean']:.3f} (last 5)")
    print('[demo] attention vs saliency, mean CC: initial weights -> trained '
          '(the center bias\'s CC beside)')
    for group, label in (('held_out', f'{len(held_out_paths)} held-out photos'),
                         ('train', f'{len(train_paths)} training photos')):
        print(f"[demo]   {label}: {agreement[group]['initial']:.3f} -> "
              f"{agreement[group]['trained']:.3f} (center bias "
              f"{agreement[group]['center_bias']:.3f})")
    print(f'[demo] attention picture: {picture}')
    print(f'[demo] loss curves: {curves}')
    print(f'[demo] checkpoint: {checkpoint}')
    print(f"[demo] logs: {summary['log_dir']}")
    print(f'[demo] summary: {summary_path}')
    return summary


if __name__ == '__main__':
    main()
