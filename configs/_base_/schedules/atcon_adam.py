# ATCON's optimiser (Mirzazadeh, Dubost et al.): Adam with a small constant lr, 5e-6 in the
# range the paper used (1e-6 to 5e-6), for supervised and consistency fine-tuning alike.
optim_wrapper = dict(optimizer=dict(type='Adam', lr=5e-6, weight_decay=0.0))
val_cfg = dict()
test_cfg = dict()
auto_scale_lr = dict(base_batch_size=16)
