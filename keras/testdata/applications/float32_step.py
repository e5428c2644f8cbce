"""Steps a float64 suite model in float32 from the same weights (docs/applications.md).

Usage (after `KERAGO_APPS_FLOAT64=1 python3 apps.py write DIR NAME`):
  python3 float32_step.py DIR NAME

Keras builds NAME in float32, sets DIR/NAME.keras's float64 weights rounded to float32,
saves it as DIR/NAME.f32.keras, runs the SGD(0.01) step of apps.py on the batch in
DIR/cases.json rounded to float32, and saves DIR/NAME.f32.trained.keras. Comparing that step
with the float64 one (NAME.trained.keras) measures how much float32 rounding alone moves the
step: the conformance suite's float64 run reports it.
"""

import json
import os
import sys
import warnings

os.environ.setdefault("KERAS_BACKEND", "jax")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402
import keras  # noqa: E402

import apps  # noqa: E402  (float32: KERAGO_APPS_FLOAT64 unset)


def main(d, name):
    with open(os.path.join(d, "cases.json")) as f:
        c = json.load(f)[name]
    src = keras.saving.load_model(os.path.join(d, name + ".keras"), compile=False)
    weights = [np.asarray(w, dtype="float32") for w in src.get_weights()]
    keras.backend.clear_session()
    m, side = apps.build(name)
    m.set_weights(weights)
    m.save(os.path.join(d, name + ".f32.keras"))
    x = np.asarray(c["x"], dtype="float32").reshape(-1, side, side, 3)
    y = np.asarray(c["y"], dtype="float32").reshape(x.shape[0], -1)
    m.compile(optimizer=keras.optimizers.SGD(learning_rate=0.01), loss="categorical_crossentropy", run_eagerly=True)
    loss = float(m.train_on_batch(x, y))
    m.save(os.path.join(d, name + ".f32.trained.keras"))
    print(json.dumps({"loss": loss}))


if __name__ == "__main__":
    if os.environ.get("KERAGO_APPS_FLOAT64") == "1":
        sys.exit("float32_step.py runs in float32: unset KERAGO_APPS_FLOAT64")
    main(sys.argv[1], sys.argv[2])
