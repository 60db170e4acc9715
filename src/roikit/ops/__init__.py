"""The ops and their conventions, on the engine.

:mod:`.roi_align` and :mod:`.roi_pool` hold RoI Align and RoI Pool (torchvision's
numbers); the other modules hold the other libraries' conventions: position-sensitive
ops, rotated boxes, Precise RoI Pooling, TensorFlow's crop_and_resize,
ONNX, the FPN pyramid, and the registry that compares them.
"""
