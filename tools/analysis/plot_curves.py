"""Plot training curves (losses, learning rate, validation metrics) of one or more runs from
what mmengine's LocalVisBackend logged: <work_dir>/<timestamp>/vis_data/scalars.json (the
newest timestamp folder of each work dir; give a timestamp folder or the file for another).

One panel per key, one line per run. Training keys count iterations; validation metrics
(val/<metric>, e.g. val/saliency/nss) count epochs in epoch-based runs, as LoggerHook logs
them. Default keys: every key starting with "loss", then the validation metrics.

Examples:
    # CAST vs the MoCo v2 baseline on BSDS500 (train both configs of configs/cast/ first)
    python tools/analysis/plot_curves.py \\
        work_dirs/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu \\
        work_dirs/mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu \\
        --names CAST MoCo --keys loss loss_moco --smooth 5 --out work_dirs/cast_curves.png

    # the saliency teacher's losses and its NSS on the OSIE held-out images, by epoch
    python tools/analysis/plot_curves.py \\
        work_dirs/saliency-teacher_resnet18_1xb16-adam-10e_osie-128x96_cpu \\
        --keys loss loss_kld saliency/nss lr

    # every loss and validation metric, smoothed, into the run's work dir (curves.png);
    # a key the runs did not log lists the keys they did
    python tools/analysis/plot_curves.py \\
        work_dirs/simclr-teacher-attn_resnet18_1xb32-coslr-10e_bsds-osie_cpu --smooth 3
"""
import argparse
import os.path as osp


VAL_TIMING = ('val/time', 'val/data_time')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Training curves of OpenMMLab runs from vis_data/scalars.json.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('work_dirs', nargs='+', metavar='WORK_DIR',
                        help='work dir of a run (or a <timestamp> folder, or scalars.json)')
    parser.add_argument('--names', nargs='+', help='legend name per WORK_DIR '
                        '(default: the work dir names)')
    parser.add_argument('--keys', nargs='+', help='scalars to plot, e.g. loss loss_moco lr '
                        'saliency/nss (validation metrics with or without "val/"; default: '
                        'the loss* keys, then the validation metrics)')
    parser.add_argument('--smooth', type=int, default=0, metavar='N',
                        help='moving average over N points, drawn over the faded raw curve '
                        '(default: %(default)s, raw only)')
    parser.add_argument('--out', help='PNG to write (default: WORK_DIR/curves.png for one run, '
                        'work_dirs/curves.png for several)')
    return parser.parse_args(argv)


def run_dir(path, scalars_file):
    """The work dir a scalars file belongs to (<work_dir>/<timestamp>/vis_data/...)."""
    if osp.isdir(path) and not osp.isfile(osp.join(path, 'vis_data', 'scalars.json')):
        return path
    return osp.dirname(osp.dirname(osp.dirname(osp.abspath(scalars_file))))


def default_keys(series):
    """The loss* keys, then the validation metrics, in the order the runs logged them."""
    keys = list(dict.fromkeys(key for scalars in series.values() for key in scalars))
    losses = [key for key in keys if key.startswith('loss')]
    metrics = [key for key in keys if key.startswith('val/') and key not in VAL_TIMING]
    return losses + metrics


def resolve_keys(requested, series):
    """Requested keys as logged: ``saliency/nss`` also finds ``val/saliency/nss``."""
    available = list(dict.fromkeys(key for scalars in series.values() for key in scalars))
    keys, unknown = [], []
    for key in requested:
        if key in available:
            keys.append(key)
        elif f'val/{key}' in available:
            keys.append(f'val/{key}')
        else:
            unknown.append(key)
    if unknown:
        raise SystemExit(f'[plot] no run logged {", ".join(unknown)}; pass --keys from: '
                         f'{" ".join(available)}')
    return keys


def main(argv=None):
    args = parse_args(argv)
    from attn_plugins.evaluation.plots import plot_scalar_curves
    from attn_plugins.evaluation.scalars import find_scalars_file, read_scalars, step_label

    if args.names and len(args.names) != len(args.work_dirs):
        raise SystemExit(f'[plot] --names: {len(args.names)} names for '
                         f'{len(args.work_dirs)} work dirs; give one per WORK_DIR')
    if args.smooth < 0:
        raise SystemExit(f'[plot] --smooth must be >= 0, got {args.smooth}')
    series, roots = {}, []
    for i, path in enumerate(args.work_dirs):
        try:
            scalars_file = find_scalars_file(path)
            scalars = read_scalars(scalars_file)
        except (FileNotFoundError, ValueError) as error:
            raise SystemExit(f'[plot] {error}')
        roots.append(run_dir(path, scalars_file))
        name = args.names[i] if args.names else osp.basename(osp.normpath(roots[-1]))
        if name in series:
            raise SystemExit(f'[plot] two runs named {name!r}; give --names')
        if not scalars:
            raise SystemExit(f'[plot] {scalars_file} holds no scalars yet (training lines are '
                             'written every default_hooks.logger.interval iterations)')
        series[name] = scalars
        train = max((len(v) for k, v in scalars.items() if not k.startswith('val/')), default=0)
        val = max((len(v) for k, v in scalars.items() if k.startswith('val/')), default=0)
        print(f'[plot] {name}: {scalars_file} ({train} training lines, {val} validation lines)')

    keys = resolve_keys(args.keys, series) if args.keys else default_keys(series)
    if not keys:
        available = ' '.join(dict.fromkeys(k for scalars in series.values() for k in scalars))
        raise SystemExit(f'[plot] no loss* or validation keys logged; pass --keys from: '
                         f'{available}')
    out = args.out or (osp.join(roots[0], 'curves.png') if len(roots) == 1
                       else osp.join('work_dirs', 'curves.png'))
    plot_scalar_curves(series, keys, out, smooth=args.smooth)
    for key in keys:
        finals = [f'{name} {scalars[key][-1][1]:.4g} ({step_label(scalars, key)} '
                  f'{scalars[key][-1][0]})' for name, scalars in series.items() if key in scalars]
        print(f'[plot] {key}: last ' + ', '.join(finals))
    print(f'[plot] curves: {out}')
    return out


if __name__ == '__main__':
    main()
