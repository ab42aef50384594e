"""Stands in for tools/analysis/ssl_eval.py in the harness tests: records its call and
writes results.json with the numbers the arm's fake config lists for the checkpoint's seed
(linear and kNN accuracy; every corruption cell at ``corruption[seed]`` accuracy). With
``--prerequisite`` alone it only records the call, as a spec's prerequisite command."""
import json
import os
import runpy
import sys

args = sys.argv[1:]
if args == ['--prerequisite']:
    with open(os.environ['FAKE_LOG'], 'a') as log:
        log.write(json.dumps(dict(script='prerequisite')) + '\n')
    sys.exit(0)
config, checkpoint = args[0], args[1]
out_dir = args[args.index('--out-dir') + 1]
if checkpoint == 'random':
    seed = int(args[args.index('--init-seed') + 1])
else:
    with open(checkpoint) as f:
        seed = json.load(f)['seed']
values = runpy.run_path(config)
stem = os.path.splitext(os.path.basename(config))[0]
with open(os.environ['FAKE_LOG'], 'a') as log:
    log.write(json.dumps(dict(script='eval', arm=stem, seed=seed, checkpoint=checkpoint)) + '\n')
names = values['corruptions']
accuracy = {c: {'1': values['corruption'][seed], '2': values['corruption'][seed]}
            for c in names}
os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, 'results.json'), 'w') as f:
    json.dump(dict(metrics={'linear/top1': values['linear'][seed],
                            'knn/top1': values['knn'][seed]},
                   tasks=dict(corruption=dict(accuracy=accuracy))), f)
