"""Draw where a model looks: a PNG grid of image, saliency (if known) and attention overlay
for a folder of images.

Attention is the model's own (`attention_maps`) where it has one, else Grad-CAM on the
backbone's last stage: of the top class for classifiers, of the query-key similarity for
MoCo-style models (MoCo, CAST). With --saliency-dir, each row also shows the image's saliency
map and the CC between it and the attention, and the tool prints the mean CC beside the
center bias's (a Gaussian in the middle of each view, the trivial answer).

Examples:
    python tools/vis_attention.py \\
        configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py \\
        work_dirs/cast/epoch_30.pth ../shared/data/bsds500/images/val \\
        --saliency-dir ../shared/data/bsds500/sod_masks --max-images 8 --out cast_attention.png
    python tools/vis_attention.py CONFIG CHECKPOINT my_photos/ --size 224
"""
import argparse
import os.path as osp



def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Grad-CAM / attention overlays for a folder of images.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='model config')
    parser.add_argument('checkpoint', help='checkpoint file (use "none" for the initial weights)')
    parser.add_argument('images', help='folder of images (searched recursively)')
    parser.add_argument('--saliency-dir', help='folder of saliency maps with the images\' stems')
    parser.add_argument('--out', default='attention.png',
                        help='PNG to write (default: %(default)s)')
    parser.add_argument('--size', type=int, default=96,
                        help='short side the images are resized to, then centre-cropped '
                        '(default: %(default)s)')
    parser.add_argument('--max-images', type=int, default=8, help='default: %(default)s')
    return parser.parse_args(argv)


def load_samples(image_paths, saliency_dir):
    """Images and, where the folder has one with the same stem, their saliency maps."""
    import mmcv

    from attn_plugins.data import LoadSaliencyMap, index_saliency_maps

    stems = index_saliency_maps(saliency_dir) if saliency_dir else {}
    samples = []
    for path in image_paths:
        img = mmcv.imread(path)
        if img is None:
            raise ValueError(f'cannot read image {path}')
        sample = dict(img=img, img_path=path, name=osp.basename(path))
        stem = osp.splitext(osp.basename(path))[0]
        if stem in stems:
            sample = LoadSaliencyMap()(dict(sample, saliency_path=stems[stem]))
        samples.append(sample)
    return samples


def main(argv=None):
    args = parse_args(argv)
    import numpy as np

    import attn_plugins  # noqa: F401
    from attn_plugins.data import find_images
    from attn_plugins.engine.launch import load_model
    from attn_plugins.evaluation import center_bias_cc, draw_model_attention

    checkpoint = None if args.checkpoint.lower() == 'none' else args.checkpoint
    model = load_model(args.config, checkpoint)
    samples = load_samples(find_images(args.images)[:args.max_images], args.saliency_dir)
    scores = draw_model_attention(model, samples, args.out, args.size,
                                  title=osp.basename(args.config))
    print(f'attention overlays for {len(samples)} images: {osp.abspath(args.out)}')
    scored = [(score, bias) for score, bias in zip(scores, center_bias_cc(samples, args.size))
              if score is not None]
    if scored:
        attention, bias = np.mean(scored, axis=0)
        print(f'mean CC of attention and saliency over the {len(scored)} images with a map: '
              f'{attention:.3f} (center bias {bias:.3f})')


if __name__ == '__main__':
    main()
