"""Layer-by-layer comparisons of suite models (docs/applications.md, "Float32 predictions").

Usage (KERAS_BACKEND=jax; the Go side is TestApplicationsLayers with KERAGO_APPS_LAYERS):
  python3 layers.py write DIR NAME FILE OUT [--perturb] [--to64 F64FILE]
      Writes every layer's inference output of DIR/FILE on DIR/cases.json's batch for NAME as
      float64 to OUT/LAYER.bin (OUT/index.json lists the layers and their classes), in the
      file's dtype. --perturb moves every input value by at most 1e-15 relative, as the Go
      suite's "batch perturbed" does. With KERAGO_APPS_FLOAT64=1 and --to64, NAME is built in
      float64 (apps.build), given DIR/FILE's weights cast to float64 and saved as DIR/F64FILE
      (for Go to load), and that model's outputs are written.
  python3 layers.py own MODELFILE K32 K64 G32 G64
      Each side's float32 error against its own float64 output per layer (relative to the
      layer's largest |float64 output|), and per layer class the median growth of that error
      over the layer's inputs, Keras's and Go's.
  python3 layers.py diff MODELFILE A B [P]
      Per layer |A - B| relative to max|B| (and |P - B|, e.g. B perturbed), and per layer
      class the median growth of |A - B| over the layer's inputs.
"""

import collections
import json
import os
import sys
import warnings
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402


def write(d, name, file, out, *flags):
    import apps  # float64 mode when KERAGO_APPS_FLOAT64=1
    import keras

    with open(os.path.join(d, "cases.json")) as f:
        c = json.load(f)[name]
    m = keras.saving.load_model(os.path.join(d, file), compile=False)
    if "--to64" in flags:
        w = [np.asarray(v, np.float64) for v in m.get_weights()]
        keras.backend.clear_session()
        m, _ = apps.build(name)
        m.set_weights(w)
        m.save(os.path.join(d, flags[flags.index("--to64") + 1]))
    x = np.asarray(c["x"], dtype=np.float64)
    if "--perturb" in flags:
        x = x * (1 + 1e-15 * np.sin(np.arange(x.size) * 12.9898))
    x = x.astype(apps.DTYPE).reshape(-1, c["side"], c["side"], 3)
    layers = [layer for layer in m.layers if not isinstance(layer, keras.layers.InputLayer)]
    res = keras.Model(m.inputs, [layer.output for layer in layers])(x, training=False)
    os.makedirs(out, exist_ok=True)
    for layer, r in zip(layers, res):
        np.asarray(r, np.float64).tofile(os.path.join(out, layer.name + ".bin"))
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump({"names": [layer.name for layer in layers],
                   "classes": {layer.name: type(layer).__name__ for layer in layers}}, f)


def inbound(model_file):
    """Returns each layer's input layers' names, from the .keras file's config."""
    cfg = json.loads(zipfile.ZipFile(model_file).read("config.json"))
    out = {}
    for layer in cfg["config"]["layers"]:
        ins = []

        def walk(o):
            if isinstance(o, dict):
                if "keras_history" in o.get("config", {}):
                    ins.append(o["config"]["keras_history"][0])
                else:
                    for v in o.values():
                        walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)

        walk(layer.get("inbound_nodes", []))
        out[layer["config"]["name"]] = ins
    return out


def load(p, n):
    return np.fromfile(os.path.join(p, n + ".bin"))


def rel(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300)


def growth(model_file, names, classes, errs):
    """Per layer class, the median of each errs[k][layer] over the largest of its inputs'."""
    inb = inbound(model_file)
    by = collections.defaultdict(list)
    for n in names:
        ins = [i for i in inb.get(n, []) if i in errs[0]]
        if ins:
            by[classes[n]].append([e[n] / max(max(e[i] for i in ins), 1e-30) for e in errs])
    for k, v in sorted(by.items()):
        print("%-24s %4d " % (k, len(v)) + " ".join("%8.2f" % x for x in np.median(np.array(v), axis=0)))


def own(model_file, k32, k64, g32, g64):
    idx = json.load(open(os.path.join(k64, "index.json")))
    names, classes = idx["names"], idx["classes"]
    ek = {n: rel(load(k32, n), load(k64, n)) for n in names}
    eg = {n: rel(load(g32, n), load(g64, n)) for n in names}
    print("%-30s %-22s %9s %9s %9s" % ("layer", "class", "Keras", "Go", "Go64-K64"))
    for n in names:
        print("%-30s %-22s %9.2e %9.2e %9.2e" % (n, classes[n], ek[n], eg[n], rel(load(g64, n), load(k64, n))))
    print("\ngrowth per class (median):  n    Keras       Go")
    growth(model_file, names, classes, [ek, eg])


def diff(model_file, a, b, p=None):
    idx = json.load(open(os.path.join(b, "index.json")))
    names, classes = idx["names"], idx["classes"]
    d = {n: rel(load(a, n), load(b, n)) for n in names}
    dp = {n: rel(load(p, n), load(b, n)) for n in names} if p else None
    for n in names:
        print("%-30s %-22s %9.2e" % (n, classes[n], d[n]) + (" %9.2e" % dp[n] if p else ""))
    print("\ngrowth per class (median):  n")
    growth(model_file, names, classes, [d] + ([dp] if p else []))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    {"write": write, "own": own, "diff": diff}[sys.argv[1]](*sys.argv[2:])
