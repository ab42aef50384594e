"""Background robustness of a classifier, Backgrounds-Challenge style: its config's test set
with the foreground kept pixel for pixel and the background replaced, scored with the
config's own metric (top-1 accuracy).

Variants: original; only_fg (black background); mixed_same / mixed_rand / mixed_next
(background of another image of the same class / of any class / of the next class; the
donor's own foreground is filled with its mean background colour first). BG-Gap =
mixed_same - mixed_rand: how much the model leans on backgrounds that go with the class.

The foreground mask of each final test image comes from
  --mask-source grabcut (default): GrabCut seeded with the image minus --box-margin on each
      side, the challenge's own segmentation (it seeds GrabCut with the object's box); for
      object crops with a context margin m the box margin is m / (1 + 2m);
  --mask-source estimate: spectral-residual saliency above --threshold of its range;
  --mask-source pipeline: the `saliency` the test pipeline carries (LoadSaliencyMap and the
      Saliency* geometric transforms), above --threshold.

Writes to <out-dir>: background.csv, background.md (accuracy per variant, BG-Gap, foreground
share), background_accuracy.png (bars) and examples.png (the variants of a few images).

Examples:
    python tools/analysis/background_robustness.py \\
        configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py work_dirs/vars/epoch_15.pth \\
        --name VARS-D --baseline configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py \\
        work_dirs/vit/epoch_15.pth --baseline-name ViT \\
        --baseline-cfg-options model.backbone.attn_cfgs=None --box-margin 0.115
"""
import argparse
import os
import os.path as osp


import numpy as np

from attn_plugins.cli import add_evaluation_args
from attn_plugins.robustness import VARIANTS


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Accuracy with backgrounds blanked or swapped (Backgrounds Challenge).',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_evaluation_args(parser, baseline_help='a second model to compare with')
    parser.add_argument('--variants', nargs='+', default=list(VARIANTS), choices=VARIANTS,
                        help='default: all')
    parser.add_argument('--mask-source', default='grabcut',
                        choices=['grabcut', 'estimate', 'pipeline'],
                        help='where the foreground comes from (default: %(default)s)')
    parser.add_argument('--box-margin', type=float, default=0.1,
                        help='grabcut: share of each side outside the object box '
                        '(default: %(default)s)')
    parser.add_argument('--threshold', type=float, default=0.5,
                        help='estimate / pipeline: foreground = saliency above this fraction '
                        'of its range (default: %(default)s)')
    parser.add_argument('--min-foreground', type=float, default=0.05,
                        help='keep images whose foreground covers at least this share of the '
                        'image, as the challenge drops failed segmentations (default: '
                        '%(default)s)')
    parser.add_argument('--max-images', type=int, help='evaluate a seeded subset of N images')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the donors and the subset (default: %(default)s)')
    parser.add_argument('--examples', type=int, default=6,
                        help='images drawn in examples.png (default: %(default)s)')
    parser.add_argument('--out-dir', default='work_dirs/background_robustness',
                        help='default: %(default)s')
    return parser.parse_args(argv)


def variant_wrapper(args, variant):
    """A factory wrapping a built dataset in the variant's BackgroundVariantDataset."""
    from attn_plugins.evaluation.background_dataset import BackgroundVariantDataset

    mask_transform = dict(grabcut=dict(type='GrabCutForeground', margin=args.box_margin),
                          estimate=dict(type='EstimateSaliency', method='spectral_residual'),
                          pipeline=None)[args.mask_source]

    def wrap(dataset):
        return BackgroundVariantDataset(dataset, variant, mask_transform=mask_transform,
                                        threshold=args.threshold,
                                        min_foreground=args.min_foreground, seed=args.seed)

    return wrap


def evaluate_variants(name, config, checkpoint, cfg_options, args):
    """{variant: accuracy} of one model; the first dataloader of each variant is returned
    too, for the foreground statistics and the examples."""
    from attn_plugins.engine.launch import load_config, load_model
    from attn_plugins.evaluation.eval_loader import build_eval_dataloader
    from attn_plugins.evaluation.eval_loop import CellTimer, evaluate_model, metric_value

    cfg = load_config(config, cfg_options)
    model = load_model(config, checkpoint, cfg_options, device=args.device)
    timer = CellTimer(len(args.variants))
    accuracy, datasets = {}, {}
    for variant in args.variants:
        loader = build_eval_dataloader(cfg[f'{args.split}_dataloader'], None,
                                       max_images=args.max_images, seed=args.seed,
                                       wrapper=variant_wrapper(args, variant),
                                       num_workers=args.num_workers)
        metrics = evaluate_model(model, loader, cfg[f'{args.split}_evaluator'])
        accuracy[variant] = metric_value(metrics, args.metric_key)
        datasets[variant] = loader.dataset
        timer.step(f'{name} {variant}: {accuracy[variant]:.2f} ({len(loader.dataset)} images)')
    return accuracy, datasets


def main(argv=None):
    args = parse_args(argv)
    import attn_plugins  # noqa: F401
    from attn_plugins.evaluation.plots import plot_grouped_bars, save_image_grid
    from attn_plugins.evaluation.tables import markdown_table, write_csv

    os.makedirs(args.out_dir, exist_ok=True)
    name = args.name or osp.splitext(osp.basename(args.config))[0]
    models = [(name, args.config, args.checkpoint, args.cfg_options)]
    if args.baseline:
        if args.baseline_name == name:
            raise SystemExit('--baseline-name must differ from the model name (--name)')
        models.append((args.baseline_name, *args.baseline, args.baseline_cfg_options))
    results, datasets = {}, None
    for model_name, config, checkpoint, cfg_options in models:
        print(f'[background] {model_name}: {config}')
        results[model_name], found = evaluate_variants(model_name, config, checkpoint,
                                                       cfg_options, args)
        datasets = datasets or found

    first = datasets[args.variants[0]]
    shares = first.foreground_shares()
    kept = shares[first.indices]
    classes = first.metainfo.get('classes') or sorted(set(first.labels.tolist()))
    all_labels = np.array([first.dataset.get_cat_ids(i)[0] for i in range(len(first.dataset))])
    per_class = ', '.join(f'{name} {int((first.labels == c).sum())}/{int((all_labels == c).sum())}'
                          for c, name in enumerate(classes))
    gap = all(v in args.variants for v in ('mixed_same', 'mixed_rand'))
    header = ['model', *args.variants] + (['BG-Gap'] if gap else [])
    rows = [[m, *[acc[v] for v in args.variants]]
            + ([acc['mixed_same'] - acc['mixed_rand']] if gap else [])
            for m, acc in results.items()]
    write_csv(osp.join(args.out_dir, 'background.csv'), header,
              [[r[0], *[f'{v:.4f}' for v in r[1:]]] for r in rows])
    source = dict(grabcut=f'GrabCut of the final test image seeded with the box {args.box_margin} '
                  'in from each side',
                  estimate=f'spectral-residual saliency of the final test image above '
                  f'{args.threshold} of its range',
                  pipeline=f'the test pipeline\'s saliency maps above {args.threshold} of '
                  'their range')[args.mask_source]
    text = (f'Accuracy (%) on the {len(first)} of {len(shares)} {args.split} images whose '
            f'foreground covers at least {args.min_foreground:.0%} of the image (kept per '
            f'class: {per_class}). Foreground: {source}; it covers {100 * kept.mean():.1f}% of '
            f'a kept image on average (median {100 * np.median(kept):.1f}%).\n\n'
            + markdown_table(header, rows))
    with open(osp.join(args.out_dir, 'background.md'), 'w') as f:
        f.write(text)
    plot_grouped_bars({m: acc for m, acc in results.items()},
                      osp.join(args.out_dir, 'background_accuracy.png'), 'accuracy (%)',
                      title='accuracy per background variant')
    examples = [{v: datasets[v].variant_results(i)['img'] for v in args.variants}
                for i in np.linspace(0, len(first) - 1, min(args.examples, len(first)),
                                     dtype=int)]
    save_image_grid(examples, args.variants, osp.join(args.out_dir, 'examples.png'))
    print(text)
    print(f'[background] tables: {osp.join(args.out_dir, "background.md")} (and .csv)')
    print(f'[background] pictures: {osp.join(args.out_dir, "background_accuracy.png")}, '
          f'{osp.join(args.out_dir, "examples.png")}')


if __name__ == '__main__':
    main()
