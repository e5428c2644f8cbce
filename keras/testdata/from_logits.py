"""A Keras-written model compiled with from_logits losses (keras/saving_from_logits_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/testdata/from_logits.py

The model has three linear outputs compiled with a dict of loss objects:
CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
SparseCategoricalCrossentropy(from_logits=True) and BinaryCrossentropy(from_logits=True,
label_smoothing=0.2). The logits are scaled so rows lie far apart. It writes
keras/testdata/from_logits.keras and, in keras/testdata/from_logits.json, the inputs, the
targets, the compile config's loss and what model.evaluate returns.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    keras.utils.set_random_seed(14)
    rng = np.random.default_rng(14)
    inp = keras.Input((6,), name="x")
    h = layers.Dense(8, activation="tanh", name="hidden")(inp)
    outs = [
        layers.Dense(4, name="cls", kernel_initializer=keras.initializers.RandomNormal(stddev=40))(h),
        layers.Dense(3, name="ids", kernel_initializer=keras.initializers.RandomNormal(stddev=40))(h),
        layers.Dense(2, name="bin", kernel_initializer=keras.initializers.RandomNormal(stddev=40))(h),
    ]
    model = keras.Model(inp, outs)
    model.compile(
        optimizer="adam",
        loss={
            "cls": keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
            "ids": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            "bin": keras.losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.2),
        },
    )
    n = 10
    x = rng.normal(size=(n, 6)).astype("float32")
    y = {
        "cls": np.eye(4, dtype="float32")[rng.integers(0, 4, size=n)],
        "ids": rng.integers(0, 3, size=(n,)).astype("int32"),
        "bin": rng.integers(0, 2, size=(n, 2)).astype("float32"),
    }
    logs = model.evaluate(x, y, batch_size=n, verbose=0, return_dict=True)
    model.save(os.path.join(HERE, "from_logits.keras"))
    with open(os.path.join(HERE, "from_logits.json"), "w") as f:
        json.dump({
            "keras": keras.__version__,
            "backend": keras.backend.backend(),
            "loss": model._compile_config.config["loss"] if hasattr(model, "_compile_config") else None,
            "x": x.tolist(),
            "y": {k: v.tolist() for k, v in y.items()},
            "evaluate": {k: float(v) for k, v in logs.items()},
        }, f, indent=1, default=lambda o: keras.saving.serialize_keras_object(o))
        f.write("\n")
    print(logs)


if __name__ == "__main__":
    main()
