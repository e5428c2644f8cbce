"""Write HDF5 files in the layouts h5py can produce, for the Go reader's tests.

Usage: python3 h5write.py DIR [golden]

With "golden", writes a smaller set of smaller files (kept in testdata/h5py).

Each file goes to DIR/<name>.h5. Datasets whose name starts with "unsupported_"
use a feature the Go reader does not decode; it must list them and report
ErrUnsupported for their values.
"""

import os
import sys

import h5py
import numpy as np

rng = np.random.default_rng(7)


def common_attrs(obj):
    obj.attrs["vlen_str"] = "3.8.0"
    obj.attrs["vlen_empty"] = ""
    obj.attrs["vlen_unicode"] = "h\u00e9llo \u2603"
    obj.attrs["fixed_bytes"] = b"tensorflow"
    obj.attrs["fixed_array"] = np.array([b"dense", b"lstm", b""])
    obj.attrs["vlen_array"] = ["a", "bc", ""]
    obj.attrs["int"] = 7
    obj.attrs["neg_int"] = -(2**40)
    obj.attrs["float"] = 0.1
    obj.attrs["int32"] = np.int32(-3)
    obj.attrs["uint8"] = np.uint8(200)
    obj.attrs["uint64"] = np.uint64(2**63 + 5)
    obj.attrs["float32"] = np.float32(1.5)
    obj.attrs["ints"] = np.array([1, 2, 3], dtype=np.int64)
    obj.attrs["floats"] = np.array([1.5, -2.25, np.inf, np.nan])
    obj.attrs["float32s"] = np.array([0.1, 0.2], dtype=np.float32)
    obj.attrs["empty_floats"] = np.array([])
    obj.attrs["matrix"] = np.arange(6, dtype=np.int16).reshape(2, 3)
    obj.attrs["big_endian"] = np.array([1.0, 2.0], dtype=">f8")
    obj.attrs["null"] = h5py.Empty("f")
    obj.attrs["bool"] = True
    obj.attrs["bytes"] = b"vlen ascii"
    obj.attrs["np_bytes"] = np.bytes_(b"fixed")


def datasets(g):
    g["f4"] = rng.standard_normal((2, 3)).astype(np.float32)
    g["f8"] = rng.standard_normal(5)
    g["f2"] = np.array([0.5, -1.0, 65504, 6e-8, np.inf], dtype=np.float16)
    g["i1"] = np.array([-128, 0, 127], dtype=np.int8)
    g["i2"] = np.array([-32768, 7], dtype=np.int16)
    g["i4"] = np.arange(-4, 4, dtype=np.int32).reshape(2, 2, 2)
    g["i8"] = np.array([-(2**62), 2**62], dtype=np.int64)
    g["u1"] = np.array([0, 255], dtype=np.uint8)
    g["u2"] = np.array([65535], dtype=np.uint16)
    g["u4"] = np.array([2**32 - 1], dtype=np.uint32)
    g["u8"] = np.array([2**64 - 1], dtype=np.uint64)
    g["be_f4"] = np.array([1.25, -3.5], dtype=">f4")
    g["be_i8"] = np.array([-2, 2**40], dtype=">i8")
    g["scalar"] = np.float32(3.25)
    g["scalar_int"] = np.int64(-9)
    g["empty"] = np.zeros((0, 3), dtype=np.float32)
    g["fixed_strings"] = np.array([b"ab", b"c", b""])
    g.create_dataset("vlen_strings", data=["x", "yz", ""], dtype=h5py.string_dtype())
    g["bool"] = np.array([True, False])
    g["unsupported_compound"] = np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")])
    d = g["f4"]
    d.attrs["note"] = "dataset attribute"
    d.attrs["shape"] = np.array(d.shape)


def tree(f, many=300):
    common_attrs(f)
    vars_ = f.create_group("layers/dense/vars")
    vars_.attrs["name"] = "dense"
    vars_["0"] = rng.standard_normal((4, 3)).astype(np.float32)
    vars_["1"] = np.zeros(3, dtype=np.float32)
    datasets(f.create_group("types"))
    f.create_group("a/b/c/d")
    f.create_group("empty_group")
    big = f.create_group("many")
    for i in range(many):
        if i % 3 == 0:
            big.create_group("g%03d" % i)
        else:
            big["d%03d" % i] = np.array([i], dtype=np.int32)
    f["hard_link"] = f["layers/dense/vars/0"]
    f["soft_link"] = h5py.SoftLink("/layers/dense")
    f["external_link"] = h5py.ExternalLink("other.h5", "/x")


def chunked(f, small=False):
    g = f.create_group("chunked")
    data = rng.standard_normal((13, 7)).astype(np.float32)
    g.create_dataset("plain", data=data, chunks=(4, 3))
    g.create_dataset("gzip", data=data, chunks=(5, 5), compression="gzip", compression_opts=6)
    g.create_dataset("gzip_shuffle", data=data, chunks=(4, 4), compression="gzip", shuffle=True)
    g.create_dataset("shuffle_f8", data=rng.standard_normal(50), chunks=(7,), shuffle=True)
    g.create_dataset("fletcher", data=data, chunks=(6, 2), fletcher32=True, compression="gzip")
    g.create_dataset("cube", data=np.arange(60, dtype=np.int64).reshape(3, 4, 5), chunks=(2, 3, 2), compression="gzip")
    g.create_dataset("one_chunk", data=data, chunks=data.shape, compression="gzip")
    g.create_dataset("one_chunk_plain", data=data, chunks=data.shape)
    g.create_dataset("many_chunks", data=np.arange(300 if small else 3000, dtype=np.int32), chunks=(2,))
    if not small:
        g.create_dataset("zeros_big", data=np.zeros((256, 256), dtype=np.float64), chunks=(64, 64), compression="gzip")
    d = g.create_dataset("partly_written", shape=(10, 10), chunks=(3, 3), dtype=np.int32, fillvalue=-1)
    d[0:3, 0:3] = 5
    d[9, 9] = 7
    g.create_dataset("unwritten", shape=(4,), chunks=(2,), dtype=np.float32, fillvalue=2.5)
    g.create_dataset("fixed_max", data=np.arange(10, dtype=np.int16), chunks=(3,), maxshape=(20,))
    g.create_dataset("strings_chunked", data=[b"one", b"two", b"three"], chunks=(2,), compression="gzip")


def resizable(f):
    d = f.create_dataset("grow_1d", data=np.arange(10, dtype=np.float32), chunks=(4,), maxshape=(None,))
    d.resize((12,))
    f.create_dataset("grow_1d_many", data=np.arange(1000, dtype=np.int16), chunks=(1,), maxshape=(None,))
    f.create_dataset("grow_1d_gzip", data=np.arange(500, dtype=np.float64), chunks=(3,), maxshape=(None,),
                     compression="gzip", shuffle=True)
    f.create_dataset("grow_last_dim", data=np.arange(60, dtype=np.int32).reshape(5, 12), chunks=(2, 5),
                     maxshape=(5, None))
    f.create_dataset("grow_2d", data=np.arange(20, dtype=np.int32).reshape(4, 5), chunks=(3, 2), maxshape=(None, None))
    f.create_dataset("grow_2d_gzip", data=np.arange(20, dtype=np.int32).reshape(4, 5), chunks=(3, 2),
                     maxshape=(None, None), compression="gzip")


def compact(f):
    for name, arr in [("compact_f4", np.arange(6, dtype=np.float32).reshape(2, 3)),
                      ("compact_i8", np.array([1, -1], dtype=np.int64))]:
        space = h5py.h5s.create_simple(arr.shape)
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_layout(h5py.h5d.COMPACT)
        tid = h5py.h5t.py_create(arr.dtype)
        dsid = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl=dcpl)
        dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, arr)


def implicit(f):
    arr = np.arange(24, dtype=np.float64).reshape(4, 6)
    space = h5py.h5s.create_simple(arr.shape)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((3, 4))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    tid = h5py.h5t.py_create(arr.dtype)
    dsid = h5py.h5d.create(f.id, b"implicit", tid, space, dcpl=dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, arr)


def ordered(f):
    f.attrs["zeta"] = 1
    f.attrs["alpha"] = 2
    f.attrs["mid"] = 3
    g = f.create_group("tracked", track_order=True)
    for name in ["zz", "aa", "mm", "b"]:
        g[name] = np.array([len(name)], dtype=np.int32)
    g.attrs["z"] = "first"
    g.attrs["a"] = "second"
    g2 = f.create_group("tracked_many", track_order=True)
    for i in range(40):
        g2.create_group("n%02d" % (39 - i))
    f.create_group("untracked")
    for name in ["zz", "aa", "mm"]:
        f["untracked"][name] = np.array([1], dtype=np.uint8)


def many_attrs(obj, n=20):
    for i in range(n):
        obj.attrs["attr%02d" % (n - 1 - i)] = i


def keras_legacy(f):
    import json
    config = {"class_name": "Sequential", "config": {"name": "seq", "layers": [
        {"class_name": "Dense", "config": {"name": "dense_%d" % i, "units": 4}} for i in range(400)]}}
    f.attrs["model_config"] = json.dumps(config)
    f.attrs["keras_version"] = "3.8.0"
    f.attrs["backend"] = "tensorflow"
    mw = f.create_group("model_weights")
    mw.attrs["layer_names"] = np.array([b"input_layer", b"dense", b"dense_1"])
    mw.attrs["backend"] = b"tensorflow"
    mw.attrs["keras_version"] = b"3.8.0"
    mw.create_group("input_layer").attrs["weight_names"] = np.array([])
    for layer, shapes in [("dense", [(8, 4), (4,)]), ("dense_1", [(4, 2), (2,)])]:
        lg = mw.create_group(layer)
        names = [layer + "/kernel", layer + "/bias"]
        lg.attrs["weight_names"] = np.array([n.encode() for n in names])
        for n, s in zip(names, shapes):
            lg[n] = rng.standard_normal(s).astype(np.float32)
    ow = f.create_group("optimizer_weights")
    ow["adam/iteration"] = np.int64(10)


def main():
    out = sys.argv[1]
    golden = len(sys.argv) > 2 and sys.argv[2] == "golden"
    os.makedirs(out, exist_ok=True)
    path = lambda name: os.path.join(out, name + ".h5")

    if golden:
        with h5py.File(path("default"), "w") as f:
            tree(f, many=20)
        with h5py.File(path("latest"), "w", libver="latest") as f:
            tree(f, many=20)
            many_attrs(f["layers/dense"])
        with h5py.File(path("chunked_latest"), "w", libver="latest") as f:
            chunked(f, small=True)
            resizable(f)
        with h5py.File(path("compact_latest"), "w", libver="latest") as f:
            compact(f)
            implicit(f)
        with h5py.File(path("ordered_latest"), "w", libver="latest", track_order=True) as f:
            ordered(f)
        with h5py.File(path("userblock"), "w", userblock_size=512) as f:
            f["x"] = np.arange(3, dtype=np.float32)
        return

    with h5py.File(path("default"), "w") as f:
        tree(f)
    with h5py.File(path("latest"), "w", libver="latest") as f:
        tree(f)
        many_attrs(f["layers/dense"])
        big = f.create_group("big_attr")
        big.attrs["json"] = "x" * 70000
        big.attrs["array"] = np.arange(20000, dtype=np.float64)
    with h5py.File(path("v18"), "w", libver=("v108", "v108")) as f:
        tree(f, many=40)
        many_attrs(f)
    with h5py.File(path("chunked_earliest"), "w") as f:
        chunked(f)
        resizable(f)
    with h5py.File(path("chunked_latest"), "w", libver="latest") as f:
        chunked(f)
        resizable(f)
    with h5py.File(path("compact"), "w") as f:
        compact(f)
    with h5py.File(path("compact_latest"), "w", libver="latest") as f:
        compact(f)
        implicit(f)
    with h5py.File(path("ordered"), "w", track_order=True) as f:
        ordered(f)
    with h5py.File(path("ordered_latest"), "w", libver="latest", track_order=True) as f:
        ordered(f)
    with h5py.File(path("userblock"), "w", userblock_size=512) as f:
        f["x"] = np.arange(3, dtype=np.float32)
        f.attrs["s"] = "ub"
    with h5py.File(path("userblock_latest"), "w", userblock_size=1024, libver="latest") as f:
        f["x"] = np.arange(3, dtype=np.float32)
        f.attrs["s"] = "ub"
    with h5py.File(path("keras_legacy"), "w") as f:
        keras_legacy(f)
    with h5py.File(path("empty"), "w") as f:
        pass


if __name__ == "__main__":
    main()
