"""Conformance of kerago's saved models with Keras 3 itself (KERAS_BACKEND=jax).

Usage:
  python3 keras_conformance.py check DIR
      DIR/cases.json (written by the Go test) lists models Go saved: for each, a .keras archive,
      a legacy .h5 file and a .weights.h5 file, the inputs and Go's predictions. Keras loads
      every file (keras.saving.load_model; load_weights into the loaded model after zeroing
      it), predicts, and re-saves what it loaded in the same formats. Prints a JSON report:
      per case and file the largest difference from Go's predictions, the datasets (path,
      shape, dtype) of Go's file and of Keras's re-save, and the optimizer's iterations.
  python3 keras_conformance.py write DIR [NAME,NAME...]
      Builds models with Keras defaults, trains them one epoch, and saves each as
      DIR/<name>.keras, DIR/<name>.h5 (model.save) and DIR/<name>.weights.h5 (save_weights),
      with DIR/cases.json holding the inputs, Keras's predictions and optimizer iterations.
      The Go tests read the files committed in keras/testdata/saving/keras, made this way.
      With names, only those models are written and their cases.json entries replaced.
"""

import json
import os
import sys
import warnings
import zipfile

os.environ.setdefault("KERAS_BACKEND", "jax")
warnings.filterwarnings("ignore")

import h5py  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402


def datasets(path):
    """Lists (path, shape, dtype) of every dataset of an HDF5 file or of a .keras archive's
    model.weights.h5."""
    if path.endswith(".keras"):
        with zipfile.ZipFile(path) as z:
            tmp = path + ".weights-extract.h5"
            with open(tmp, "wb") as f:
                f.write(z.read("model.weights.h5"))
        try:
            return datasets(tmp)
        finally:
            os.remove(tmp)
    out = []
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out.append([name, list(obj.shape), str(obj.dtype)])
        f.visititems(visit)
    return sorted(out)


def to_array(spec):
    return np.asarray(spec["data"], dtype=spec["dtype"]).reshape(spec["shape"])


def predict(m, inputs):
    out = m.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
    if not isinstance(out, (list, tuple)):
        out = [out]
    return [np.asarray(o, dtype=np.float64) for o in out]


def max_err(got, want):
    if len(got) != len(want):
        return float("inf")
    worst = 0.0
    for g, w in zip(got, want):
        w = np.asarray(w["data"], dtype=np.float64).reshape(w["shape"])
        if g.shape != w.shape:
            return float("inf")
        worst = max(worst, float(np.max(np.abs(g - w))) if g.size else 0.0)
    return worst


def iterations(m):
    opt = getattr(m, "optimizer", None)
    if opt is None:
        return None
    return int(np.asarray(opt.iterations))


def check(d):
    with open(os.path.join(d, "cases.json")) as f:
        cases = json.load(f)
    report = {}
    for c in cases:
        inputs = [to_array(s) for s in c["inputs"]]
        r = {}
        k = keras.saving.load_model(os.path.join(d, c["files"]["keras"]))
        r["keras"] = {"err": max_err(predict(k, inputs), c["outputs"]), "iterations": iterations(k)}
        resave = os.path.join(d, c["name"] + ".keras-resave.keras")
        k.save(resave)
        r["keras"]["go_datasets"] = datasets(os.path.join(d, c["files"]["keras"]))
        r["keras"]["keras_datasets"] = datasets(resave)

        h = keras.saving.load_model(os.path.join(d, c["files"]["h5"]))
        r["h5"] = {"err": max_err(predict(h, inputs), c["outputs"]), "iterations": iterations(h)}
        resave = os.path.join(d, c["name"] + ".h5-resave.h5")
        h.save(resave)
        r["h5"]["go_datasets"] = datasets(os.path.join(d, c["files"]["h5"]))
        r["h5"]["keras_datasets"] = datasets(resave)

        w = keras.saving.load_model(os.path.join(d, c["files"]["keras"]))
        w.set_weights([np.zeros_like(x) for x in w.get_weights()])
        w.load_weights(os.path.join(d, c["files"]["weights"]))
        r["weights"] = {"err": max_err(predict(w, inputs), c["outputs"]), "iterations": iterations(w)}
        resave = os.path.join(d, c["name"] + ".resave.weights.h5")
        w.save_weights(resave)
        r["weights"]["go_datasets"] = datasets(os.path.join(d, c["files"]["weights"]))
        r["weights"]["keras_datasets"] = datasets(resave)
        report[c["name"]] = r
    json.dump(report, sys.stdout)


def data(shape, seed, dtype="float32", vocab=None):
    rng = np.random.default_rng(seed)
    if vocab:
        return rng.integers(0, vocab, size=shape).astype(dtype)
    return rng.uniform(-1, 1, size=shape).astype(dtype)


def keras_models():
    L = keras.layers
    out = {}

    x = keras.Input((8,))
    h = L.Dense(16, activation="relu")(x)
    out["mlp"] = (keras.Model(x, L.Dense(3, activation="softmax")(h)), "adam", "categorical_crossentropy",
                  [data((16, 8), 1)], [np.eye(3)[data((16,), 2, "int32", 3)]])

    seq = keras.Sequential([keras.Input((6,)), L.Dense(5, activation="tanh"), L.Dropout(0.2), L.Dense(2)])
    out["sequential"] = (seq, keras.optimizers.SGD(momentum=0.9), "mse", [data((16, 6), 3)], [data((16, 2), 4)])

    text = keras.Input((None,), dtype="int32", name="text")
    et = L.Embedding(50, 8, mask_zero=True)(text)
    q = keras.Input((None,), dtype="int32", name="question")
    eq = L.Embedding(30, 4)(q)
    c = L.Concatenate()([L.LSTM(6)(et), L.LSTM(3)(eq)])
    out["qa"] = (keras.Model([text, q], L.Dense(5, activation="softmax")(c)), "adam", "categorical_crossentropy",
                 [data((16, 7), 5, "int32", 50), data((16, 5), 6, "int32", 30)], [np.eye(5)[data((16,), 7, "int32", 5)]])

    posts = keras.Input((None,), dtype="int32", name="posts")
    y = L.Embedding(40, 8)(posts)
    y = L.Conv1D(8, 3, activation="relu")(y)
    y = L.MaxPooling1D(2)(y)
    y = L.Conv1D(8, 3, activation="relu")(y)
    y = L.GlobalMaxPooling1D()(y)
    y = L.Dense(8, activation="relu")(y)
    outs = [L.Dense(1, name="age")(y), L.Dense(3, activation="softmax", name="income")(y),
            L.Dense(1, activation="sigmoid", name="gender")(y)]
    out["three_outputs"] = (keras.Model(posts, outs), "rmsprop",
                            {"age": "mse", "income": "categorical_crossentropy", "gender": "binary_crossentropy"},
                            [data((16, 12), 8, "int32", 40)],
                            [data((16, 1), 9), np.eye(3)[data((16,), 10, "int32", 3)], (data((16, 1), 11) > 0).astype("float32")])

    shared = L.LSTM(5)
    a = keras.Input((None, 4))
    b = keras.Input((None, 4))
    z = L.Concatenate()([shared(a), shared(b)])
    out["shared"] = (keras.Model([a, b], L.Dense(1, activation="sigmoid")(z)), "adam", "binary_crossentropy",
                     [data((16, 5, 4), 12), data((16, 5, 4), 13)], [(data((16, 1), 14) > 0).astype("float32")])

    ii = keras.Input((5,))
    inner = keras.Model(ii, L.Dense(3)(ii))
    inner_seq = keras.Sequential([keras.Input((3,)), L.Dense(2), L.BatchNormalization()])
    xx = keras.Input((7,))
    hh = L.Dense(5)(xx)
    s = L.Add()([inner(hh), inner(hh)])
    out["nested"] = (keras.Model(xx, L.Dense(1)(inner_seq(s))), keras.optimizers.SGD(momentum=0.9), "mse",
                     [data((16, 7), 15)], [data((16, 1), 16)])

    xb = keras.Input((6,))
    hb = L.BatchNormalization()(L.Dense(8)(xb))
    out["batchnorm"] = (keras.Model(xb, L.Dense(1)(L.Activation("relu")(hb))), "adam", "mse",
                        [data((16, 6), 17)], [data((16, 1), 18)])

    xr = keras.Input((None, 3))
    r = L.GRU(4, return_sequences=True)(xr)
    r = L.SimpleRNN(3, return_sequences=True)(r)
    r = L.Bidirectional(L.LSTM(2))(r)
    out["recurrent"] = (keras.Model(xr, L.Dense(1)(r)), "adagrad", "mse", [data((16, 6, 3), 19)], [data((16, 1), 20)])

    # Masking writes NotEqual and Any ops that feed the LSTM's mask; padded steps are zeros.
    xm = keras.Input((5, 3))
    pm = data((16, 5, 3), 40)
    for i in range(16):
        pm[i, 5 - i % 3:] = 0
    hm = L.LSTM(3)(L.SpatialDropout1D(0.2)(L.Masking(0.0)(xm)))
    out["masked_sequence"] = (keras.Model(xm, L.Dense(1)(hm)), "adam", "mse", [pm], [data((16, 1), 41)])

    xc = keras.Input((8, 8, 3))
    cc = L.ZeroPadding2D(1)(xc)
    cc = L.Conv2D(4, 3, activation="relu")(cc)
    cc = L.MaxPooling2D(2)(cc)
    cc = L.Conv2D(6, 3, padding="same", strides=2)(cc)
    cc = L.Flatten()(cc)
    out["conv2d"] = (keras.Model(xc, L.Dense(2)(cc)), "adam", "mse", [data((16, 8, 8, 3), 21)], [data((16, 2), 22)])

    # The convolutions of MobileNet, Xception and the autoencoder's decoder (branch convs).
    xv = keras.Input((8, 8, 3))
    v = L.Conv2D(8, 3, strides=2, padding="same")(xv)
    v = L.DepthwiseConv2D(3, padding="same", depth_multiplier=2, activation="relu")(v)
    v = L.SeparableConv2D(6, 3, padding="same")(v)
    v = L.Conv2DTranspose(4, 3, strides=2, padding="same", output_padding=1)(v)
    v = L.Flatten()(L.Conv2DTranspose(2, 2, strides=2, use_bias=False)(v))
    out["conv_variants"] = (keras.Model(xv, L.Dense(2)(v)), "adam", "mse", [data((16, 8, 8, 3), 42)], [data((16, 2), 43)])
    xs1 = keras.Input((10, 3))
    s1 = L.DepthwiseConv1D(3, depth_multiplier=2, padding="same", activation="tanh")(xs1)
    s1 = L.SeparableConv1D(4, 3, strides=2)(s1)
    s1 = L.Conv1DTranspose(3, 3, strides=2)(s1)
    out["conv1d_variants"] = (keras.Model(xs1, L.Dense(1)(L.Flatten()(s1))), "sgd", "mse", [data((16, 10, 3), 44)], [data((16, 1), 45)])

    # data_format="channels_first" in every layer that takes it, BatchNormalization(axis=1).
    cf = "channels_first"
    xf = keras.Input((3, 8, 8))
    fa = L.Conv2D(4, 3, padding="same", data_format=cf)(xf)
    fa = L.Activation("relu")(L.BatchNormalization(axis=1)(fa))
    fa = L.SpatialDropout2D(0.1, data_format=cf)(L.MaxPooling2D(2, data_format=cf)(fa))
    fa = L.DepthwiseConv2D(3, padding="same", data_format=cf)(L.ZeroPadding2D(1, data_format=cf)(fa))
    fa = L.SeparableConv2D(3, 3, data_format=cf)(fa)
    fa = L.Conv2DTranspose(2, 2, strides=2, data_format=cf)(L.Cropping2D(((0, 1), (1, 0)), data_format=cf)(fa))
    fa = L.AveragePooling2D(2, data_format=cf)(L.UpSampling2D(2, data_format=cf)(fa))
    fs = L.Conv1D(3, 2, data_format=cf)(L.Reshape((2, 36))(fa))
    fs = L.MaxPooling1D(2, data_format=cf)(L.ZeroPadding1D(1, data_format=cf)(fs))
    fh = L.Concatenate()([L.Flatten(data_format=cf)(fa), L.GlobalAveragePooling2D(data_format=cf)(fa),
                          L.GlobalMaxPooling1D(data_format=cf)(fs)])
    out["channels_first"] = (keras.Model(xf, L.Dense(2)(fh)), "sgd", "mse", [data((16, 3, 8, 8), 46)], [data((16, 2), 47)])

    # Nested functional models as direct outputs: Keras numbers their calls from 1 in
    # output_layers (the construction is call 0) and from 0 in inbound_nodes.
    ei = keras.Input((6,), name="enc_in")
    encoder = keras.Model(ei, L.Dense(3, activation="relu")(ei), name="encoder")
    di = keras.Input((3,), name="dec_in")
    decoder = keras.Model(di, L.Dense(6)(di), name="decoder")
    img = keras.Input((6,), name="img")
    out["autoencoder"] = (keras.Model(img, decoder(encoder(img)), name="autoencoder"), "adam", "mse",
                          [data((16, 6), 23)], [data((16, 6), 23)])

    ti = keras.Input((4,), name="tower_in")
    tower = keras.Model(ti, L.Dense(2)(ti), name="tower")
    left, right = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    out["nested_twice"] = (keras.Model([left, right], [tower(left), tower(right)], name="siamese"), "sgd", "mse",
                           [data((16, 4), 24), data((16, 4), 25)], [data((16, 2), 26), data((16, 2), 27)])

    i3 = keras.Input((4,), name="in3")
    level3 = keras.Model(i3, L.Dense(3, activation="tanh")(i3), name="level3")
    i2 = keras.Input((5,), name="in2")
    level2 = keras.Model(i2, level3(L.Dense(4)(i2)), name="level2")
    i1 = keras.Input((5,), name="in1")
    out["nested_deep"] = (keras.Model(i1, level2(i1), name="level1"), "adam", "mse",
                          [data((16, 5), 28)], [data((16, 3), 29)])

    hi = keras.Input((4,), name="head_in")
    head = keras.Model(hi, L.Dense(2)(hi), name="head")
    feats = keras.Input((4,), name="features")
    trunk = L.Dense(4, activation="relu", name="trunk")(feats)
    side = keras.Sequential([keras.Input((4,)), L.Dense(2)])  # not a Functional: calls count from 0
    out["nested_mixed"] = (keras.Model(feats, [head(feats), L.Dense(1, name="plain")(trunk), head(trunk), side(trunk)],
                                       name="mixed"),
                           "adam", "mse", [data((16, 4), 30)],
                           [data((16, 2), 31), data((16, 1), 32), data((16, 2), 33), data((16, 2), 39)])

    # The guide's ticket model: token inputs at the default float32 dtype into Embedding.
    title = keras.Input((None,), name="title")
    body = keras.Input((None,), name="body")
    tags = keras.Input((6,), name="tags")
    tf = L.LSTM(5)(L.Embedding(30, 4)(title))
    bf = L.LSTM(3)(L.Embedding(30, 4)(body))
    tx = L.concatenate([tf, bf, tags])
    out["ticket"] = (keras.Model([title, body, tags], [L.Dense(1, name="priority")(tx), L.Dense(3, name="department")(tx)],
                                 name="ticket"), "rmsprop", "mse",
                     [data((16, 7), 34, "float32", 30), data((16, 9), 35, "float32", 30), data((16, 6), 36)],
                     [data((16, 1), 37), data((16, 3), 38)])
    return out


def write(d, only=None):
    """Writes every model, or only the named ones (a comma-separated list), replacing their
    entries in an existing DIR/cases.json and keeping the others."""
    os.makedirs(d, exist_ok=True)
    keras.utils.set_random_seed(0)
    cases = []
    names = set(only.split(",")) if only else None
    for name, (m, opt, loss, x, y) in keras_models().items():
        if names is not None and name not in names:
            continue
        m.compile(optimizer=opt, loss=loss)
        m.fit(x if len(x) > 1 else x[0], y if len(y) > 1 else y[0], epochs=1, batch_size=8, verbose=0, shuffle=False)
        m.save(os.path.join(d, name + ".keras"))
        m.save(os.path.join(d, name + ".h5"))
        m.save_weights(os.path.join(d, name + ".weights.h5"))
        probe = [xi[:4] for xi in x]
        preds = predict(m, probe)
        cases.append({
            "name": name,
            "inputs": [{"shape": list(p.shape), "dtype": str(p.dtype), "data": p.ravel().tolist()} for p in probe],
            "outputs": [{"shape": list(p.shape), "data": p.ravel().tolist()} for p in preds],
            "iterations": iterations(m),
            "weights": [{"shape": list(w.shape), "data": np.asarray(w, dtype=np.float64).ravel().tolist()} for w in m.get_weights()],
        })
    path = os.path.join(d, "cases.json")
    if names is not None and os.path.exists(path):
        with open(path) as f:
            kept = [c for c in json.load(f)["cases"] if c["name"] not in names]
        cases = kept + cases
    with open(path, "w") as f:
        json.dump({"keras_version": keras.__version__, "cases": cases}, f)


if __name__ == "__main__":
    {"check": check, "write": write}[sys.argv[1]](*sys.argv[2:])
