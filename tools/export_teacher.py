"""Export a trained saliency teacher as the package's shipped default teacher.

Writes two files into --out-dir (default: attn_plugins/teacher/weights, where
`tools/gen_saliency.py --teacher default`, `EstimateSaliency(method='teacher')` and the demo
find them):

- default_teacher.py: an mmengine config holding only the model and its input size, with a
  header naming the training config and the checkpoint's SHA-256;
- default_teacher.pth: a plain state dict, floating-point tensors in fp16 (half the bytes; a
  saliency map loses nothing visible), loadable with torch.load(weights_only=True).

The checkpoint is loaded strictly first (attn_plugins.engine.load_weights), so a checkpoint
of another model is an error, not a shipped random teacher.

Examples:
    C=configs/saliency_teacher/saliency-teacher_resnet18-w16_1xb16-adam-15e_osie-scene-128x96_cpu.py
    python tools/export_teacher.py $C work_dirs/teacher_default/epoch_15.pth
"""
import argparse
import hashlib
import os
import os.path as osp

REPO_ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))

MAX_BYTES = 2 * 2**20  # the package ships at most 2 MB of teacher weights


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], epilog=__doc__.split('\n\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help="the teacher's training config")
    parser.add_argument('checkpoint', help='the trained checkpoint')
    parser.add_argument('--out-dir',
                        help="default: the package's teacher weights folder, "
                        'attn_plugins/teacher/weights')
    args = parser.parse_args(argv)
    if args.out_dir is None:  # imported after parsing: attn_plugins.teacher imports torch
        from attn_plugins.teacher.default import WEIGHTS_DIR
        args.out_dir = WEIGHTS_DIR
    return args


def sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def export_teacher(config: str, checkpoint: str, out_dir: str) -> dict:
    """Write ``default_teacher.py`` and ``default_teacher.pth`` into ``out_dir``.

    Returns:
        dict: ``config`` and ``weights`` (the written paths) and ``bytes`` (weights size).

    Raises:
        ValueError: If the teacher has no input size or its weights exceed 2 MB in fp16.
    """
    import torch
    from mmengine.config import Config

    from attn_plugins.teacher.build import build_teacher, teacher_input_size

    teacher, cfg = build_teacher(config, checkpoint, 'cpu')
    input_size = teacher_input_size(cfg)
    if input_size is None:
        raise ValueError(f'{config} has no SaliencyResize in its test pipeline and no '
                         "input_size, so the teacher's input size is unknown")
    state = {key: value.half() if value.is_floating_point() else value
             for key, value in teacher.state_dict().items()}
    os.makedirs(out_dir, exist_ok=True)
    weights = osp.join(out_dir, 'default_teacher.pth')
    torch.save(state, weights)
    size = osp.getsize(weights)
    if size > MAX_BYTES:
        os.remove(weights)
        raise ValueError(f'{config} gives {size / 2**20:.2f} MB of fp16 weights; the package '
                         f'ships at most {MAX_BYTES / 2**20:.0f} MB: train a smaller teacher')
    exported = Config(dict(default_scope=cfg.get('default_scope', 'mmpretrain'),
                           model=cfg.model, input_size=tuple(input_size)))
    path = osp.join(out_dir, 'default_teacher.py')
    exported.dump(path)
    header = (f'# The default saliency teacher, exported by tools/export_teacher.py from\n'
              f'# {osp.relpath(osp.abspath(config), REPO_ROOT)}\n'
              f'# checkpoint sha256 {sha256(checkpoint)}\n')
    with open(path) as f:
        body = f.read()
    with open(path, 'w') as f:
        f.write(header + body)
    return dict(config=path, weights=weights, bytes=size)


def main(argv=None) -> None:
    args = parse_args(argv)
    result = export_teacher(args.config, args.checkpoint, args.out_dir)
    print(f'wrote {result["config"]} and {result["weights"]} '
          f'({result["bytes"] / 2**20:.2f} MB)')


if __name__ == '__main__':
    main()
