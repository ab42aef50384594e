"""Time forward + backward of a VARS attention block against mmpretrain's self-attention.

Both modules get the same width, heads and token count (default: ViT-S width 384, 6 heads,
196 tokens) and run interleaved in one process, so the ratio compares like with like. The
goal for VARS-D is at most 1.5x the time of multi-head self-attention.

Memory: the bytes of the distinct tensors autograd keeps for the backward pass (activations
plus the weights they reference), on any device; on CUDA also the peak allocated memory.

Examples:
    # the README's measurement (196 tokens, ViT-S width, one CPU thread)
    python tools/benchmarks/bench_vars_attention.py --batch-size 32 --iters 10 --threads 1

    # VARS-SD with the ISTA solver (--device defaults to cuda where there is one)
    python tools/benchmarks/bench_vars_attention.py --dictionary static_dynamic --solver ista \
        --iters 20
"""
import argparse
import sys
from os import path as osp

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tokens', type=int, default=196, help='tokens per image (N)')
    parser.add_argument('--embed-dims', type=int, default=384, help='width (C)')
    parser.add_argument('--num-heads', type=int, default=6)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--dictionary', default='dynamic', choices=['dynamic', 'static_dynamic'])
    parser.add_argument('--solver', default='lista', choices=['lista', 'ista'])
    parser.add_argument('--num-steps', type=int, default=5)
    parser.add_argument('--warmup', type=int, default=3, help='untimed iterations first')
    parser.add_argument('--iters', type=int, default=10, help='timed iterations')
    parser.add_argument('--threads', type=int, default=None,
                        help='torch CPU threads (default: torch\'s choice)')
    parser.add_argument('--device', help='default: cuda if torch sees a GPU, else cpu')
    args = parser.parse_args(argv)
    if args.device is None:
        import torch  # after parsing: --help answers without it
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def count_params(module):
    return sum(p.numel() for p in module.parameters())


def main(argv=None):
    args = parse_args(argv)
    import torch
    from mmpretrain.models.utils import MultiheadAttention

    from attn_plugins.vars import VARSAttention
    from measure import cuda_peak_bytes, interleaved_medians, saved_tensor_bytes

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    static = {}
    if args.dictionary == 'static_dynamic':  # a square grid (or a single row) of tokens
        side = int(round(args.tokens**0.5))
        static['static_grid'] = (side, side) if side * side == args.tokens else (1, args.tokens)
    vars_attn = VARSAttention(args.embed_dims, args.num_heads, dictionary=args.dictionary,
                              solver=args.solver, num_steps=args.num_steps, **static).to(device)
    mhsa = MultiheadAttention(args.embed_dims, args.num_heads).to(device)
    modules = {f'VARS-{"D" if args.dictionary == "dynamic" else "SD"} ({args.solver})': vars_attn,
               'MultiheadAttention': mhsa}
    x = torch.randn(args.batch_size, args.tokens, args.embed_dims, device=device,
                    requires_grad=True)

    print(f'device={device} threads={torch.get_num_threads()} batch={args.batch_size} '
          f'tokens={args.tokens} width={args.embed_dims} heads={args.num_heads} '
          f'steps={args.num_steps}')
    steps = {name: (lambda m=module: m(x).sum().backward()) for name, module in modules.items()}
    medians = interleaved_medians(steps, args.iters, args.warmup, device)

    print(f'{"module":<24}{"params":>10}{"fwd+bwd ms (median)":>22}{"saved MiB":>12}'
          + (f'{"peak MiB":>11}' if device.type == 'cuda' else ''))
    for name, module in modules.items():
        line = (f'{name:<24}{count_params(module):>10,}{medians[name] * 1e3:>22.2f}'
                f'{saved_tensor_bytes(lambda: module(x).sum()) / 2**20:>12.1f}')
        if device.type == 'cuda':
            line += f'{cuda_peak_bytes(steps[name], device) / 2**20:>11.1f}'
        print(line)
    vars_name = next(iter(modules))
    ratio = medians[vars_name] / medians['MultiheadAttention']
    print(f'time ratio {vars_name} / MultiheadAttention = {ratio:.2f}x (goal <= 1.5x)')


if __name__ == '__main__':
    main()
