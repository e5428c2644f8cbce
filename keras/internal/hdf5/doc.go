// Package hdf5 reads and writes the subset of HDF5 that Keras uses for its
// weight files: the .weights.h5 of Keras 3, the model.weights.h5 inside a
// .keras archive, and the legacy .h5 of Keras 2 and Keras 3. It is pure Go
// (no cgo) and uses only the standard library.
//
// # Model
//
// A [File] holds a tree of [Group]s; a group holds named groups and
// [Dataset]s, and groups and datasets carry [Attribute]s. The tree is built in
// memory: [NewFile], [Group.CreateGroup], [Group.CreateDataset] and
// [Group.SetAttr] build it, and [File.WriteTo] or [File.Bytes] encode it.
// [Read] and [Open] decode a file into the same kind of tree, with every
// dataset's values already in memory.
//
// # Writing
//
// The writer produces the classic layout that h5py writes by default
// (libver "earliest"): superblock version 0, version 1 object headers,
// groups as symbol tables (a version 1 B-tree over symbol table nodes, names
// in a local heap), contiguous little-endian datasets, and attributes in the
// object header. Variable-length strings live in global heap collections.
// h5py, and so Keras, read these files.
//
// A symbol-table group stores its members sorted by name (byte order), and
// that is the order h5py and this package's reader report; the insertion order
// of the writer is not kept in the file.
//
// Attribute values are written with these HDF5 types:
//
//	string, []string              variable-length UTF-8 strings (h5py: str)
//	FixedString, FixedStrings     fixed-length, null-padded ASCII strings (numpy S<n>; h5py reads numpy.bytes_)
//	int, int64, []int, []int64    64-bit signed integers
//	int32, []int32                32-bit signed integers
//	uint8/uint64 and slices       unsigned integers of that width
//	float32, float64 and slices   IEEE floats of that width
//
// # Reading
//
// The reader accepts superblock versions 0 to 3; version 1 and version 2
// object headers with continuation blocks; symbol-table groups and link
// groups (compact link messages, or dense storage in a fractal heap indexed
// by a version 2 B-tree); compact, contiguous and chunked datasets with every
// chunk index h5py writes (version 1 B-tree, single chunk, implicit, fixed
// array, extensible array, version 2 B-tree; layout message versions 1 to 5)
// and the deflate (gzip), shuffle and fletcher32 filters; integer (8 to 64
// bit), float (16, 32, 64 bit), either byte order, enumeration (as its base
// integer, so h5py's bool reads as int8) and fixed or variable-length string
// data; attributes in the header or in dense storage.
//
// Members and attributes are reported in the order h5py reports them: by
// name, or by creation order where the group or object tracks it
// (track_order). Soft and external links are skipped.
//
// Not supported: compound, array, reference, opaque, bitfield and
// variable-length sequence types; the szip, n-bit, scale-offset and
// third-party filters (lzf, blosc, ...); filtered fractal heaps; shared
// messages in the shared-message table; paged extensible-array data blocks;
// virtual datasets. An attribute of an unsupported type has a nil Value. A
// dataset of an unsupported type or storage is still listed, with its shape
// and type, and its accessors return an error wrapping ErrUnsupported.
//
// Malformed or truncated input makes Read return an error wrapping
// ErrFormat; it never panics, and the memory it allocates for data is
// bounded by the file size (see Read).
package hdf5
