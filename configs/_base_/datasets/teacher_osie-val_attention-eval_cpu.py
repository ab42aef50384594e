# Where a CPU student's attention head is scored, on OSIE's held-out images 1601-1700 (never
# trained on), at 64x48 (OSIE's 4:3), with the center-bias baseline beside it:
# - val (at the end of training): against human fixations (SaliencyMetric at 800x600);
# - test (tools/test.py): against the teacher's maps, which tools/gen_saliency.py writes to
#   work_dirs/teacher_maps/osie-val (--dataset-config TEACHER_CONFIG --dataset-key
#   val_dataloader.dataset); NSS and AUC-Judd against the top 2% of each map's pixels.
osie_root = '{{$ATTN_DATA_ROOT:../shared/data}}/osie/'
val_maps_dir = 'work_dirs/teacher_maps/osie-val'
eval_size = (64, 48)

val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),  # a (B, 3, H, W) batch, as students expect
    dataset=dict(
        type='OSIEFixations', data_root=osie_root, split='val',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='FixationsToDensity', sigma_deg=1.0, pixels_per_degree=24.0,
                 keep_ground_truth=True),
            dict(type='SaliencyResize', scale=eval_size),
            dict(type='PackSaliencyInputs'),
        ]))
val_evaluator = dict(type='SaliencyMetric', center_bias=True)
val_cfg = dict()

test_dataloader = dict(
    batch_size=32,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),  # a (B, 3, H, W) batch, as students expect
    dataset=dict(
        type='SaliencyImageFolder',
        img_dirs=osie_root + 'images',
        saliency_dir=val_maps_dir,
        missing_saliency='skip',
        pipeline=[
            dict(type='LoadImageFromFile'),
            dict(type='LoadSaliencyMap', key='fixation_density'),
            dict(type='SaliencyResize', scale=eval_size),
            dict(type='FixationsFromMap', key='fixation_density', method='topk', ratio=0.02),
            dict(type='PackSaliencyInputs'),
        ]))
test_evaluator = dict(type='SaliencyMetric', center_bias=True, prefix='teacher_agreement')
test_cfg = dict()
