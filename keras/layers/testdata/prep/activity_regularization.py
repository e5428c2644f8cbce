"""Keras 3 trains a model with an ActivityRegularization layer (keras/layers/activity_regularization_test.go).

Run from the repository root:

    KERAS_BACKEND=jax python3 keras/layers/testdata/prep/activity_regularization.py

It writes activity_regularization.keras (the compiled model before training) and
activity_regularization.json: the batch, the losses train_on_batch returns for three SGD steps
(the penalty included, divided by the batch size as Keras 3 does), the evaluate loss after
them and the weights they end with.
"""

import json
import os

os.environ.setdefault("KERAS_BACKEND", "jax")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from keras import layers  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    keras.utils.set_random_seed(12)
    rng = np.random.default_rng(12)
    inp = keras.Input((4,), name="x")
    h = layers.Dense(3, activation="tanh", name="hidden")(inp)
    h = layers.ActivityRegularization(l1=0.05, l2=0.1, name="reg")(h)
    out = layers.Dense(2, name="out")(h)
    model = keras.Model(inp, out)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    model.save(os.path.join(HERE, "activity_regularization.keras"))
    x = rng.normal(size=(5, 4)).astype("float32")
    y = rng.normal(size=(5, 2)).astype("float32")
    losses = [float(model.train_on_batch(x, y)) for _ in range(3)]
    evaluate = float(model.evaluate(x, y, batch_size=5, verbose=0))
    plain = float(np.mean((model.predict(x, verbose=0) - y) ** 2))
    with open(os.path.join(HERE, "activity_regularization.json"), "w") as f:
        json.dump({
            "keras": keras.__version__,
            "x": x.tolist(),
            "y": y.tolist(),
            "train_losses": losses,
            "evaluate": evaluate,
            "mse_only": plain,
            "weights": [w.tolist() for w in model.get_weights()],
        }, f)
    print(json.dumps({"losses": losses, "evaluate": evaluate, "mse": plain}))


if __name__ == "__main__":
    main()
