"""Time a CAST training step against a MoCo step of the same model and batch.

Both models come from the CPU configs of the CAST comparison (ResNet-18 with output stride
16, MoCo v2 neck, queue 4096) unless other configs are given, get the same weights and the
same batch (two views with saliency masks), and step interleaved in one process. A step is
forward, backward and an SGD update; CAST adds a masked-key forward and the second-order
Grad-CAM loss. The goal is at most 1.3x MoCo's time.

Memory: the bytes autograd saves for backward during the step's forward (its activation
peak), on any device; on CUDA also the peak allocated memory.

With --bf16 each step is also timed under bfloat16 autocast (the forward and loss; weights
and optimizer stay float32) and the speed-up over float32 printed: on a CPU with AMX or
AVX512-BF16 that is what mixed precision would save a CPU training of these models.

Examples:
    # the measurement in docs/cast.md: one CPU thread, CPU configs of the CAST comparison
    python tools/benchmarks/bench_cast_step.py --batch-size 32 --size 96 --threads 1

    # the full-scale models (ResNet-50) at 224 px (--device defaults to cuda where there is one)
    python tools/benchmarks/bench_cast_step.py --size 224 --iters 20 \
        --cast-config configs/cast/cast-mocov2_resnet50_8xb32-coslr-200e_coco.py \
        --moco-config configs/cast/mocov2_resnet50_8xb32-coslr-200e_coco.py

    # the CPU comparison's models at its scale, float32 against bfloat16 autocast
    python tools/benchmarks/bench_cast_step.py --batch-size 64 --size 64 --bf16 \
        --cast-config configs/cast/cast-mocov2_resnet18_1xb64-coslr-100e_caltech101-teacher_cpu.py \
        --moco-config configs/mocov2/mocov2_resnet18_1xb64-coslr-100e_caltech101-unlabelled_cpu.py

    # CAST on MoCo v3 with a VARS-D ViT-S/16 against MoCo v3 alone
    python tools/benchmarks/bench_cast_step.py --size 224 --batch-size 4 --iters 3 \
        --cast-config \
        configs/composed/cast-mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py \
        --moco-config configs/vars/mocov3_vars-d-vit-small-p16_16xb256-amp-coslr-300e_in1k.py
"""
import argparse
from os import path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

CAST_CONFIG = 'configs/cast/cast-mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'
MOCO_CONFIG = 'configs/cast/mocov2_resnet18_1xb32-coslr-30e_bsds-sod_cpu.py'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--cast-config', default=osp.join(REPO_ROOT, CAST_CONFIG))
    parser.add_argument('--moco-config', default=osp.join(REPO_ROOT, MOCO_CONFIG))
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--size', type=int, default=96, help='crop side in pixels')
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--iters', type=int, default=10)
    parser.add_argument('--threads', type=int, default=None, help='torch CPU threads')
    parser.add_argument('--device', help='default: cuda if torch sees a GPU, else cpu')
    parser.add_argument('--bf16', action='store_true',
                        help='also time each step under bfloat16 autocast')
    args = parser.parse_args(argv)
    if args.device is None:
        import torch  # after parsing: --help answers without it
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def make_batch(batch_size, size, device):
    """Two normalised views and data samples carrying each view's saliency."""
    import torch
    from mmpretrain.structures import DataSample

    generator = torch.Generator().manual_seed(0)
    views = [torch.randn(batch_size, 3, size, size, generator=generator).to(device)
             for _ in range(2)]
    samples = []
    for i in range(batch_size):
        saliency = torch.zeros(2, size, size, device=device)
        top, left = (i * 7) % (size // 2), (i * 11) % (size // 2)
        saliency[:, top:top + size // 2, left:left + size // 2] = 1.0
        sample = DataSample()
        sample.set_field(saliency, 'saliency')
        sample.set_field(torch.zeros(2, dtype=torch.bool, device=device), 'saliency_empty')
        samples.append(sample)
    return views, samples


def build_model(config, batch_size, device):
    """The config's model in training mode, with a queue of 64 batches for MoCo v1 / v2
    (MoCo v3 and BYOL have none)."""
    from mmengine.config import Config

    from attn_plugins.engine.launch import load_model

    has_queue = 'queue_len' in Config.fromfile(config).model
    options = dict(model=dict(queue_len=batch_size * 64)) if has_queue else None
    return load_model(config, cfg_options=options, device=device).train()


def main(argv=None):
    args = parse_args(argv)
    import torch

    from measure import cuda_peak_bytes, interleaved_medians, saved_tensor_bytes

    if args.threads:
        torch.set_num_threads(args.threads)
    import attn_plugins  # noqa: F401

    from mmengine.logging import MessageHub

    device = torch.device(args.device)
    # CosineEMA (MoCo v3, BYOL) reads the schedule length from the runner's message hub
    MessageHub.get_current_instance().update_info('max_iters', 1000)

    cast, moco = (build_model(c, args.batch_size, args.device)
                  for c in (args.cast_config, args.moco_config))
    moco.load_state_dict(cast.state_dict(), strict=False)  # same backbone, neck and queue
    views, samples = make_batch(args.batch_size, args.size, device)
    models = {'MoCo': moco, 'CAST': cast}
    optimizers = {name: torch.optim.SGD(m.parameters(), lr=1e-3, momentum=0.9)
                  for name, m in models.items()}

    def step(name, bf16=False):
        optimizers[name].zero_grad()
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=bf16):
            loss, _ = models[name].parse_losses(models[name].loss(views, samples))
        loss.backward()
        optimizers[name].step()

    steps = {name: (lambda n=name: step(n)) for name in models}
    if args.bf16:
        steps.update({f'{name} bf16': (lambda n=name: step(n, bf16=True)) for name in models})
    medians = interleaved_medians(steps, args.iters, args.warmup, device)
    saved = {name: saved_tensor_bytes(lambda m=m: m.parse_losses(m.loss(views, samples))[0])
             for name, m in models.items()}
    print(f'device={device} threads={torch.get_num_threads()} batch={args.batch_size} '
          f'size={args.size} iters={args.iters}')
    print(f'{"step":<8}{"ms (median)":>14}{"saved MiB":>12}'
          + (f'{"peak MiB":>11}' if device.type == 'cuda' else ''))
    peaks = {}
    for name in models:  # memory in float32
        line = f'{name:<8}{medians[name] * 1e3:>14.1f}{saved[name] / 2**20:>12.1f}'
        if device.type == 'cuda':
            peaks[name] = cuda_peak_bytes(steps[name], device)
            line += f'{peaks[name] / 2**20:>11.1f}'
        print(line)
    print(f'time ratio CAST / MoCo = {medians["CAST"] / medians["MoCo"]:.2f}x (goal <= 1.3x)')
    print(f'saved-activation ratio CAST / MoCo = {saved["CAST"] / saved["MoCo"]:.2f}x')
    if peaks:
        print(f'peak-memory ratio CAST / MoCo = {peaks["CAST"] / peaks["MoCo"]:.2f}x')
    if args.bf16:
        for name in models:
            print(f'{name} bf16: {medians[f"{name} bf16"] * 1e3:.1f} ms, speed-up over float32 '
                  f'{medians[name] / medians[f"{name} bf16"]:.2f}x')
        print(f'time ratio CAST / MoCo in bf16 = '
              f'{medians["CAST bf16"] / medians["MoCo bf16"]:.2f}x')


if __name__ == '__main__':
    main()
