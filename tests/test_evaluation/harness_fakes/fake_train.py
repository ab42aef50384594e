"""Stands in for tools/train.py in the harness tests: records its call, writes a checkpoint
(the config name, seed and ``--pretrained`` file) and last_checkpoint. With
FAKE_FAIL=<config stem>:<seed> it dies
once, as a killed training would, after writing a first checkpoint."""
import json
import os
import sys

args = sys.argv[1:]
config, work_dir = args[0], args[args.index('--work-dir') + 1]
options = dict(a.split('=', 1) for a in args[args.index('--cfg-options') + 1:] if '=' in a)
seed = int(options['randomness.seed'])
stem = os.path.splitext(os.path.basename(config))[0]
pretrained = args[args.index('--pretrained') + 1] if '--pretrained' in args else None
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(dict(script='train', arm=stem, seed=seed, resume='--resume' in args,
                              options=options, pretrained=pretrained)) + '\n')
os.makedirs(work_dir, exist_ok=True)
if os.environ.get('FAKE_FAIL') == f'{stem}:{seed}' and \
        not os.path.exists(os.path.join(work_dir, 'epoch_1.pth')):
    with open(os.path.join(work_dir, 'epoch_1.pth'), 'w') as f:
        json.dump(dict(config=config, seed=seed, pretrained=pretrained), f)
    with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(os.path.join(work_dir, 'epoch_1.pth'))
    sys.exit(137)
checkpoint = os.path.join(work_dir, 'epoch_2.pth')
with open(checkpoint, 'w') as f:
    json.dump(dict(config=config, seed=seed, pretrained=pretrained), f)
with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
    f.write(checkpoint)
