"""Stands in for tools/train.py in the harness tests: records its call, writes a checkpoint
(the config name, seed and ``--pretrained`` file) and last_checkpoint, and a Runner-style
log whose stamps span 20 minutes and whose config dump has the ChannelsLastHook under
--channels-last (the harness reads wall times and the layout from it). With
FAKE_FAIL=<config stem>:<seed> it dies once, as a killed training would, after writing a
first checkpoint and a log spanning 10 minutes."""
import json
import os
import sys

args = sys.argv[1:]
config, work_dir = args[0], args[args.index('--work-dir') + 1]
options = dict(a.split('=', 1) for a in args[args.index('--cfg-options') + 1:] if '=' in a)
seed = int(options['randomness.seed'])
stem = os.path.splitext(os.path.basename(config))[0]
pretrained = args[args.index('--pretrained') + 1] if '--pretrained' in args else None
channels_last = '--channels-last' in args
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(dict(script='train', arm=stem, seed=seed, resume='--resume' in args,
                              options=options, pretrained=pretrained,
                              channels_last=channels_last)) + '\n')
os.makedirs(work_dir, exist_ok=True)


def runner_log(minutes):
    """A log like mmengine's, in a new timestamped folder, with stamps ``minutes`` apart."""
    attempt = len(os.listdir(work_dir))
    stamp = f'20260101_00000{attempt}'
    os.makedirs(os.path.join(work_dir, stamp))
    with open(os.path.join(work_dir, stamp, f'{stamp}.log'), 'w') as f:
        f.write('2026/01/01 10:00:00 - mmengine - INFO - Config:\ncustom_hooks = [\n'
                + ("    dict(type='ChannelsLastHook'),\n" if channels_last else '') + ']\n'
                f'2026/01/01 10:{minutes:02d}:00 - mmengine - INFO - Epoch(train) [1][1/1]  '
                f'time: 0.{minutes}\n')


if os.environ.get('FAKE_FAIL') == f'{stem}:{seed}' and \
        not os.path.exists(os.path.join(work_dir, 'epoch_1.pth')):
    runner_log(10)
    with open(os.path.join(work_dir, 'epoch_1.pth'), 'w') as f:
        json.dump(dict(config=config, seed=seed, pretrained=pretrained), f)
    with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(os.path.join(work_dir, 'epoch_1.pth'))
    sys.exit(137)
runner_log(20)
checkpoint = os.path.join(work_dir, 'epoch_2.pth')
with open(checkpoint, 'w') as f:
    json.dump(dict(config=config, seed=seed, pretrained=pretrained), f)
with open(os.path.join(work_dir, 'last_checkpoint'), 'w') as f:
    f.write(checkpoint)
