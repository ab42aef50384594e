"""Evaluate a checkpoint on the test set of an OpenMMLab 2.x config (any scope).

Examples:
    python tools/test.py CONFIG work_dirs/NAME/epoch_10.pth
    python tools/test.py CONFIG CKPT --out results.pkl            # also dump predictions
    python tools/test.py CONFIG CKPT --out metrics.json --out-item metrics
    bash tools/dist_test.sh CONFIG CKPT 8                          # several GPUs

The checkpoint must fit the config's model: it is loaded strictly first
(attn_plugins.engine.load_weights), so a checkpoint of another architecture is an error
naming its missing and unexpected keys instead of an evaluation of random weights.
"""
import argparse
import os.path as osp


# Only the parser's helper here (no torch): --help answers at once; main() imports the rest.
from attn_plugins.cli import add_launch_args


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Evaluate a checkpoint with the test settings of a config.',
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--out', help='file to write predictions (.pkl) or metrics (.json)')
    parser.add_argument('--out-item', choices=['metrics', 'pred'], default='pred',
                        help='what --out holds (default: predictions)')
    add_launch_args(parser)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import mmengine
    from mmengine.evaluator import DumpResults
    from mmengine.model import is_model_wrapper

    import attn_plugins  # noqa: F401  (registers the plugin's components)
    from attn_plugins.engine import load_weights
    from attn_plugins.engine.launch import build_runner, load_config, set_work_dir, setup_launcher

    if not osp.isfile(args.checkpoint):
        raise SystemExit(f'checkpoint not found: {args.checkpoint}')
    cfg = load_config(args.config, args.cfg_options)
    set_work_dir(cfg, args.work_dir, args.config)
    cfg.load_from = args.checkpoint
    setup_launcher(cfg, args.launcher, args.local_rank)
    runner = build_runner(cfg)
    # mmengine loads load_from non-strictly. Load it strictly here first; the runner then
    # loads it again as usual, so hooks that act on a loaded checkpoint (an EMAHook's
    # after_load_checkpoint) still run.
    load_weights(runner.model.module if is_model_wrapper(runner.model) else runner.model,
                 args.checkpoint, logger=runner.logger)
    if args.out and args.out_item == 'pred':
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    metrics = runner.test()
    if args.out and args.out_item == 'metrics':
        mmengine.dump(metrics, args.out)
    return metrics


if __name__ == '__main__':
    main()
