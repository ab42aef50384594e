# CAST's Grad-CAM grounding loss as a plugin fragment: a config puts it into any guided
# algorithm with
#   model = dict(attention_losses=dict(cast={{_base_.cast_grounding_loss}}))
# (a fragment defines no `model` itself: two bases may not both define one). Weight 0.75 as in
# the release; the layer is the backbone's last stage.
cast_grounding_loss = dict(type='CASTGroundingLoss', loss_weight=0.75, layer='backbone',
                           mask_threshold=0.5)
