"""Print the tree of an HDF5 file as h5py sees it, as JSON.

Usage: python3 h5dump.py FILE

Output, for the root group and recursively:
  group:   {"kind": "group", "attrs": [[name, attr], ...], "members": [[name, obj], ...]}
  dataset: {"kind": "dataset", "dtype": D, "shape": [...], "value": [flat values], "attrs": [...]}
  attr:    {"dtype": D, "shape": null (scalar) or [...], "value": scalar, flat list, or null (h5py.Empty)}
D is numpy's dtype.str ("<f4", "|u1", ">i8") for numbers and "str:ENCODING:LENGTH"
("str:ascii:5", "str:utf-8:vlen") for strings. Floats are written as repr() strings
so that every bit survives; strings as text. Members and attributes are listed in
h5py's iteration order. Soft and external links are left out.
"""

import json
import sys

import h5py
import numpy as np


def dtype_name(dt):
    info = h5py.check_string_dtype(dt)
    if info is not None:
        length = "vlen" if info.length is None else str(info.length)
        return "str:%s:%s" % (info.encoding, length)
    if dt.kind == "b":
        return "|i1"  # h5py stores numpy bool as an enum over int8, which Go reads as int8
    return dt.str


def scalar(x):
    if isinstance(x, bytes):
        try:
            return x.decode("utf-8")
        except UnicodeDecodeError:
            return "hex:" + x.hex()
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    if isinstance(x, (int, np.integer)):
        return int(x)
    raise TypeError("unexpected value %r of type %s" % (x, type(x)))


def flat(arr):
    arr = np.asarray(arr)
    return [scalar(x) for x in arr.ravel().tolist()]


def dump_attrs(obj):
    out = []
    for name in obj.attrs:
        a = obj.attrs.get_id(name)
        shape = a.shape
        if a.get_space().get_simple_extent_type() == h5py.h5s.NULL:
            value, shape = None, None
        else:
            v = obj.attrs[name]
            if shape == ():
                value, shape = scalar(v.item() if isinstance(v, np.generic) else v), None
            else:
                value, shape = flat(v), list(shape)
        out.append([name, {"dtype": dtype_name(a.dtype), "shape": shape, "value": value}])
    return out


def dump(obj):
    if isinstance(obj, h5py.Dataset):
        if obj.shape is None or obj.dtype.fields is not None:
            value = None  # h5py.Empty, or a compound type
        elif obj.shape == ():
            v = obj[()]
            value = [scalar(v.item() if isinstance(v, np.generic) else v)]
        else:
            value = flat(obj[()])
        return {
            "kind": "dataset",
            "dtype": dtype_name(obj.dtype),
            "shape": None if obj.shape is None else list(obj.shape),
            "value": value,
            "attrs": dump_attrs(obj),
        }
    members = []
    for name in obj:
        link = obj.get(name, getlink=True)
        if not isinstance(link, h5py.HardLink):
            continue
        members.append([name, dump(obj[name])])
    return {"kind": "group", "attrs": dump_attrs(obj), "members": members}


def main():
    with h5py.File(sys.argv[1], "r") as f:
        json.dump(dump(f), sys.stdout)


if __name__ == "__main__":
    main()
