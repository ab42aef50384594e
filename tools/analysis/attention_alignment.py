"""Score where models look against where people look (human fixations) or against saliency
masks, with NSS, KLD, CC, SIM, AUC-Judd, shuffled AUC and information gain, next to the
center-bias baseline.

Ground truth, one of: --osie / --scene (fixation points; the fixed held-out splits by
default), --fixation-maps (fixation-map images such as MIT1003's <stem>_fixPts.jpg, with
density maps such as <stem>_fixMap.jpg if --density-suffix is given, else the fixations
blurred by 0.03 of the image width), or --masks (binary salient-object masks; a continuous
map given as a mask is refused, since thresholding a density would score a blob as both
fixations and density). Shuffled AUC takes the other images' fixations as negatives, so
the center bias scores 0.5; information gain is in bits per fixation over the center bias.

The attention (attn_plugins.evaluation.model_attention): a model's own attention_maps; the
predicted map of attention heads (SaliencyTeacher, teacher-attention students); the VARS
ViTs' class-token attention of the last layer (sparse-code attention for a VARS layer);
Grad-CAM of the top class (classifiers) or of the query-key similarity (MoCo, CAST) on the
last stage, or on --gradcam-layer for every model.

Writes <out-dir>/alignment.csv, alignment.md (mean and std per metric, one row per model and
the baseline), alignment.png (bars per metric) and overlays.png (image, ground truth and each
model's attention).

Examples:
    # CAST vs MoCo Grad-CAM on the 100 held-out BSDS500 val photos with SOD masks
    python tools/analysis/attention_alignment.py \\
        --model cast configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py \\
            work_dirs/cast/epoch_30.pth \\
        --model mocov2 configs/cast/mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py \\
            work_dirs/moco/epoch_30.pth \\
        --masks ../shared/data/bsds500 --img-dirs images/val --saliency-dir sod_masks --size 96

    # the layer CAST trains at 64 px (layer3, a 4x4 grid), read the same way for both
    python tools/analysis/attention_alignment.py \\
        --model cast configs/cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py \\
            CAST_CKPT \\
        --model crop-only \\
            configs/cast/mocov2-saliency-crop_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py \\
            CROP_CKPT \\
        --masks ../shared/data/bsds500 --img-dirs images/val --saliency-dir sod_masks --size 64 \\
        --gradcam-layer backbone.layer3

    # against human fixations on the OSIE held-out split (images 1601-1700)
    python tools/analysis/attention_alignment.py --model teacher CONFIG CKPT \\
        --osie ../shared/data/osie --split val --size 128

    # MIT1003's layout: ALLSTIMULI/<stem>.jpeg, ALLFIXATIONMAPS/<stem>_fixPts.jpg and
    # <stem>_fixMap.jpg (its own densities)
    python tools/analysis/attention_alignment.py --model teacher CONFIG CKPT \\
        --fixation-maps data/mit1003 --img-dir ALLSTIMULI --fixation-dir ALLFIXATIONMAPS \\
        --density-suffix _fixMap.jpg
"""
import argparse
import csv
import os
import os.path as osp



def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Attention alignment of models with fixations or saliency masks.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--model', nargs=3, action='append', required=True,
                        metavar=('NAME', 'CONFIG', 'CHECKPOINT'),
                        help='a model to score (repeat for several; CHECKPOINT "none" '
                        'keeps the initial weights)')
    truth = parser.add_mutually_exclusive_group(required=True)
    truth.add_argument('--osie', metavar='ROOT', help='OSIE folder (fixations.mat, images/)')
    truth.add_argument('--scene', metavar='ROOT',
                       help='Scene saliency folder (fixations.mat, stimuli/)')
    truth.add_argument('--fixation-maps', metavar='ROOT',
                       help='folder holding --img-dir and --fixation-dir')
    truth.add_argument('--masks', metavar='ROOT', help='folder holding --img-dirs and '
                       '--saliency-dir (binary masks, same stems as the images)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed set before building each model, so a model scored with '
                        'CHECKPOINT "none" has the same initial weights on every run '
                        '(default: %(default)s)')
    parser.add_argument('--split', default='val', choices=['train', 'val', 'all'],
                        help='OSIE / Scene split (default: %(default)s: OSIE 1601-1700, '
                        'Scene 401-500)')
    parser.add_argument('--img-dir', default='images',
                        help='image folder under --fixation-maps (default: %(default)s)')
    parser.add_argument('--fixation-dir', default='fixations',
                        help='fixation-map folder under --fixation-maps (default: '
                        '%(default)s)')
    parser.add_argument('--fixation-suffix', default='_fixPts.jpg',
                        help='what follows the image stem in a fixation map\'s name '
                        '(default: %(default)s; e.g. .png for same-stem files)')
    parser.add_argument('--density-suffix',
                        help='the same for density maps in --fixation-dir (e.g. _fixMap.jpg); '
                        'without it the fixations are blurred by 0.03 of the image width')
    parser.add_argument('--img-dirs', nargs='+', default=['images'],
                        help='image folders under --masks (default: %(default)s)')
    parser.add_argument('--saliency-dir', default='saliency',
                        help='mask folder under --masks (default: %(default)s)')
    parser.add_argument('--size', type=int, default=128,
                        help='short side of the model input (default: %(default)s)')
    parser.add_argument('--gradcam-layer', metavar='LAYER',
                        help='read every model the same way: Grad-CAM of query . key '
                        '(contrastive) or of the top class (classifier) on this submodule, '
                        'e.g. backbone.layer3, the layer CAST\'s Caltech-101 configs train '
                        '(default: each model\'s own attention)')
    parser.add_argument('--max-images', type=int, default=None, help='score only the first N')
    parser.add_argument('--overlays', type=int, default=6,
                        help='images drawn in overlays.png; 0 draws none (default: %(default)s)')
    parser.add_argument('--out-dir', default='work_dirs/attention_alignment',
                        help='default: %(default)s')
    return parser.parse_args(argv)


def write_tables(rows, metrics, out_dir):
    """alignment.csv and alignment.md from {name: summary} rows."""
    columns = [m for name in metrics for m in (name, f'{name}_std')]
    with open(osp.join(out_dir, 'alignment.csv'), 'w', newline='') as f:
        writer = csv.writer(f)
        writer.writerow(['model', 'images', *columns])
        for name, (count, summary) in rows.items():
            writer.writerow([name, count, *[f'{summary[c]:.4f}' for c in columns]])
    lines = ['| model | images | ' + ' | '.join(m.upper() for m in metrics) + ' |',
             '|---|---|' + '---|' * len(metrics)]
    for name, (count, summary) in rows.items():
        cells = [f'{summary[m]:.3f} ± {summary[m + "_std"]:.3f}' for m in metrics]
        lines.append(f'| {name} | {count} | ' + ' | '.join(cells) + ' |')
    table = '\n'.join(lines) + '\n'
    with open(osp.join(out_dir, 'alignment.md'), 'w') as f:
        f.write(table)
    return table


def main(argv=None):
    args = parse_args(argv)
    from mmengine.runner import set_random_seed

    import attn_plugins  # noqa: F401
    from attn_plugins.engine.launch import load_model
    from attn_plugins.evaluation import save_attention_grid
    from attn_plugins.evaluation.alignment import (ALIGNMENT_METRICS, attention_scores,
                                                   center_bias_scores, load_ground_truth,
                                                   summarise)
    from attn_plugins.evaluation.plots import plot_alignment

    try:
        samples = load_ground_truth(
            osie=args.osie, scene=args.scene, split=None if args.split == 'all' else args.split,
            masks=args.masks, img_dirs=args.img_dirs, saliency_dir=args.saliency_dir,
            max_images=args.max_images, fixation_maps=args.fixation_maps,
            img_dir=args.img_dir, fixation_dir=args.fixation_dir,
            fixation_suffix=args.fixation_suffix, density_suffix=args.density_suffix)
    except (ValueError, FileNotFoundError) as error:
        raise SystemExit(f'{error}; check the data arguments')
    metrics = ALIGNMENT_METRICS
    os.makedirs(args.out_dir, exist_ok=True)

    rows = {'center bias': (len(samples),
                            summarise(center_bias_scores(samples, metrics), metrics))}
    attentions = {}
    for name, config, checkpoint in args.model:
        print(f'[alignment] {name}: {config}')
        set_random_seed(args.seed)
        model = load_model(config, None if checkpoint.lower() == 'none' else checkpoint)
        try:
            per_image = attention_scores(model, samples, args.size, metrics,
                                         gradcam_layer=args.gradcam_layer)
        except (TypeError, ValueError) as error:
            raise SystemExit(f'{name} ({config}): {error}')
        rows[name] = (len(samples), summarise(per_image, metrics))
        attentions[name] = [scores['attention'] for scores in per_image]

    table = write_tables(rows, metrics, args.out_dir)
    plot_alignment({name: summary for name, (_, summary) in rows.items()}, metrics,
                   osp.join(args.out_dir, 'alignment.png'))
    print(table)
    print(f'[alignment] tables: {osp.join(args.out_dir, "alignment.md")} (and .csv)')
    print(f'[alignment] plot: {osp.join(args.out_dir, "alignment.png")}')
    grid = []
    for i, sample in enumerate(samples[:args.overlays]):
        row = dict(image=sample['img'], **{'ground truth': sample['fixation_density']})
        row.update({name: maps[i] for name, maps in attentions.items()})
        grid.append(row)
    if grid:
        picture = save_attention_grid(grid, osp.join(args.out_dir, 'overlays.png'),
                                      columns=['image', 'ground truth', *attentions])
        print(f'[alignment] overlays: {picture}')

if __name__ == '__main__':
    main()
