"""Label images with a trained saliency teacher: one map per image, as the datasets read them.

Writes <out-dir>/<image stem>.png (8-bit grey, 255 = the image's most salient pixel, at the
image's own size) or .npy (float32 in [0, 1]), the layout SaliencyImageFolder pairs with the
images by stem (its saliency_dir). With `--layout tree` the maps mirror the image folders
instead, <out-dir>/<path below the --images folder>.png, for folders whose images share
file names (one sub-folder per class, as Caltech-101); SaliencyImageFolder reads them with
saliency_layout='tree'. Loader processes read and resize the images to the
teacher's input size; the teacher labels them in batches; a pool of threads resizes each map
back to its image, encodes and writes it while the next batch runs.

The teacher is a config and checkpoint of your own, or `--teacher default`: the lean teacher
that ships inside the package (attn_plugins/teacher/weights/, trained on OSIE and the Scene
saliency set; see docs/teacher_attention.md).

The run is resumable: images whose map already exists are skipped, and each map is written to
a temporary file in the output folder and renamed into place, so an interrupted run (Ctrl-C,
a killed job) never leaves a half-written map; run the same command again to finish. The
rename makes a map whole or absent if the process dies; `--fsync` also flushes every map to
disk before its rename, which only matters if the machine itself may lose power. An
unreadable image is reported with its path and skipped; the others are still labelled, and
the exit status is 1 at the end if any image failed.

Examples:
    # the student maps of the CPU configs: BSDS500 (scanned recursively) and OSIE's training
    # split, with the CPU teacher trained on OSIE
    T=configs/saliency_teacher/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu.py
    CKPT=work_dirs/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu/epoch_10.pth
    python tools/gen_saliency.py $T $CKPT --out-dir work_dirs/teacher_maps/bsds-osie-train \
        --images ../shared/data/bsds500/images --dataset-config $T

    # OSIE's held-out images (the teacher's val set), to score students against the teacher
    python tools/gen_saliency.py $T $CKPT --out-dir work_dirs/teacher_maps/osie-val \
        --dataset-config $T --dataset-key val_dataloader.dataset

    # the shipped default teacher, no config or checkpoint of your own
    python tools/gen_saliency.py --teacher default --images my_photos --out-dir my_maps

    # Caltech-101 (class folders, file names repeat across classes) with the default teacher
    python tools/gen_saliency.py --teacher default --images ../shared/data/caltech101/images \
        --out-dir work_dirs/teacher_maps/caltech101 --layout tree

    # full scale on a GPU: bigger batches, float maps
    python tools/gen_saliency.py TEACHER_CONFIG CKPT --images data/imagenet/train \
        --out-dir data/imagenet/saliency_teacher --batch-size 128 --num-workers 8 --format npy
"""
import argparse
import glob
import os
import os.path as osp
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np


# torch, mmcv, mmengine and the plugin are imported where they are used, so that --help
# answers without them.

FORMATS = ('png', 'npy')
LAYOUTS = ('stem', 'tree')
TMP_SUFFIX = '.tmp'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Label images with a trained saliency teacher (one map per image).',
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', nargs='?', help="the teacher's config file")
    parser.add_argument('checkpoint', nargs='?', help="the teacher's checkpoint")
    parser.add_argument('--teacher', choices=['default'],
                        help='use the teacher shipped with the package instead of CONFIG '
                        'CHECKPOINT')
    parser.add_argument('--out-dir', required=True,
                        help='folder for the maps (created if missing)')
    parser.add_argument('--images', nargs='+', default=[], metavar='DIR',
                        help='image folder(s), scanned recursively')
    parser.add_argument('--dataset-config', metavar='CONFIG',
                        help='label the images (img_path) of a dataset defined in CONFIG')
    parser.add_argument('--dataset-key', default='train_dataloader.dataset',
                        help='where the dataset sits in --dataset-config '
                        '(default: %(default)s)')
    parser.add_argument('--layout', choices=LAYOUTS, default='stem',
                        help="'stem': <out-dir>/<file stem>.<format>; 'tree': the path below "
                        'the --images folder, sub-folders kept (default: %(default)s)')
    parser.add_argument('--format', choices=FORMATS, default='png',
                        help='map file format (default: %(default)s)')
    parser.add_argument('--batch-size', type=int, default=16,
                        help='images per teacher forward pass (default: %(default)s)')
    parser.add_argument('--num-workers', type=int, default=2,
                        help='processes reading images (default: %(default)s)')
    parser.add_argument('--input-size', type=int, nargs=2, metavar=('W', 'H'),
                        help="teacher input size (default: the SaliencyResize scale of the "
                        "teacher config's test pipeline)")
    parser.add_argument('--writers', type=int, default=2,
                        help='threads resizing, encoding and writing maps (default: '
                        '%(default)s)')
    parser.add_argument('--fsync', action='store_true',
                        help='flush each map to disk before renaming it into place')
    parser.add_argument('--device',
                        help='where the teacher runs (default: cuda if torch sees a GPU, '
                        'else cpu)')
    args = parser.parse_args(argv)
    if args.teacher and (args.config or args.checkpoint):
        parser.error('give either --teacher default or CONFIG CHECKPOINT, not both')
    if not args.teacher and not (args.config and args.checkpoint):
        parser.error('give the teacher: CONFIG CHECKPOINT, or --teacher default')
    if not args.images and not args.dataset_config:
        parser.error('give the images to label: --images DIR [DIR ...] and/or '
                     '--dataset-config CONFIG')
    if args.layout == 'tree' and not args.images:
        parser.error('--layout tree names each map by its path below an --images folder: '
                     'give --images')
    if args.batch_size < 1:
        parser.error(f'--batch-size must be positive, got {args.batch_size}')
    if args.device is None:
        import torch
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def dataset_images(config: str, key: str) -> List[str]:
    """``img_path`` of every sample of the dataset at ``key`` in ``config``."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS

    if not osp.isfile(config):
        raise FileNotFoundError(f'--dataset-config not found: {config}')
    cfg = Config.fromfile(config)
    node = cfg
    for part in key.split('.'):
        if part not in node:
            raise ValueError(f'{config} has no {key!r} (no {part!r}); set --dataset-key to '
                             'where the dataset is, e.g. train_dataloader.dataset')
        node = node[part]
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    dataset = DATASETS.build(dict(node, pipeline=[]))
    return [dataset.get_data_info(i)['img_path'] for i in range(len(dataset))]


def output_paths(images: Sequence[str], out_dir: str, fmt: str,
                 roots: Optional[Sequence[str]] = None) -> Dict[str, str]:
    """Image path -> map path.

    Args:
        images (Sequence[str]): Image paths.
        out_dir (str): Folder of the maps.
        fmt (str): ``'png'`` or ``'npy'``.
        roots (Sequence[str], optional): Without: each map is named by its image's file stem
            (two images with one stem are an error). With (the ``--layout tree`` folders):
            by the image's path below the first root holding it, sub-folders kept.

    Returns:
        dict: Image path -> map path.

    Raises:
        ValueError: Two images with one stem (stem layout), or an image under no root.
    """
    outputs, by_stem = {}, {}
    roots = [osp.abspath(root) for root in roots or []]
    for image in images:
        if roots:
            root = next((r for r in roots if osp.abspath(image).startswith(r + os.sep)), None)
            if root is None:
                raise ValueError(f'{image} is under none of the --images folders {roots}: '
                                 '--layout tree names a map by its path below one')
            relative = osp.splitext(osp.relpath(osp.abspath(image), root))[0]
            outputs[image] = osp.join(out_dir, f'{relative}.{fmt}')
            continue
        stem = osp.splitext(osp.basename(image))[0]
        if stem in by_stem and by_stem[stem] != image:
            raise ValueError(f'two images share the file stem {stem!r}: {by_stem[stem]} and '
                             f'{image}; their maps would collide in {out_dir} (label them '
                             'into separate folders, or keep the sub-folders: --layout tree)')
        by_stem[stem] = image
        outputs[image] = osp.join(out_dir, f'{stem}.{fmt}')
    return outputs


def write_map_atomic(path: str, saliency: np.ndarray, fsync: bool = False) -> None:
    """Write a [0, 1] map to ``path`` (.png as 8-bit, .npy as float32), atomically.

    The bytes go to a temporary file in the same folder, which is then renamed over
    ``path``: a reader (or a restarted run) sees the whole map or none. ``fsync`` flushes
    the file to the disk before the rename (durability across a power loss).
    """
    import cv2

    folder, name = osp.split(path)
    os.makedirs(folder, exist_ok=True)
    if path.endswith('.png'):
        ok, encoded = cv2.imencode('.png', np.round(np.clip(saliency, 0, 1) * 255)
                                   .astype(np.uint8))
        if not ok:
            raise RuntimeError(f'PNG encoding failed for {path}')
        payload = encoded.tobytes()
    else:
        payload = None
    fd, tmp = tempfile.mkstemp(prefix=f'.{name}.', suffix=TMP_SUFFIX, dir=folder)
    try:
        with os.fdopen(fd, 'wb') as f:
            if payload is not None:
                f.write(payload)
            else:
                np.save(f, saliency.astype(np.float32))
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise


def remove_stale_temporaries(out_dir: str) -> int:
    """Delete the temporary files an interrupted run left behind; returns how many."""
    stale = [path for fmt in FORMATS for path in glob.glob(
        osp.join(out_dir, '**', f'.*.{fmt}.*{TMP_SUFFIX}'), recursive=True)]
    for path in stale:
        os.remove(path)
    return len(stale)


class _Images:
    """Reads and resizes images; an unreadable one yields its error instead of failing.

    A map-style dataset (``DataLoader`` needs only ``__len__`` and ``__getitem__``), not a
    ``torch.utils.data.Dataset`` subclass, so the module imports without torch.
    """

    def __init__(self, paths: Sequence[str], size: Tuple[int, int]) -> None:
        self.paths = list(paths)
        self.size = size  # (width, height)

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> dict:
        import mmcv
        import torch

        path = self.paths[index]
        try:
            img = mmcv.imread(path)  # BGR, as LoadImageFromFile reads it
        except Exception as err:  # any decoder error is this image's failure only
            return dict(path=path, error=f'{type(err).__name__}: {err}')
        if img is None:
            return dict(path=path, error='not a readable image')
        resized = mmcv.imresize(img, self.size, interpolation='bilinear')
        return dict(path=path, img=torch.from_numpy(resized).permute(2, 0, 1),
                    ori_shape=img.shape[:2])


def _collate(items: List[dict]) -> List[dict]:
    return items


def write_map(saliency: 'torch.Tensor', shape: Tuple[int, int], path: str,
              fsync: bool) -> str:
    """Resize one teacher map to its image's ``shape``, scale to max 1 and write it."""
    from attn_plugins.saliency import resize_map

    full = resize_map(saliency, shape).numpy()
    write_map_atomic(path, full / max(float(full.max()), 1e-30), fsync)
    return path


def label_images(teacher: 'torch.nn.Module', outputs: Dict[str, str], size: Tuple[int, int],
                 batch_size: int = 16, num_workers: int = 0, writers: int = 2,
                 fsync: bool = False) -> dict:
    """Write the missing maps of ``outputs`` (image path -> map path).

    Args:
        teacher (nn.Module): a model with ``saliency_maps(images)`` (``SaliencyTeacher``).
        outputs (dict): image path -> map path.
        size (tuple[int, int]): teacher input (width, height).
        batch_size (int): images per forward pass.
        num_workers (int): loader processes reading and resizing images.
        writers (int): threads resizing maps back, encoding and writing them.
        fsync (bool): flush every map to disk before its rename.

    Returns:
        dict: ``written`` and ``skipped`` (lists of map paths) and ``failed`` (list of
        ``(image path, reason)``).
    """
    import torch
    from mmengine.utils import ProgressBar
    from torch.utils.data import DataLoader

    todo = [image for image, out in outputs.items() if not osp.exists(out)]
    summary = dict(written=[], failed=[],
                   skipped=[out for out in outputs.values() if osp.exists(out)])
    print(f'{len(outputs)} images: {len(summary["skipped"])} already have a map, '
          f'{len(todo)} to label', flush=True)
    if not todo:
        return summary
    loader = DataLoader(_Images(todo, size), batch_size=batch_size, num_workers=num_workers,
                        collate_fn=_collate)
    device = next(teacher.parameters()).device
    progress = ProgressBar(len(todo))
    pool, pending = ThreadPoolExecutor(max_workers=max(1, writers)), []
    try:
        with torch.inference_mode():
            for batch in loader:
                readable = [item for item in batch if 'error' not in item]
                for item in batch:
                    if 'error' in item:
                        summary['failed'].append((item['path'], item['error']))
                        print(f'\nskipped unreadable image {item["path"]}: {item["error"]}',
                              flush=True)
                if readable:
                    images = torch.stack([it['img'] for it in readable]).to(device)
                    maps = teacher.saliency_maps(images.contiguous(
                        memory_format=torch.channels_last)).float().cpu()
                    pending += [pool.submit(write_map, saliency, item['ori_shape'],
                                            outputs[item['path']], fsync)
                                for item, saliency in zip(readable, maps)]
                while pending and pending[0].done():  # a failed write raises here
                    summary['written'].append(pending.pop(0).result())
                for _ in batch:
                    progress.update()
        summary['written'] += [future.result() for future in pending]
    finally:
        # Stopped (Ctrl-C, a failed write): maps not started are dropped, the ones being
        # written finish whole; a rerun labels what is missing.
        pool.shutdown(wait=True, cancel_futures=True)
    print()
    return summary


def main(argv=None) -> int:
    args = parse_args(argv)
    import attn_plugins  # noqa: F401  (registers the plugin's components)
    from attn_plugins.data import find_images
    from attn_plugins.teacher.build import build_teacher, teacher_input_size

    teacher, cfg = build_teacher(args.teacher or args.config, args.checkpoint, args.device)
    size = tuple(args.input_size) if args.input_size else teacher_input_size(cfg)
    if size is None:
        raise SystemExit(f'{args.config} has no SaliencyResize in its test pipeline: give '
                         '--input-size W H')
    images = []
    for folder in args.images:
        images.extend(find_images(folder))
    if args.dataset_config:
        images.extend(dataset_images(args.dataset_config, args.dataset_key))
    # A folder and a dataset may list one image twice, under differently written paths.
    images = list(dict.fromkeys(osp.abspath(path) for path in images))
    os.makedirs(args.out_dir, exist_ok=True)
    stale = remove_stale_temporaries(args.out_dir)
    if stale:
        print(f'removed {stale} partial files of an interrupted run in {args.out_dir}')
    outputs = output_paths(images, args.out_dir, args.format,
                           args.images if args.layout == 'tree' else None)
    summary = label_images(teacher, outputs, size, args.batch_size, args.num_workers,
                           args.writers, args.fsync)
    print(f'wrote {len(summary["written"])} maps to {args.out_dir}, skipped '
          f'{len(summary["skipped"])} existing, {len(summary["failed"])} failed')
    if summary['failed']:
        print('images that could not be labelled:')
        for path, reason in summary['failed']:
            print(f'  {path}: {reason}')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
