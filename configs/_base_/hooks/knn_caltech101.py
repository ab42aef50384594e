# kNN accuracy of the encoder during pretraining (KNNAccuracyHook): every epoch, 20-NN
# (cosine, temperature 0.07) of 1,000 Caltech-101 test images among 2,000 training images,
# 64 px, BatchNorm in eval mode; logs knn/top1 and knn/mean_class to the log, the message hub
# and the visualizer (vis_data/scalars.json).
# Add this file to a pretraining config's _base_; a config that sets its own custom_hooks
# replaces this list, so copy the hook into it instead.
custom_hooks = [
    dict(type='KNNAccuracyHook', interval=1, size=64, max_train=2000, max_test=1000,
         data_root='{{$ATTN_DATA_ROOT:../shared/data}}/caltech101'),
]
