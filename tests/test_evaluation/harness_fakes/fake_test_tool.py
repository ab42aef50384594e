"""Stands in for tools/test.py in the harness tests: records its call and writes the metrics
JSON (``--out``) that the fake config lists for the pretraining behind the checkpoint: the
config's ``ap50[<pretraining config stem> or 'random'][<seed>]``."""
import json
import os
import runpy
import sys

args = sys.argv[1:]
config, checkpoint = args[0], args[1]
out = args[args.index('--out') + 1]
with open(checkpoint) as f:
    trained = json.load(f)
pretrained = trained['pretrained']
if pretrained is None:
    source, seed = 'random', trained['seed']
else:
    with open(pretrained) as f:
        pretraining = json.load(f)
    source = os.path.splitext(os.path.basename(pretraining['config']))[0]
    seed = pretraining['seed']
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(dict(script='test', arm=source, seed=seed, checkpoint=checkpoint)) +
              '\n')
with open(out, 'w') as f:
    json.dump({'coco/bbox_mAP_50': runpy.run_path(config)['ap50'][source][seed],
               'coco/bbox_mAP_copypaste': '0.5 0.3'}, f)
