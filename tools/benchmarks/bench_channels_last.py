"""Time training steps in the channels-last memory layout against the default one.

For each config: its model twice, with the same weights, one converted by ``ChannelsLastHook``
(``tools/train.py --channels-last``), stepping interleaved on the same batch (two normalised
views with saliency masks, as ``bench_cast_step.py`` makes them; fed channels-last to the
converted model, as the hook's data preprocessor feeds it). A step is forward, backward and an
SGD update. Prints each step's median time and the speed-up of channels-last.

Examples:
    # the evidence run's CPU pretrainings (MoCo v2, + teacher attention, CAST) at their scale
    python tools/benchmarks/bench_channels_last.py

    # one config, one thread
    python tools/benchmarks/bench_channels_last.py --threads 1 --configs \
        configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py
"""
import argparse
from os import path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = [
    'configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py',
    'configs/teacher_attention/'
    'mocov2-teacher-attn_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py',
    'configs/cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py',
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--configs', nargs='+', default=CONFIGS,
                        help='pretraining configs (default: the evidence run\'s three)')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--size', type=int, default=64, help='crop side in pixels')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument('--iters', type=int, default=5)
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import copy
    from types import SimpleNamespace

    import torch

    from bench_cast_step import build_model, make_batch
    from measure import interleaved_medians

    if args.threads:
        torch.set_num_threads(args.threads)
    import attn_plugins  # noqa: F401
    from attn_plugins.engine.memory_format import ChannelsLastHook, to_channels_last

    device = torch.device('cpu')
    views, samples = make_batch(args.batch_size, args.size, device)
    print(f'threads={torch.get_num_threads()} batch={args.batch_size} size={args.size} '
          f'iters={args.iters}')
    print(f'{"config":<72}{"default ms":>12}{"NHWC ms":>10}{"speed-up":>10}')
    for config in args.configs:
        default = build_model(osp.join(REPO_ROOT, config), args.batch_size, 'cpu')
        converted = copy.deepcopy(default)
        ChannelsLastHook().before_run(SimpleNamespace(model=converted))
        inputs = {'default': (default, views), 'NHWC': (converted, to_channels_last(views))}
        optimizers = {name: torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
                      for name, (model, _) in inputs.items()}

        def step(name):
            model, batch = inputs[name]
            optimizers[name].zero_grad()
            loss, _ = model.parse_losses(model.loss(batch, samples))
            loss.backward()
            optimizers[name].step()

        medians = interleaved_medians({name: (lambda n=name: step(n)) for name in inputs},
                                      args.iters, args.warmup, device)
        print(f'{osp.basename(config)[:71]:<72}{medians["default"] * 1e3:>12.0f}'
              f'{medians["NHWC"] * 1e3:>10.0f}{medians["default"] / medians["NHWC"]:>9.2f}x')


if __name__ == '__main__':
    main()
