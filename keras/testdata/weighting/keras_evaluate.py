"""Loads a .keras file with Keras 3 and evaluates it on weighting.json's data with its sample
weights, printing the logs as JSON on the last line. Used by keras/weighting_test.go to check
that a compile_config Go wrote (metric objects, weighted metrics) means the same to Keras.
Usage: KERAS_BACKEND=jax python3 keras_evaluate.py MODEL.keras"""
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np
import keras

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "weighting.json")) as f:
    g = json.load(f)
model = keras.saving.load_model(sys.argv[1])
logs = model.evaluate(np.array(g["x"], "float32"), np.array(g["y"], "float32"), batch_size=8, verbose=0,
                      return_dict=True, sample_weight=np.array(g["sample_weight"], "float32"))
print(json.dumps({k: float(v) for k, v in logs.items()}))
