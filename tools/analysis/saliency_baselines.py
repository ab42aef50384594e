"""Score unsupervised saliency estimators against human eye fixations, beside the centre bias.

Every method of attn_plugins.saliency.estimate_saliency (the centre-bias Gaussian, the
spectral residual, the image signature, and each of the last two weighted by a centre prior)
is scored on the fixed held-out split of each fixation dataset: OSIE images 1601-1700 and
Scene saliency images 401-500 (``--split val``, the default), or on the training split, where
choices such as the default estimator were made (``--split train``). NSS and AUC-Judd are
scored against each image's fixation map (all observers), KLD, CC and SIM against its
fixation density: the fixation map blurred by a Gaussian of ``--blur-frac`` times the image
width (0.03: one degree of visual angle on OSIE's 800x600 images, 24 px). Shuffled AUC takes
as negatives the fixations of every other image of the split (rescaled to this image), so the
centre bias scores 0.5 there; information gain is in bits per fixation over the centre bias.
An estimator that does not beat the centre bias knows less than "people look at the middle".
Trained saliency teachers are scored beside the estimators with --teacher NAME CONFIG CKPT
(CONFIG 'default' with CKPT 'none': the teacher shipped with the package).

Examples:
    # the table in docs/saliency.md: both held-out splits, every estimator
    python tools/analysis/saliency_baselines.py --out results/saliency_baselines/val.json

    # the centre bias alone on all 700 OSIE images
    python tools/analysis/saliency_baselines.py --datasets osie --split all --methods center_bias

    # the shipped teacher beside the centre bias on both held-out splits
    python tools/analysis/saliency_baselines.py --methods center_bias \
        --teacher default-teacher default none

    # every 10th training image, two estimators, another data folder
    ATTN_DATA_ROOT=/data python tools/analysis/saliency_baselines.py --split train --every 10 \
        --methods center_bias signature_center
"""
import argparse
import json
import os
import os.path as osp
import time

import numpy as np

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# mmcv, mmengine and the plugin's torch modules are imported where they are used, so that
# --help answers without them (and tools/analysis/teacher_cross_dataset.py imports this).
from attn_plugins.defaults import SALIENCY_ESTIMATORS as ESTIMATORS

DATA_ROOT = os.environ.get('ATTN_DATA_ROOT', osp.join(REPO_ROOT, '..', 'shared', 'data'))
# name -> (dataset class in attn_plugins.data, folder under the data root)
DATASETS = {'osie': ('OSIEFixations', 'osie'), 'scene': ('SceneSaliencyFixations',
                                                         'scene_saliency')}
DENSITY_METRICS = ('nss', 'cc', 'kld', 'sim', 'auc_judd')  # attn_plugins.evaluation's
METRICS = DENSITY_METRICS + ('sauc', 'info_gain')
HIGHER_IS_BETTER = {'nss': True, 'cc': True, 'kld': False, 'sim': True, 'auc_judd': True,
                    'sauc': True, 'info_gain': True}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--datasets', nargs='+', default=list(DATASETS), choices=list(DATASETS))
    parser.add_argument('--split', default='val', choices=['val', 'train', 'all'],
                        help='the fixed held-out split (default), the rest, or every image')
    parser.add_argument('--methods', nargs='*', default=list(ESTIMATORS), choices=ESTIMATORS)
    parser.add_argument('--teacher', nargs=3, action='append', default=[],
                        metavar=('NAME', 'CONFIG', 'CHECKPOINT'),
                        help="a trained saliency teacher to score too (repeatable); CONFIG "
                        "'default' and CHECKPOINT 'none' for the shipped one")
    parser.add_argument('--blur-frac', type=float, default=0.03,
                        help='fixation-density blur as a fraction of the image width')
    parser.add_argument('--center-sigma', type=float, default=0.25,
                        help='centre prior standard deviation, a fraction of each side')
    parser.add_argument('--every', type=int, default=1, help='score every n-th image only')
    parser.add_argument('--data-root', default=DATA_ROOT,
                        help='folder holding osie/ and scene_saliency/ (default: %(default)s)')
    parser.add_argument('--out', help='write the scores (mean, std, per image) as JSON here')
    return parser.parse_args(argv)


def load_split(name: str, data_root: str, split: str):
    """The registered fixation dataset ``name`` (its fixed split), without a pipeline."""
    from mmengine.registry import DefaultScope

    from attn_plugins import data

    class_name, folder = DATASETS[name]
    dataset_cls = getattr(data, class_name)
    root = osp.join(data_root, folder)
    if not osp.isdir(root):
        raise SystemExit(f'{root} not found: pass --data-root (or set ATTN_DATA_ROOT) to the '
                         f'folder that holds {folder}/')
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        return dataset_cls(data_root=root, split=None if split == 'all' else split)


def dataset_fixations(dataset):
    """Every image's fixations as fractions of its width and height."""
    from PIL import Image

    from attn_plugins.saliency import relative_fixations

    relative = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        with Image.open(info['img_path']) as image:  # reads the header only
            width, height = image.size
        points = info['fixation_points']
        relative.append(relative_fixations(points[:, 0], points[:, 1], (height, width)))
    return relative


def score_dataset(dataset, methods, blur_frac: float, center_sigma: float, every: int,
                  teachers=None):
    """{method: {metric: [one value per image]}} over every ``every``-th image.

    ``teachers`` maps a name to ``(model, input size)``; each is scored like a method.
    """
    import mmcv
    from mmengine.utils import ProgressBar

    from attn_plugins.evaluation import score_saliency
    from attn_plugins.saliency import (center_bias, estimate_saliency, fixation_density,
                                       fixations_to_map, information_gain, shuffled_auc,
                                       shuffled_negatives)
    from attn_plugins.teacher.build import teacher_saliency

    teachers = teachers or {}
    scores = {method: {metric: [] for metric in METRICS} for method in [*methods, *teachers]}
    relative = dataset_fixations(dataset)
    indices = range(0, len(dataset), every)
    progress = ProgressBar(len(indices))
    for index in indices:
        info = dataset.get_data_info(index)
        image = mmcv.imread(info['img_path'], channel_order='rgb')
        height, width = image.shape[:2]
        points = info['fixation_points']
        fixation_map = fixations_to_map(points[:, 0], points[:, 1], (height, width),
                                        one_based=False)
        truth = dict(fixation_map=fixation_map,
                     fixation_density=fixation_density(fixation_map, sigma_px=blur_frac * width))
        negatives = shuffled_negatives(relative, index, (height, width))
        baseline = center_bias((height, width), sigma=center_sigma)
        predictions = {method: estimate_saliency(image, method, center_sigma=center_sigma)
                       for method in methods}
        for name, (model, size) in teachers.items():
            bgr = np.ascontiguousarray(image[..., ::-1])  # teachers read BGR, as loaded
            predictions[name] = teacher_saliency(model, bgr, size)
        for method, prediction in predictions.items():
            values = score_saliency(prediction, truth, DENSITY_METRICS)
            values['sauc'] = shuffled_auc(prediction, fixation_map, negatives)
            values['info_gain'] = information_gain(prediction, fixation_map, baseline)
            for metric, value in values.items():
                scores[method][metric].append(value)
        progress.update()
    print()
    return scores


def markdown_table(name: str, summary: dict) -> str:
    """One row per method: mean +- std of each metric; the best mean in bold."""
    methods = list(summary)
    best = {metric: (max if HIGHER_IS_BETTER[metric] else min)(
        methods, key=lambda m: summary[m][metric]['mean']) for metric in METRICS}
    header = f'| {name} | ' + ' | '.join(
        f'{m.upper().replace("_", "-")} {"(higher)" if HIGHER_IS_BETTER[m] else "(lower)"}'
        for m in METRICS) + ' |'
    lines = [header, '|' + '---|' * (len(METRICS) + 1)]
    for method in methods:
        cells = []
        for metric in METRICS:
            stats = summary[method][metric]
            cell = f'{stats["mean"]:.3f} ± {stats["std"]:.3f}'
            cells.append(f'**{cell}**' if best[metric] == method else cell)
        lines.append(f'| {method} | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.every < 1:
        raise SystemExit(f'--every must be a positive integer, got {args.every}')
    from attn_plugins.teacher.build import build_teacher, teacher_input_size

    teachers = {}
    for name, config, checkpoint in args.teacher:
        model, cfg = build_teacher(config, None if checkpoint.lower() == 'none' else checkpoint)
        teachers[name] = (model, teacher_input_size(cfg))
    if not args.methods and not teachers:
        raise SystemExit('nothing to score: give --methods and/or --teacher')
    results = dict(split=args.split, blur_frac=args.blur_frac, center_sigma=args.center_sigma,
                   every=args.every, teachers={name: dict(config=config, checkpoint=checkpoint)
                                               for name, config, checkpoint in args.teacher},
                   datasets={})
    for name in args.datasets:
        dataset = load_split(name, args.data_root, args.split)
        count = len(range(0, len(dataset), args.every))
        print(f'{name} ({args.split}): {count} images, densities blurred by {args.blur_frac} '
              'of the width', flush=True)
        start = time.time()
        scores = score_dataset(dataset, args.methods, args.blur_frac, args.center_sigma,
                               args.every, teachers)
        summary = {method: {metric: dict(mean=float(np.mean(values)), std=float(np.std(values)))
                            for metric, values in per_metric.items()}
                   for method, per_metric in scores.items()}
        print(markdown_table(f'{name} {args.split} ({count} images)', summary))
        print(f'({time.time() - start:.0f} s)\n', flush=True)
        results['datasets'][name] = dict(images=count, summary=summary, per_image=scores)
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=1)
        print(f'scores: {args.out}')
    return results


if __name__ == '__main__':
    main()
