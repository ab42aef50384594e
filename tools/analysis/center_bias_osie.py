"""Score the center-bias baseline on OSIE eye fixations: NSS, KLD, CC, SIM and AUC-Judd.

The baseline is a Gaussian at the image center with standard deviations a fraction of the
image sides (attn_plugins.saliency.center_bias). NSS and AUC-Judd are scored against each
image's fixation map (all subjects), KLD, CC and SIM against its fixation density (the
fixation map blurred by one degree of visual angle, 24 px on OSIE's 800x600 images).
A saliency model that does not beat these numbers has learnt nothing beyond the center.

Examples:
    # all 700 images, data under ../shared/data/osie (or $ATTN_DATA_ROOT/osie)
    python tools/analysis/center_bias_osie.py

    # a split file listing image names (1001.jpg) or stems (1001), one per line
    python tools/analysis/center_bias_osie.py --split val.txt

    # another data folder, a narrower Gaussian, a 2-degree blur
    python tools/analysis/center_bias_osie.py --data-root /data/osie --sigma 0.2 --blur-deg 2
"""
import argparse
import os
import sys
from os import path as osp

import numpy as np
from mmengine.utils import ProgressBar
from PIL import Image
from scipy.io import loadmat

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from attn_plugins.saliency import (OSIE_PIXELS_PER_DEGREE, auc_judd, cc,  # noqa: E402
                                   center_bias, fixation_density, fixations_to_map, kld, nss,
                                   sim)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
DEFAULT_ROOT = osp.join(os.environ.get('ATTN_DATA_ROOT', osp.join(REPO_ROOT, '..', 'shared',
                                                                   'data')), 'osie')
METRICS = (('NSS', nss, 'fixations', 'higher'), ('KLD', kld, 'density', 'lower'),
           ('CC', cc, 'density', 'higher'), ('SIM', sim, 'density', 'higher'),
           ('AUC-Judd', auc_judd, 'fixations', 'higher'))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-root', default=DEFAULT_ROOT,
                        help='OSIE folder holding fixations.mat and images/ '
                        '(default: %(default)s)')
    parser.add_argument('--split', metavar='FILE',
                        help='text file of image names or stems to score (default: all)')
    parser.add_argument('--sigma', type=float, default=0.25,
                        help='center-bias standard deviation as a fraction of each side')
    parser.add_argument('--blur-deg', type=float, default=1.0,
                        help='fixation-density blur in degrees of visual angle')
    parser.add_argument('--pixels-per-degree', type=float, default=OSIE_PIXELS_PER_DEGREE,
                        help='display resolution of the OSIE setup (default: %(default)s)')
    return parser.parse_args(argv)


def load_fixations(data_root):
    """{image name: (x, y) 1-based fixation coordinates of all subjects}."""
    mat_path = osp.join(data_root, 'fixations.mat')
    if not osp.isfile(mat_path):
        raise SystemExit(f'{mat_path} not found: point --data-root at the OSIE folder that '
                         'holds fixations.mat and images/')
    records = loadmat(mat_path, squeeze_me=True, struct_as_record=False)['fixations']
    fixations = {}
    for record in records:
        subjects = np.atleast_1d(record.subjects)
        xs = np.concatenate([np.atleast_1d(s.fix_x).astype(float) for s in subjects])
        ys = np.concatenate([np.atleast_1d(s.fix_y).astype(float) for s in subjects])
        fixations[str(record.img)] = (xs, ys)
    return fixations


def select_images(fixations, split):
    """Image names to score: all, or those the split file lists (names or stems)."""
    if split is None:
        return sorted(fixations)
    if not osp.isfile(split):
        raise SystemExit(f'split file {split} not found')
    by_stem = {osp.splitext(name)[0]: name for name in fixations}
    names = []
    with open(split) as f:
        for line in f:
            entry = line.strip()
            if not entry:
                continue
            name = entry if entry in fixations else by_stem.get(osp.splitext(entry)[0])
            if name is None:
                raise SystemExit(f'{split}: {entry!r} is not an OSIE image in fixations.mat')
            names.append(name)
    if not names:
        raise SystemExit(f'split file {split} lists no images')
    return names


def main(argv=None):
    args = parse_args(argv)
    fixations = load_fixations(args.data_root)
    names = select_images(fixations, args.split)
    sigma_px = args.blur_deg * args.pixels_per_degree
    print(f'Center bias (sigma {args.sigma} of each side) on {len(names)} OSIE images; '
          f'densities blurred by {args.blur_deg} deg = {sigma_px:g} px', flush=True)

    scores = {name: [] for name, *_ in METRICS}
    baselines = {}
    progress = ProgressBar(len(names))
    for name in names:
        image_path = osp.join(args.data_root, 'images', name)
        if not osp.isfile(image_path):
            raise SystemExit(f'{image_path} not found: OSIE images belong in '
                             f'{osp.join(args.data_root, "images")}')
        with Image.open(image_path) as image:  # reads the header only
            shape = (image.height, image.width)
        if shape not in baselines:
            baselines[shape] = center_bias(shape, sigma=args.sigma)
        fixation_map = fixations_to_map(*fixations[name], shape, one_based=True)
        ground_truth = {'fixations': fixation_map,
                        'density': fixation_density(fixation_map, sigma_px=sigma_px)}
        for metric, fn, gt_kind, _ in METRICS:
            scores[metric].append(fn(baselines[shape], ground_truth[gt_kind]))
        progress.update()
    print()

    print('| metric   |   mean |    std | better |')
    print('|----------|--------|--------|--------|')
    for metric, _, _, better in METRICS:
        values = np.asarray(scores[metric])
        print(f'| {metric:<8} | {values.mean():6.3f} | {values.std():6.3f} | {better:<6} |')
    return scores


if __name__ == '__main__':
    main()
