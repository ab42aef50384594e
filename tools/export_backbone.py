"""Export the backbone of a pretraining checkpoint as a slim, tensors-only checkpoint.

A MoCo / CAST checkpoint holds the query encoder (``backbone.*``, ``neck.*``), the momentum
encoder (``encoder_k.*``), the queue, the optimizer state and the message hub. The slim file
keeps only the ``backbone.*`` tensors, with the prefix stripped (torchvision ResNet names:
``conv1.weight``, ``layer4.1.bn2.running_var``, ...), so any mmdet / mmseg project and plain
``torch.load(..., weights_only=True)`` can read it, without attn_plugins installed.

Examples:
    python tools/export_backbone.py work_dirs/cast_resnet50_8xb32-coslr-200e_coco/epoch_200.pth \\
        work_dirs/cast_r50_backbone.pth

    # keep the 'backbone.' prefix (then configs use prefix='backbone.' as for the full file)
    python tools/export_backbone.py CKPT OUT --keep-prefix

    # another module, e.g. the momentum encoder's backbone in a MoCo checkpoint
    python tools/export_backbone.py CKPT OUT --prefix encoder_k.module.0.

Use in an mmdet / mmseg config:
    model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=OUT)))
    # Faster R-CNN C4: the shared res5 head takes the layer4.* weights of the same file
    model = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint=OUT)),
                 roi_head=dict(shared_head=dict(init_cfg=dict(type='Pretrained',
                                                              checkpoint=OUT))))
or: python tools/train.py CONFIG --pretrained OUT --pretrained-prefix ''
"""
import argparse
import os
import os.path as osp
from collections import OrderedDict
from typing import Dict


# torch and attn_plugins.engine are imported where they are used: --help answers without them.


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Export the backbone weights of a checkpoint as a slim checkpoint.',
        epilog=__doc__.split('\n', 1)[1],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', help='pretraining checkpoint (mmengine format or a '
                        'bare state dict)')
    parser.add_argument('out', help='file to write')
    parser.add_argument('--prefix', default='backbone.',
                        help="keys to keep (default: 'backbone.')")
    parser.add_argument('--keep-prefix', action='store_true',
                        help='keep the prefix in the exported keys')
    return parser.parse_args(argv)


def extract_backbone(checkpoint: str, prefix: str = 'backbone.',
                     keep_prefix: bool = False) -> Dict[str, 'torch.Tensor']:
    """The tensors of ``checkpoint`` under ``prefix``.

    Args:
        checkpoint (str): Checkpoint file, loaded with ``weights_only=True``.
        prefix (str): Key prefix to keep; a missing trailing ``'.'`` is added, ``''``
            keeps every tensor.
        keep_prefix (bool): Keep the prefix in the returned keys. Defaults to False.

    Returns:
        OrderedDict[str, Tensor]: The weights, in checkpoint order, each an independent
        contiguous copy (so the saved file holds nothing else).

    Raises:
        FileNotFoundError: If ``checkpoint`` does not exist.
        ValueError: If no tensor is under ``prefix``.
    """
    # attn_plugins.engine lets torch's weights-only loader read mmengine checkpoints.
    from attn_plugins.engine.transfer import checkpoint_state_dict, weights_under

    if prefix and not prefix.endswith('.'):
        prefix += '.'
    weights = weights_under(checkpoint_state_dict(checkpoint), prefix, checkpoint)
    return OrderedDict(
        (key if keep_prefix else key[len(prefix):], value.detach().clone().contiguous())
        for key, value in weights.items())


def main(argv=None):
    args = parse_args(argv)
    import torch

    slim = extract_backbone(args.checkpoint, args.prefix, args.keep_prefix)
    out_dir = osp.dirname(osp.abspath(args.out))
    os.makedirs(out_dir, exist_ok=True)
    torch.save(slim, args.out)
    numel = sum(value.numel() for value in slim.values())
    print(f'wrote {args.out}: {len(slim)} tensors ({numel / 1e6:.2f}M values, '
          f'{osp.getsize(args.out) / 2**20:.1f} MiB) from {args.checkpoint} '
          f'under {args.prefix!r}')


if __name__ == '__main__':
    main()
