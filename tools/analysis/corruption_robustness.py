"""Corruption robustness of a classifier: its config's test set under the 15 ImageNet-C
corruptions x 5 severities, scored with the config's own metric (top-1 accuracy), and the
corruption errors (CE, mCE, relative mCE) against a baseline model.

Each image is corrupted after the config's test transforms, right before packing (the
final-resolution image, as ImageNet-C corrupts the 224x224 crop; --position after_load
corrupts the image as loaded instead), seeded per image, so two runs agree. Finished cells are
kept in <out-dir>/cells.json: a re-run with the same out dir and settings skips them.

Writes to <out-dir>: robustness.csv (one row per model, corruption and severity),
robustness.md (accuracy per corruption x severity; with --baseline, CE per corruption, mCE and
relative mCE), corruption_accuracy.png (accuracy vs severity per corruption) and cells.json.

Examples:
    # VARS-D ViT on BCCD cell crops, against a plain ViT of the same size, severities 1, 3, 5
    python tools/analysis/corruption_robustness.py \\
        configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py work_dirs/vars/epoch_15.pth \\
        --name VARS-D --baseline configs/vars/vars-d_vit-small-p16_8xb128-300e_in1k_cpu.py \\
        work_dirs/vit/epoch_15.pth --baseline-name ViT \\
        --baseline-cfg-options model.backbone.attn_cfgs=None --severities 1 3 5

    # two corruptions, 50 images, no baseline
    python tools/analysis/corruption_robustness.py CONFIG CKPT \\
        --corruptions gaussian_noise fog --max-images 50
"""
import argparse
import json
import os
import os.path as osp



from attn_plugins.cli import add_evaluation_args
from attn_plugins.robustness import CORRUPTIONS, SEVERITIES


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Accuracy under ImageNet-C corruptions, CE and mCE against a baseline.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    add_evaluation_args(
        parser, baseline_help='the model whose errors normalise CE (ImageNet-C: AlexNet)')
    parser.add_argument('--corruptions', nargs='+', default=list(CORRUPTIONS),
                        choices=CORRUPTIONS, metavar='NAME',
                        help='default: all 15 (' + ', '.join(CORRUPTIONS) + ')')
    parser.add_argument('--severities', nargs='+', type=int, default=list(SEVERITIES),
                        choices=SEVERITIES, help='default: 1 to 5')
    parser.add_argument('--max-images', type=int, help='evaluate a seeded subset of N images')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the corruptions and the subset (default: %(default)s)')
    parser.add_argument('--position', default='before_pack',
                        choices=['before_pack', 'after_load'],
                        help='where the corruption goes in the test pipeline '
                        '(default: %(default)s)')
    parser.add_argument('--out-dir', default='work_dirs/corruption_robustness',
                        help='default: %(default)s')
    return parser.parse_args(argv)


def cell_key(corruption, severity):
    return 'clean' if corruption is None else f'{corruption}/{severity}'


class CellStore:
    """Finished cells per model in cells.json, reused when the settings are the same."""

    def __init__(self, path):
        self.path = path
        self.data = {}
        if osp.isfile(path):
            with open(path) as f:
                self.data = json.load(f)

    def cells(self, model, settings):
        entry = self.data.get(model)
        if entry is None or entry['settings'] != settings:
            if entry is not None:
                print(f'[corruption] {model}: settings changed, evaluating again')
            entry = self.data[model] = dict(settings=settings, cells={})
        return entry['cells']

    def save(self):
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(self.data, f, indent=1)
        os.replace(tmp, self.path)


def evaluate_cells(name, config, checkpoint, cfg_options, args, store):
    """Accuracy of one model on the clean and every corrupted test set (cached cells)."""
    from attn_plugins.engine.launch import load_config, load_model
    from attn_plugins.evaluation.eval_loader import build_eval_dataloader
    from attn_plugins.evaluation.eval_loop import CellTimer, evaluate_model, metric_value

    settings = dict(config=osp.abspath(config), checkpoint=osp.abspath(checkpoint),
                    checkpoint_mtime=osp.getmtime(checkpoint), cfg_options=cfg_options or {},
                    max_images=args.max_images, seed=args.seed, position=args.position,
                    split=args.split, metric_key=args.metric_key)
    cells = store.cells(name, json.loads(json.dumps(settings, default=str)))
    wanted = [(None, None)] + [(c, s) for c in args.corruptions for s in args.severities]
    todo = [cell for cell in wanted if cell_key(*cell) not in cells]
    print(f'[corruption] {name}: {len(wanted) - len(todo)} of {len(wanted)} cells done before, '
          f'{len(todo)} to evaluate')
    if todo:
        cfg = load_config(config, cfg_options)
        model = load_model(config, checkpoint, cfg_options, device=args.device)
        timer = CellTimer(len(todo))
        for corruption, severity in todo:
            transform = None if corruption is None else dict(
                type='ImageCorruption', corruption=corruption, severity=severity,
                seed=args.seed)
            loader = build_eval_dataloader(cfg[f'{args.split}_dataloader'], transform,
                                           args.position, args.max_images, args.seed,
                                           num_workers=args.num_workers)
            metrics = evaluate_model(model, loader, cfg[f'{args.split}_evaluator'])
            value = metric_value(metrics, args.metric_key)
            cells[cell_key(corruption, severity)] = value
            store.save()
            what = 'clean' if corruption is None else f'{corruption} s{severity}'
            timer.step(f'{name} {what}: {value:.2f} ({len(loader.dataset)} images)')
    return dict(clean=cells['clean'],
                table={c: {s: cells[cell_key(c, s)] for s in args.severities}
                       for c in args.corruptions})


def write_reports(results, args, baseline_name):
    """CSV, Markdown and PNG from {model: dict(clean, table)}; returns the Markdown."""
    from attn_plugins.evaluation.plots import plot_corruption_accuracy
    from attn_plugins.evaluation.tables import markdown_table, write_csv
    from attn_plugins.robustness import corruption_errors

    rows = [[model, 'clean', 0, f'{r["clean"]:.4f}'] for model, r in results.items()]
    rows += [[model, c, s, f'{acc:.4f}'] for model, r in results.items()
             for c, by_s in r['table'].items() for s, acc in by_s.items()]
    write_csv(osp.join(args.out_dir, 'robustness.csv'),
              ['model', 'corruption', 'severity', 'accuracy'], rows)

    sev_header = [f's{s}' for s in args.severities]
    where = dict(before_pack="after the config's test transforms (right before packing)",
                 after_load='as loaded (before the test transforms)')[args.position]
    parts = [f'Accuracy (%) on {args.split} images corrupted {where}; severities '
             f'{", ".join(map(str, args.severities))}.\n']
    for model, r in results.items():
        table = [[c, *[by_s[s] for s in args.severities],
                  sum(by_s.values()) / len(by_s)] for c, by_s in r['table'].items()]
        means = [sum(r['table'][c][s] for c in r['table']) / len(r['table'])
                 for s in args.severities]
        table.append(['**mean**', *means, sum(means) / len(means)])
        parts.append(f'\n**{model}** (clean: {r["clean"]:.1f})\n\n'
                     + markdown_table(['corruption', *sev_header, 'mean'], table))
    if baseline_name is not None:
        base = results[baseline_name]
        for model, r in results.items():
            if model == baseline_name:
                continue
            errors = {c: {s: 100 - a for s, a in by_s.items()} for c, by_s in r['table'].items()}
            base_errors = {c: {s: 100 - a for s, a in by_s.items()}
                           for c, by_s in base['table'].items()}
            ce = corruption_errors(errors, base_errors, 100 - r['clean'], 100 - base['clean'])
            table = [[c, ce['ce'][c], ce['relative_ce'][c]] for c in ce['ce']]
            table.append(['**mCE**', ce['mce'], ce['relative_mce']])
            parts.append(f'\n**{model}** against **{baseline_name}** (errors = 100 - accuracy; '
                         f'CE = sum_s E / sum_s E_baseline; relative CE counts the drop from '
                         f'clean; 1.0 = as robust as the baseline, lower is better)\n\n'
                         + markdown_table(['corruption', 'CE', 'relative CE'], table, 3))
            results[model]['corruption_errors'] = ce
    text = ''.join(parts)
    with open(osp.join(args.out_dir, 'robustness.md'), 'w') as f:
        f.write(text)
    plot_corruption_accuracy({m: r['table'] for m, r in results.items()},
                             osp.join(args.out_dir, 'corruption_accuracy.png'),
                             clean={m: r['clean'] for m, r in results.items()})
    return text


def main(argv=None):
    args = parse_args(argv)
    import attn_plugins  # noqa: F401

    os.makedirs(args.out_dir, exist_ok=True)
    store = CellStore(osp.join(args.out_dir, 'cells.json'))
    name = args.name or osp.splitext(osp.basename(args.config))[0]
    results = {name: evaluate_cells(name, args.config, args.checkpoint, args.cfg_options, args,
                                    store)}
    baseline_name = None
    if args.baseline:
        baseline_name = args.baseline_name
        if baseline_name == name:
            raise SystemExit('--baseline-name must differ from the model name (--name)')
        results[baseline_name] = evaluate_cells(baseline_name, *args.baseline,
                                                args.baseline_cfg_options, args, store)
    print(write_reports(results, args, baseline_name))
    print(f'[corruption] tables: {osp.join(args.out_dir, "robustness.md")} (and .csv)')
    print(f'[corruption] plot: {osp.join(args.out_dir, "corruption_accuracy.png")}')


if __name__ == '__main__':
    main()
