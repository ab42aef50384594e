"""Time tools/gen_saliency.py end to end: images labelled per second, and the model alone.

Runs the labelling of the first --limit images of a folder into a fresh temporary folder
(read, resize, teacher, resize back, PNG encode, atomic write), --runs times, and prints the
wall-clock images per second of each run beside the teacher's forward pass alone on the same
batch size. The goal for the default teacher at 128x96 on 2 CPU cores is 40 images/s.

Examples:
    # the measurement in docs/teacher_attention.md: the shipped teacher on 200 BSDS500 photos
    python tools/benchmarks/bench_gen_saliency.py --images ../shared/data/bsds500/images

    # a teacher of your own
    python tools/benchmarks/bench_gen_saliency.py --config CONFIG --checkpoint CKPT \
        --images DIR --limit 100 --runs 3
"""
import argparse
import os.path as osp
import tempfile
import time

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_gen_saliency():
    """tools/gen_saliency.py as a module: the tool itself is what is timed."""
    import importlib.util

    path = osp.join(REPO_ROOT, 'tools', 'gen_saliency.py')
    spec = importlib.util.spec_from_file_location('gen_saliency', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--images', required=True, help='image folder (scanned recursively)')
    parser.add_argument('--config', default='default',
                        help="teacher config, or 'default' for the shipped teacher")
    parser.add_argument('--checkpoint', help='teacher checkpoint (not with the default)')
    parser.add_argument('--limit', type=int, default=200, help='images to label')
    parser.add_argument('--runs', type=int, default=2)
    parser.add_argument('--batch-size', type=int, default=16)
    parser.add_argument('--num-workers', type=int, default=2)
    parser.add_argument('--writers', type=int, default=2)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import torch

    from attn_plugins.data import find_images
    from attn_plugins.teacher.build import build_teacher, teacher_input_size
    gen_saliency = load_gen_saliency()

    images = sorted(find_images(args.images))[:args.limit]
    if not images:
        raise SystemExit(f'no images under {args.images}')
    teacher, cfg = build_teacher(args.config, args.checkpoint)
    size = teacher_input_size(cfg)
    print(f'{len(images)} images from {args.images}, teacher input {size[0]}x{size[1]}, '
          f'batch {args.batch_size}, {args.num_workers} loader workers, {args.writers} '
          f'writer threads, {torch.get_num_threads()} torch threads')

    batch = torch.randint(0, 256, (args.batch_size, 3, size[1], size[0])).float()
    batch = batch.contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        teacher.saliency_maps(batch)  # warm-up
        start = time.perf_counter()
        for _ in range(5):
            teacher.saliency_maps(batch)
    model_rate = 5 * args.batch_size / (time.perf_counter() - start)

    for run in range(args.runs):
        with tempfile.TemporaryDirectory() as out_dir:
            outputs = gen_saliency.output_paths(images, out_dir, 'png')
            start = time.perf_counter()
            summary = gen_saliency.label_images(teacher, outputs, size, args.batch_size,
                                                args.num_workers, args.writers)
            elapsed = time.perf_counter() - start
        print(f'run {run + 1}: {len(summary["written"])} maps in {elapsed:.1f} s = '
              f'{len(summary["written"]) / elapsed:.1f} images/s end to end '
              f'(model alone: {model_rate:.1f} images/s)', flush=True)


if __name__ == '__main__':
    main()
