"""Time the saliency-constrained crop against RandomResizedCrop on the same images.

Every transform below runs on BSDS500 photos with their SOD masks (481x321, loaded once, as
LoadImageFromFile and LoadSaliencyMap give them), output 224x224, with one torch thread and
OpenCV's threads off, as in an mmengine data worker (``opencv_num_threads=0``). Each call gets
fresh copies of its image and map, made just before the clock starts, so that they are in the
core's cache as they are in a pipeline (just decoded, and deep-copied per view by
SaliencyMultiView). The calls are interleaved, the transforms one after the other on the
same image in a new random order for each image, and each transform's median call is
reported: drifts in the machine's load, and whatever a call leaves behind for the next, hit
all of them alike. ``--cold`` measures the other extreme: no copies, and the transforms work
on images spread over the set at each turn, so that every call finds its image and map
outside the core's cache (mostly what the map's dtype saves: a quarter of the bytes).

For each kind of map (float32 from ``LoadSaliencyMap()``; uint8 from
``LoadSaliencyMap(to_float32=False)``, what the CAST configs load; uint8 resized only to a
declared ``map_size``), the table gives ``SaliencyConstrainedRandomResizedCrop`` (threshold,
box sampling, crop and resize of image and map) as a ratio to

- ``vs RRC``: mmpretrain's ``RandomResizedCrop`` on the image alone;
- ``vs RRC+map``: a ``RandomResizedCrop`` that also crops and resizes the same map, to the
  same size, with its box, so that the pair differs only in how the box is chosen.

A last line compares the framework-free ``SaliencyConstrainedCrop`` on a PIL image and mask
with torchvision's ``RandomResizedCrop`` on the PIL image (a lightly pipeline).

The goal is at most 1.2x the time of RandomResizedCrop.

Examples:
    python tools/benchmarks/bench_saliency_crop.py                 # docs/saliency.md's measurement
    python tools/benchmarks/bench_saliency_crop.py --repeats 500   # quicker, noisier
    python tools/benchmarks/bench_saliency_crop.py --cold          # inputs out of the cache
"""
import argparse
import os
import random
import statistics
import time
from glob import glob
from os import path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

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
    parser.add_argument('--map-size', type=int, default=56,
                        help='side of the reduced map of the last row: the resolution a '
                             'consumer that pools maps onto a 7x7 grid declares')
    parser.add_argument('--cold', action='store_true',
                        help='no fresh copies; each transform on another image at each turn')
    return parser.parse_args(argv)


def load_samples(root, count):
    """Image/map pairs in every form the transforms take.

    Args:
        root (str): BSDS500 folder with images/ and sod_masks/.
        count (int): pairs to load.

    Returns:
        list[dict]: ``img`` (BGR, as LoadImageFromFile gives it), ``float32`` and ``uint8``
        (the map as ``LoadSaliencyMap`` gives it with ``to_float32`` True and False), and
        ``pil_img`` / ``pil_map`` (RGB and 8-bit PIL images).
    """
    import mmcv
    from PIL import Image

    from attn_plugins.data import read_saliency_map

    masks = sorted(glob(osp.join(root, 'sod_masks', '*.png')))[:count]
    if not masks:
        raise SystemExit(f'no SOD masks under {root}/sod_masks; pass --data-root')
    samples = []
    for mask in masks:
        stem = osp.splitext(osp.basename(mask))[0]
        image = glob(osp.join(root, 'images', '*', stem + '.jpg'))[0]
        samples.append(dict(img=mmcv.imread(image), float32=read_saliency_map(mask),
                            uint8=read_saliency_map(mask, to_float32=False),
                            pil_img=Image.open(image).convert('RGB'),
                            pil_map=Image.open(mask).convert('L')))
    return samples


def interleaved_call_medians(transforms, inputs, repeats, spread=False):
    """Median seconds per call of each transform, the transforms taking turns in a random
    order.

    Args:
        transforms (dict[str, tuple[Callable, Callable]]): name -> ``(prepare, transform)``;
            ``prepare(item)`` makes the call's input (untimed), ``transform`` is timed on it.
        inputs (list): items to cycle through.
        repeats (int): timed calls per transform.
        spread (bool): False: every transform gets the same item in a turn. True: the
            transforms' items lie evenly spread over ``inputs``, so no call finds its item
            in the cache after another transform's call on it.

    Returns:
        dict[str, float]: median seconds per call of each transform.
    """
    times = {name: [] for name in transforms}
    order = list(transforms)
    offsets = {name: slot * len(inputs) // len(order) if spread else 0
               for slot, name in enumerate(order)}
    shuffler = random.Random(0)  # not numpy's global RNG, which the transforms draw from
    for index in range(repeats + len(inputs)):  # the first pass over the inputs warms up
        shuffler.shuffle(order)
        for name in order:
            prepare, transform = transforms[name]
            prepared = prepare(inputs[(index + offsets[name]) % len(inputs)])
            start = time.perf_counter()
            transform(prepared)
            elapsed = time.perf_counter() - start
            if index >= len(inputs):
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def main(argv=None):
    args = parse_args(argv)
    # The stack is imported after parsing, so that --help answers without it.
    import cv2
    import numpy as np
    import torch
    from mmpretrain.datasets.transforms import RandomResizedCrop
    from torchvision import transforms as tv

    from attn_plugins.data import SaliencyConstrainedRandomResizedCrop, crop_sample
    from attn_plugins.data.transforms import resize_sample
    from attn_plugins.saliency import SaliencyConstrainedCrop

    torch.set_num_threads(1)
    cv2.setNumThreads(0)
    samples = load_samples(args.data_root, args.num_images)
    np.random.seed(0)
    rrc = RandomResizedCrop(scale=args.size, crop_ratio_range=(0.2, 1.0))
    size, map_size = (args.size, args.size), (args.map_size, args.map_size)
    kinds = {  # name: (the map's form in a sample, map size)
        f'float32, {args.size} px': ('float32', size),
        f'uint8, {args.size} px': ('uint8', size),
        f'uint8, {args.map_size} px': ('uint8', map_size),
    }

    def take(sample, key):
        """The sample's ``key``, copied unless ``--cold``."""
        return sample[key] if args.cold else sample[key].copy()

    def with_map(map_form):
        return lambda sample: dict(img=take(sample, 'img'), saliency=take(sample, map_form))

    def rrc_with_map(map_wh):
        def transform(results):
            crop_sample(results, *rrc.rand_crop_params(results['img']))
            resize_sample(results, *size, map_size=map_wh)
            return results
        return transform

    transforms = {'rrc': (lambda sample: dict(img=take(sample, 'img')), rrc)}
    for name, (map_form, map_wh) in kinds.items():
        transforms[f'rrc+map {name}'] = (with_map(map_form), rrc_with_map(map_wh))
        transforms[f'ours {name}'] = (with_map(map_form), SaliencyConstrainedRandomResizedCrop(
            scale=args.size, map_size=map_wh))
    tv_rrc = tv.RandomResizedCrop(args.size, scale=(0.2, 1.0))
    ours_pil = SaliencyConstrainedCrop(args.size)
    transforms['tv rrc'] = (lambda sample: take(sample, 'pil_img'), tv_rrc)
    transforms['tv ours'] = (lambda sample: (take(sample, 'pil_img'), take(sample, 'pil_map')),
                             lambda pair: ours_pil(*pair))

    seconds = interleaved_call_medians(transforms, samples, args.repeats, spread=args.cold)
    micros = {name: value * 1e6 for name, value in seconds.items()}
    print(f'{len(samples)} images, {args.size}x{args.size} output, {args.repeats} interleaved '
          f'calls per transform, median call, inputs {"cold" if args.cold else "in cache"}')
    print(f'RandomResizedCrop (mmpretrain): {micros["rrc"]:.1f} us')
    print(f'{"map":<18}{"ours us":>9}{"vs RRC":>8}{"RRC+map us":>12}{"vs RRC+map":>12}')
    for name in kinds:
        ours, with_map_us = micros[f'ours {name}'], micros[f'rrc+map {name}']
        print(f'{name:<18}{ours:>9.1f}{ours / micros["rrc"]:>8.2f}{with_map_us:>12.1f}'
              f'{ours / with_map_us:>12.2f}')
    print(f'torchvision (PIL): RandomResizedCrop {micros["tv rrc"]:.1f} us, '
          f'SaliencyConstrainedCrop {micros["tv ours"]:.1f} us, '
          f'{micros["tv ours"] / micros["tv rrc"]:.2f}x')


if __name__ == '__main__':
    main()
