"""The keras.applications conformance suite's Keras side (KERAS_BACKEND=jax).

Usage:
  python3 apps.py write DIR NAME[,NAME...]
      Builds each named keras.applications architecture with weights=None, classes=10 at a
      small input (75x75 for the Inception family and Xception, 32x32 otherwise), with every
      Dropout layer's rate set to 0 (Keras's and Go's dropout masks cannot agree, and a rate
      of 0 keeps the layer in the file), and seeded noise added to every weight (moving
      statistics included) so that predictions differ across images and classes, and writes,
      for each:
        DIR/NAME.keras           the model as built (seeded initial weights)
        DIR/NAME.trained.keras   the model after one SGD(0.01) step on categorical
                                 crossentropy from those weights (train_on_batch)
      Keras runs eagerly (the model called directly, run_eagerly=True): XLA takes minutes to
      compile these graphs on a small machine, and one batch needs no compiled step.
      DIR/cases.json (names already in it are kept) lists, per name, the batch (2 images, uniform in [0, 1), or [0, 255) for
      the families that rescale their input themselves) and its one-hot
      labels, Keras's predictions from the initial weights, the step's loss, the seconds Keras
      took, or the error that kept Keras from building the model.
      With KERAGO_APPS_FLOAT64=1 in the environment, everything is float64 (jax x64, floatx
      and the dtype policy float64, and Keras's JAX type promotion kept from rounding float64
      to float32 — see float64_mode), for a step comparison free of float32 rounding; use a
      DIR of its own.
  python3 apps.py check DIR
      DIR/go.json (written by the Go test) lists the files Go saved (NAME.go.keras) and Go's
      predictions. Keras loads each file, predicts the same batch and prints a JSON report:
      per name the largest absolute difference from Go's predictions and the largest absolute
      prediction (for the relative figure), or the load error.
"""

import json
import os
import sys
import time
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
warnings.filterwarnings("ignore")

FLOAT64 = os.environ.get("KERAGO_APPS_FLOAT64") == "1"
if FLOAT64:
    import jax  # noqa: E402

    jax.config.update("jax_enable_x64", True)

import numpy as np  # noqa: E402
import keras  # noqa: E402

A = keras.applications
DTYPE = "float32"


def float64_mode():
    """Makes Keras build and compute in float64.

    Keras 3.15's type promotion on JAX maps float64 to float32 ("to be aligned with JAX's
    default behavior": BIT64_TO_BIT32_DTYPE in keras/src/backend/common/dtypes.py) whatever
    jax_enable_x64 says, and BatchNormalization (result_type(x, "float32")), ops.mean and
    ops.var compute in that type: a float64 model rounds there to float32. The table is
    changed in place so every module that reads it keeps float64.
    """
    global DTYPE
    from keras.src.backend.common import dtypes

    dtypes.BIT64_TO_BIT32_DTYPE["float64"] = "float64"
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    DTYPE = "float64"


if FLOAT64:
    float64_mode()

# The architectures, in keras.applications's spelling, with their input side.
ARCHS = {
    "ConvNeXtTiny": 32, "ConvNeXtSmall": 32, "ConvNeXtBase": 32, "ConvNeXtLarge": 32, "ConvNeXtXLarge": 32,
    "DenseNet121": 32, "DenseNet169": 32, "DenseNet201": 32,
    "EfficientNetB0": 32, "EfficientNetB1": 32, "EfficientNetB2": 32, "EfficientNetB3": 32,
    "EfficientNetB4": 32, "EfficientNetB5": 32, "EfficientNetB6": 32, "EfficientNetB7": 32,
    "EfficientNetV2B0": 32, "EfficientNetV2B1": 32, "EfficientNetV2B2": 32, "EfficientNetV2B3": 32,
    "EfficientNetV2S": 32, "EfficientNetV2M": 32, "EfficientNetV2L": 32,
    "InceptionV3": 75, "InceptionResNetV2": 75, "Xception": 75,
    "MobileNet": 32, "MobileNetV2": 32, "MobileNetV3Small": 32, "MobileNetV3Large": 32,
    "NASNetMobile": 32, "NASNetLarge": 32,
    "ResNet50": 32, "ResNet101": 32, "ResNet152": 32,
    "ResNet50V2": 32, "ResNet101V2": 32, "ResNet152V2": 32,
    "VGG16": 32, "VGG19": 32,
}

# Variants that are not constructor names: the name, its constructor and extra arguments.
VARIANTS = {
    "MobileNet_alpha0.25": ("MobileNet", {"alpha": 0.25}),
    "MobileNetV2_alpha0.35": ("MobileNetV2", {"alpha": 0.35}),
    "MobileNetV3Small_minimalistic": ("MobileNetV3Small", {"minimalistic": True}),
    "MobileNetV3Large_minimalistic": ("MobileNetV3Large", {"minimalistic": True}),
}

BATCH = 2
CLASSES = 10

# The weights as initialised predict nothing worth comparing for some families (MobileNet's
# zero-initialised classifier predicts exactly 1/classes for every image), so every trainable
# weight gets seeded noise before the model is saved, and BatchNormalization's moving
# statistics are calibrated (perturb). A kernel's noise is scaled by its fan-in, like He
# initialisation: KERNEL_NOISE / sqrt(fan-in), so each layer moves its output by about the
# same fraction whatever its width. A fixed standard deviation (0.05 on every kernel) grew the
# activations by ~3.4 per layer in VGG16 (0.05 * sqrt(3*3*512)) and saturated the softmax of
# VGG16, EfficientNet(V2)B0, MobileNetV3Small and NASNetMobile: a probability of 1 for the same
# class on both images, which any implementation predicts "equally". Biases, BatchNormalization
# and LayerNormalization scales and offsets, and ConvNeXt's layer scales get BIAS_NOISE.
# Non-trainable weights other than BatchNormalization's moving statistics (EfficientNet's
# Normalization mean and variance) are left as built.
KERNEL_NOISE = 0.5
BIAS_NOISE = 0.05
# NOISE overrides (KERNEL_NOISE, BIAS_NOISE) per architecture whose predictions would still
# saturate or collapse (see NOISE's entries).
NOISE = {
    # No BatchNormalization: 13 (16) convolutions initialised by Glorot shrink the signal
    # until bias noise alone decides (both images predicted alike to 1e-5); kernels moved by
    # more and biases left at 0 keep the images apart without saturating.
    "VGG16": (1.2, 0.0), "VGG19": (1.2, 0.0),
}


def fan_in(layer, v):
    """Returns the number of inputs each output of the kernel v of layer sums over."""
    shape = v.shape
    if isinstance(layer, keras.layers.DepthwiseConv2D) or v.path.endswith("depthwise_kernel"):
        return int(np.prod(shape[:-2]))  # (kh, kw, channels, multiplier): one channel each
    return int(np.prod(shape[:-1]))


def build(name):
    ctor, extra = VARIANTS.get(name, (name, {}))
    side = ARCHS[ctor]
    keras.utils.set_random_seed(1)
    kwargs = dict(weights=None, classes=CLASSES, input_shape=(side, side, 3))
    kwargs.update(extra)
    m = without_dropout(getattr(A, ctor)(**kwargs))
    perturb(m, np.random.default_rng(3), NOISE.get(name, (KERNEL_NOISE, BIAS_NOISE)), name, side)
    return m, side


def perturb(m, rng, noise, name, side):
    """Adds seeded noise to every trainable weight of m (see KERNEL_NOISE), then sets
    BatchNormalization's moving statistics to a calibration batch's statistics.

    Noise alone is not enough: moving variances of 1 over activations of variance ~0.01 shrink
    the signal at every BatchNormalization, and after MobileNet's 27 of them both images
    predicted the same to 1e-8. One training-mode call with momentum 0 makes each moving
    statistic its batch statistic, so inference keeps the images apart. The calibration batch
    holds the suite's 2 images and 6 others: every normalised value of the suite's images is
    then within sqrt(7) of 0 at every BatchNormalization. Deep in these networks random images'
    activations are nearly alike (variances down to 1e-6 of the means), so statistics from
    other images, or moved by noise (a mean shift of 0.01, a variance scaled by 0.8 to 1.2),
    put the suite's images hundreds of standard deviations out and saturated the softmax of
    MobileNetV3Small, EfficientNet(V2)B0 and NASNetMobile.
    """
    for layer in m._flatten_layers(include_self=False):
        for v in layer._trainable_variables:
            w = np.asarray(v.numpy(), np.float64)
            std = noise[1] if w.ndim < 2 else noise[0] / np.sqrt(fan_in(layer, v))
            v.assign((w + rng.normal(0, std, w.shape)).astype(v.dtype))
    bns = [layer for layer in m.layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [bn.momentum for bn in bns]
    for bn in bns:
        bn.momentum = 0.0
    top = 255 if name.startswith(PIXELS) else 1
    x = np.concatenate([batch(name, side)[0], rng.uniform(0, top, size=(6, side, side, 3)).astype(DTYPE)])
    m(x, training=True)
    for bn, momentum in zip(bns, momenta):
        bn.momentum = momentum


def without_dropout(m):
    """Returns m rebuilt from its config with every Dropout rate 0, holding m's weights."""
    cfg = m.get_config()
    changed = False
    for layer in cfg["layers"]:
        if layer["class_name"] == "Dropout" and layer["config"].get("rate"):
            layer["config"]["rate"] = 0.0
            changed = True
    if not changed:
        return m
    out = m.__class__.from_config(cfg)
    out.set_weights(m.get_weights())
    return out


# The families that rescale their input from [0, 255] themselves (a Rescaling or Normalization
# layer first): images in [0, 1) would reach them as nearly one colour, and both images of the
# batch would get the same prediction.
PIXELS = ("ConvNeXt", "EfficientNet", "MobileNetV3")


def batch(name, side):
    rng = np.random.default_rng(7)
    top = 255 if name.startswith(PIXELS) else 1
    x = rng.uniform(0, top, size=(BATCH, side, side, 3)).astype(DTYPE)
    y = np.eye(CLASSES, dtype=DTYPE)[rng.integers(0, CLASSES, size=BATCH)]
    return x, y


def write(d, names):
    path = os.path.join(d, "cases.json")
    cases = {}
    if os.path.exists(path):
        with open(path) as f:
            cases = json.load(f)
    for name in names.split(","):
        t0 = time.time()
        try:
            m, side = build(name)
            x, y = batch(name, side)
            m.save(os.path.join(d, name + ".keras"))
            pred = np.asarray(m(x, training=False), dtype=np.float64)
            m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy",
                      run_eagerly=True)
            loss = float(m.train_on_batch(x, y))
            m.save(os.path.join(d, name + ".trained.keras"))
            cases[name] = {
                "side": side,
                "x": x.ravel().tolist(), "y": y.ravel().tolist(),
                "pred": pred.ravel().tolist(), "pred_shape": list(pred.shape),
                "loss": loss, "params": int(m.count_params()),
                "seconds": time.time() - t0,
            }
        except Exception as e:  # reported per architecture, the others go on
            cases[name] = {"error": f"{type(e).__name__}: {e}"}
        keras.backend.clear_session()
        # Written after each architecture, so an interrupted run keeps what it made.
        with open(path + ".tmp", "w") as f:
            json.dump(cases, f)
        os.replace(path + ".tmp", path)


def check(d):
    with open(os.path.join(d, "go.json")) as f:
        go = json.load(f)
    with open(os.path.join(d, "cases.json")) as f:
        cases = json.load(f)
    report = {}
    for name, g in go.items():
        c = cases[name]
        x = np.asarray(c["x"], dtype=DTYPE).reshape(-1, c["side"], c["side"], 3)
        try:
            m = keras.saving.load_model(os.path.join(d, g["file"]), compile=False)
            p = np.asarray(m(x, training=False), dtype=np.float64)
            want = np.asarray(g["pred"], dtype=np.float64).reshape(p.shape)
            report[name] = {"abs": float(np.max(np.abs(p - want))), "scale": float(np.max(np.abs(p)))}
        except Exception as e:
            report[name] = {"error": f"{type(e).__name__}: {e}"}
        keras.backend.clear_session()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    {"check": check, "write": write}[sys.argv[1]](*sys.argv[2:])
