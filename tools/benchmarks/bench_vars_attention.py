r"""Time forward + backward of a VARS attention block against mmpretrain's self-attention.

For each token count (default 49, 196 and 784: 7x7, 14x14 and 28x28 patch grids) the
modules get the same width and heads (default: ViT-S width 384, 6 heads) and run
interleaved in one process, so the ratios compare like with like: multi-head self-attention
(MHSA), VARS in eager mode and VARS with ``compile=True`` (``torch.compile``; compiled
afresh for each token count, as a training run at one input size would; the first call's
seconds are printed as ``compile s``). Goals for VARS-D (issue 17): at most 1.5x the time of
MHSA at 196 tokens and 2.5x at 49.

Multiply-adds: the matrix products of forward + backward per image (``MAC x`` = VARS over
MHSA), counted by torch's flop counter; the time ratio cannot go below it unless VARS's
products run faster than MHSA's, so ``x`` / ``MAC x`` is what the remaining work (elementwise
operations, small batched products) costs.

Memory: the bytes of the distinct tensors autograd keeps for the backward pass (activations
plus the weights they reference), on any device; on CUDA also the peak allocated memory.

Examples:
    # the measurement in docs/vars.md (ViT-S width, one CPU thread, 49 / 196 / 784 tokens)
    python tools/benchmarks/bench_vars_attention.py --batch-size 32 --iters 10 --threads 1

    # VARS-SD with the ISTA solver at 196 tokens, eager only (--device defaults to cuda
    # where there is one)
    python tools/benchmarks/bench_vars_attention.py --dictionary static_dynamic --solver ista \
        --tokens 196 --no-compile --iters 20
"""
import argparse


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        epilog=__doc__.split('\n\n', 2)[2],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--tokens', type=int, nargs='+', default=[49, 196, 784],
                        help='tokens per image (N), one table row each')
    parser.add_argument('--embed-dims', type=int, default=384, help='width (C)')
    parser.add_argument('--num-heads', type=int, default=6)
    parser.add_argument('--batch-size', type=int, default=32)
    parser.add_argument('--dictionary', default='dynamic', choices=['dynamic', 'static_dynamic'])
    parser.add_argument('--solver', default='lista', choices=['lista', 'ista'])
    parser.add_argument('--num-steps', type=int, default=5)
    parser.add_argument('--compile', action=argparse.BooleanOptionalAction, default=True,
                        help='also time VARS with compile=True (default: yes)')
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


def measure_row(args, tokens, device):
    """Time and measure MHSA and VARS (eager, and compiled when asked) at one token count.

    Args:
        args (argparse.Namespace): Parsed options.
        tokens (int): Tokens per image ``N``.
        device (torch.device): Where to run.

    Returns:
        dict: ``ms`` (median forward+backward milliseconds), ``saved`` (MiB kept for
        backward) and, on CUDA, ``peak`` (MiB), each keyed by ``'MHSA'``, ``'eager'`` and
        ``'compile'``; ``compile_s``, the seconds of the first compiled call (None without
        ``--compile``); ``macs`` (multiply-adds per image, forward + backward) and
        ``params``, each for ``'MHSA'`` and ``'eager'``.
    """
    import time

    import torch
    from mmpretrain.models.utils import MultiheadAttention

    from attn_plugins.vars import VARSAttention
    from measure import (cuda_peak_bytes, interleaved_medians, multiply_adds,
                         saved_tensor_bytes, synchronize)

    torch.manual_seed(0)
    static = {}
    if args.dictionary == 'static_dynamic':  # a square grid (or a single row) of tokens
        side = int(round(tokens**0.5))
        static['static_grid'] = (side, side) if side * side == tokens else (1, tokens)
    options = dict(dictionary=args.dictionary, solver=args.solver, num_steps=args.num_steps,
                   **static)
    modules = {'MHSA': MultiheadAttention(args.embed_dims, args.num_heads).to(device),
               'eager': VARSAttention(args.embed_dims, args.num_heads, **options).to(device)}
    x = torch.randn(args.batch_size, tokens, args.embed_dims, device=device,
                    requires_grad=True)
    compile_s = None
    if args.compile:
        compiled = VARSAttention(args.embed_dims, args.num_heads, compile=True, **options)
        compiled.load_state_dict(modules['eager'].state_dict())
        modules['compile'] = compiled.to(device)
        torch._dynamo.reset()  # compile for this token count's static shape
        start = time.perf_counter()
        compiled(x).sum().backward()
        synchronize(device)
        compile_s = time.perf_counter() - start

    steps = {name: (lambda m=module: m(x).sum().backward()) for name, module in modules.items()}
    medians = interleaved_medians(steps, args.iters, args.warmup, device)
    row = dict(ms={name: value * 1e3 for name, value in medians.items()},
               saved={name: saved_tensor_bytes(lambda m=module: m(x).sum()) / 2**20
                      for name, module in modules.items()},
               compile_s=compile_s,
               macs={name: multiply_adds(steps[name]) / args.batch_size
                     for name in ('MHSA', 'eager')},
               params={name: sum(p.numel() for p in modules[name].parameters())
                       for name in ('MHSA', 'eager')})
    if device.type == 'cuda':
        row['peak'] = {name: cuda_peak_bytes(step, device) / 2**20
                       for name, step in steps.items()}
    return row


def main(argv=None):
    args = parse_args(argv)
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    name = f'VARS-{"D" if args.dictionary == "dynamic" else "SD"} ({args.solver})'
    print(f'{name} vs MHSA (mmpretrain MultiheadAttention), forward + backward: '
          f'device={device} threads={torch.get_num_threads()} batch={args.batch_size} '
          f'width={args.embed_dims} heads={args.num_heads} steps={args.num_steps}')
    columns = ['MHSA'] + (['eager', 'compile'] if args.compile else ['eager'])
    header = f'{"tokens":>6}{"MAC x":>7}{"MHSA ms":>10}{"eager ms":>10}{"eager x":>9}'
    if args.compile:
        header += f'{"compile ms":>12}{"compile x":>11}{"compile s":>11}'
    header += '  saved MiB (' + ' / '.join(columns) + ')  M MAC/image (MHSA / VARS)'
    if device.type == 'cuda':
        header += '  peak MiB (' + ' / '.join(columns) + ')'
    print(header)
    params = None
    for tokens in args.tokens:
        row = measure_row(args, tokens, device)
        params = row['params']
        ms = row['ms']
        macs = row['macs']
        line = (f'{tokens:>6}{macs["eager"] / macs["MHSA"]:>6.2f}x'
                f'{ms["MHSA"]:>10.1f}{ms["eager"]:>10.1f}'
                f'{ms["eager"] / ms["MHSA"]:>8.2f}x')
        if args.compile:
            line += (f'{ms["compile"]:>12.1f}{ms["compile"] / ms["MHSA"]:>10.2f}x'
                     f'{row["compile_s"]:>11.1f}')
        line += '  ' + ' / '.join(f'{row["saved"][c]:.1f}' for c in columns)
        line += f'  {macs["MHSA"] / 1e6:.0f} / {macs["eager"] / 1e6:.0f}'
        if device.type == 'cuda':
            line += '  ' + ' / '.join(f'{row["peak"][c]:.1f}' for c in columns)
        print(line, flush=True)
    print(f'params: MHSA {params["MHSA"]:,}, {name} {params["eager"]:,}; '
          'x = time / MHSA time (goals: <= 1.5x at 196 tokens, <= 2.5x at 49); '
          'MAC x = multiply-adds / MHSA multiply-adds (forward + backward)')


if __name__ == '__main__':
    main()
