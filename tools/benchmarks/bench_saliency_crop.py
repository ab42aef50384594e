"""Time the saliency-constrained crop against RandomResizedCrop on the same images.

Pairs, interleaved in one process so each ratio compares like with like (BSDS500 photos with
their SOD masks, 481x321, loaded once; output 224x224; one thread, as in one data worker):

- ``openmmlab``: mmpretrain's ``RandomResizedCrop`` on the image against this package's
  ``SaliencyConstrainedRandomResizedCrop`` on the image and its float saliency map (what a
  CAST pipeline runs: threshold, box sampling, crop and resize of both).
- ``openmmlab-box``: the same, but the reference also crops and resizes the saliency map
  with its box, so the pair differs only in how the box is chosen.
- ``torchvision``: the framework-free ``SaliencyConstrainedCrop`` on a PIL image and mask
  against torchvision's ``RandomResizedCrop`` on the PIL image (a lightly pipeline).

The goal is at most 1.2x the time of RandomResizedCrop.

Examples:
    python tools/benchmarks/bench_saliency_crop.py                 # the README's measurement
    python tools/benchmarks/bench_saliency_crop.py --repeats 500   # quicker, noisier
"""
import argparse
import os
import statistics
import sys
import time
from glob import glob
from os import path as osp

import mmcv
import numpy as np
import torch

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, REPO_ROOT)

DEFAULT_ROOT = osp.join(os.environ.get('ATTN_DATA_ROOT', osp.join(REPO_ROOT, '..', 'shared',
                                                                   'data')), 'bsds500')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--data-root', default=DEFAULT_ROOT,
                        help='BSDS500 folder with images/ and sod_masks/ (default: %(default)s)')
    parser.add_argument('--num-images', type=int, default=50, help='image/mask pairs to cycle')
    parser.add_argument('--repeats', type=int, default=2000, help='timed calls per transform')
    parser.add_argument('--size', type=int, default=224, help='output side')
    return parser.parse_args(argv)


def load_pairs(root, count):
    """(BGR image, float saliency map) pairs, as LoadImageFromFile + LoadSaliencyMap give."""
    from attn_plugins.data import read_saliency_map

    masks = sorted(glob(osp.join(root, 'sod_masks', '*.png')))[:count]
    if not masks:
        raise SystemExit(f'no SOD masks under {root}/sod_masks; pass --data-root')
    pairs = []
    for mask in masks:
        stem = osp.splitext(osp.basename(mask))[0]
        image = glob(osp.join(root, 'images', '*', stem + '.jpg'))[0]
        pairs.append((mmcv.imread(image), read_saliency_map(mask)))
    return pairs


def time_pair(name, reference, candidate, inputs, repeats):
    """Median of five interleaved rounds for each callable; returns microseconds per call."""
    rounds = {name: [], 'reference': []}
    per_round = max(1, repeats // 5)
    for _ in range(5):
        for label, func in (('reference', reference), (name, candidate)):
            start = time.perf_counter()
            for i in range(per_round):
                func(inputs[i % len(inputs)])
            rounds[label].append((time.perf_counter() - start) / per_round * 1e6)
    return statistics.median(rounds['reference']), statistics.median(rounds[name])


def main(argv=None):
    args = parse_args(argv)
    torch.set_num_threads(1)
    from mmpretrain.datasets.transforms import RandomResizedCrop
    from PIL import Image
    from torchvision import transforms as tv

    from attn_plugins.data import SaliencyConstrainedRandomResizedCrop, crop_sample
    from attn_plugins.data.transforms import resize_sample
    from attn_plugins.saliency import SaliencyConstrainedCrop

    pairs = load_pairs(args.data_root, args.num_images)
    np.random.seed(0)
    rrc = RandomResizedCrop(scale=args.size, crop_ratio_range=(0.2, 1.0))
    ours = SaliencyConstrainedRandomResizedCrop(scale=args.size)

    def rrc_image(pair):
        return rrc(dict(img=pair[0]))

    def rrc_image_and_map(pair):
        results = dict(img=pair[0], saliency=pair[1])
        top, left, height, width = rrc.rand_crop_params(pair[0])
        crop_sample(results, top, left, height, width)
        resize_sample(results, args.size, args.size)
        return results

    def ours_image_and_map(pair):
        return ours(dict(img=pair[0], saliency=pair[1]))

    pil_pairs = [(Image.fromarray(img[..., ::-1]), Image.fromarray((sal * 255).astype(np.uint8)))
                 for img, sal in pairs]
    tv_rrc = tv.RandomResizedCrop(args.size, scale=(0.2, 1.0))
    ours_pil = SaliencyConstrainedCrop(args.size)

    rows = [('openmmlab', *time_pair('ours', rrc_image, ours_image_and_map, pairs,
                                     args.repeats)),
            ('openmmlab-box', *time_pair('ours', rrc_image_and_map, ours_image_and_map, pairs,
                                         args.repeats)),
            ('torchvision', *time_pair('ours', lambda p: tv_rrc(p[0]),
                                       lambda p: ours_pil(p[0], p[1]), pil_pairs,
                                       args.repeats))]
    print(f'{len(pairs)} images, {args.size}x{args.size} output, {args.repeats} calls each')
    print(f'{"pair":<15}{"reference us":>14}{"ours us":>10}{"ratio":>8}{"crops/s ours":>14}')
    for name, reference, candidate in rows:
        print(f'{name:<15}{reference:>14.1f}{candidate:>10.1f}{candidate / reference:>8.2f}'
              f'{1e6 / candidate:>14.0f}')


if __name__ == '__main__':
    main()
