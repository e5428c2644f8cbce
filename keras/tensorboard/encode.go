package tensorboard

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the messages written and read here
// (tensorboard/compat/proto/{event,summary,tensor,tensor_shape,histogram}.proto).
const (
	eventWallTime       protowire.Number = 1 // double
	eventStep           protowire.Number = 2 // int64
	eventFileVersion    protowire.Number = 3 // string
	eventGraphDef       protowire.Number = 4 // bytes
	eventSummary        protowire.Number = 5 // Summary
	eventSourceMetadata protowire.Number = 10

	sourceMetadataWriter protowire.Number = 1 // string

	summaryValue protowire.Number = 1 // repeated Summary.Value

	valueTag       protowire.Number = 1 // string
	valueSimple    protowire.Number = 2 // float
	valueImage     protowire.Number = 4
	valueHisto     protowire.Number = 5 // HistogramProto
	valueAudio     protowire.Number = 6
	valueNodeName  protowire.Number = 7 // string
	valueTensor    protowire.Number = 8 // TensorProto
	valueMetadata  protowire.Number = 9 // SummaryMetadata
	metaPluginData protowire.Number = 1 // PluginData
	metaDataClass  protowire.Number = 4 // enum
	pluginName     protowire.Number = 1 // string
	pluginContent  protowire.Number = 2 // bytes

	tensorDType     protowire.Number = 1 // DataType
	tensorShape     protowire.Number = 2 // TensorShapeProto
	tensorContent   protowire.Number = 4 // bytes
	tensorFloatVal  protowire.Number = 5 // repeated float
	tensorDoubleVal protowire.Number = 6 // repeated double
	tensorStringVal protowire.Number = 8 // repeated bytes
	shapeDim        protowire.Number = 2 // repeated Dim
	dimSize         protowire.Number = 1 // int64

	histoMin         protowire.Number = 1 // double
	histoMax         protowire.Number = 2 // double
	histoBucketLimit protowire.Number = 6 // repeated double
	histoBucket      protowire.Number = 7 // repeated double
)

// TensorFlow DataType values used here (types.proto).
const (
	dtFloat  = 1
	dtDouble = 2
	dtString = 7
)

// fileVersion is the version string of the first record of every file.
const fileVersion = "brain.Event:2"

// sourceWriter names this writer in the first record's source_metadata.
const sourceWriter = "github.com/kerago/kerago/keras/tensorboard"

// Plugin names and contents, as TensorFlow 2 writes them. The scalars,
// histograms and text plugins' content is their PluginData message at
// version 0, which serializes to no bytes.
const (
	pluginScalars    = "scalars"
	pluginHistograms = "histograms"
	pluginText       = "text"
	pluginKerasModel = "graph_keras_model"
	kerasModelTag    = "keras"
	kerasModelCont   = "1"
)

func appendLenTag(b []byte, num protowire.Number, size int) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendVarint(b, uint64(size))
}

// appendHeaderEvent appends the first event of a file: wall_time,
// file_version "brain.Event:2" and source_metadata.
func appendHeaderEvent(b []byte, wall float64) []byte {
	b = protowire.AppendTag(b, eventWallTime, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(wall))
	b = protowire.AppendTag(b, eventFileVersion, protowire.BytesType)
	b = protowire.AppendString(b, fileVersion)
	b = appendLenTag(b, eventSourceMetadata, protowire.SizeTag(sourceMetadataWriter)+protowire.SizeBytes(len(sourceWriter)))
	b = protowire.AppendTag(b, sourceMetadataWriter, protowire.BytesType)
	return protowire.AppendString(b, sourceWriter)
}

// appendSummaryEvent appends an Event{wall_time, step, summary{value}} where
// value is a serialized Summary.Value. Step 0 is omitted, as proto3 does.
func appendSummaryEvent(b []byte, wall float64, step int64, value []byte) []byte {
	b = protowire.AppendTag(b, eventWallTime, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(wall))
	if step != 0 {
		b = protowire.AppendTag(b, eventStep, protowire.VarintType)
		b = protowire.AppendVarint(b, uint64(step))
	}
	b = appendLenTag(b, eventSummary, protowire.SizeTag(summaryValue)+protowire.SizeBytes(len(value)))
	b = protowire.AppendTag(b, summaryValue, protowire.BytesType)
	return protowire.AppendBytes(b, value)
}

// appendValue appends a Summary.Value{tag, tensor, metadata{plugin_data}}
// in field-number order, as TensorFlow writes it.
func appendValue(b []byte, tag string, tensor []byte, plugin, content string) []byte {
	b = protowire.AppendTag(b, valueTag, protowire.BytesType)
	b = protowire.AppendString(b, tag)
	b = protowire.AppendTag(b, valueTensor, protowire.BytesType)
	b = protowire.AppendBytes(b, tensor)
	pd := protowire.SizeTag(pluginName) + protowire.SizeBytes(len(plugin))
	if content != "" {
		pd += protowire.SizeTag(pluginContent) + protowire.SizeBytes(len(content))
	}
	b = appendLenTag(b, valueMetadata, protowire.SizeTag(metaPluginData)+protowire.SizeBytes(pd))
	b = appendLenTag(b, metaPluginData, pd)
	b = protowire.AppendTag(b, pluginName, protowire.BytesType)
	b = protowire.AppendString(b, plugin)
	if content != "" {
		b = protowire.AppendTag(b, pluginContent, protowire.BytesType)
		b = protowire.AppendString(b, content)
	}
	return b
}

// appendScalarTensor appends a rank-0 DT_FLOAT TensorProto holding v in
// 4 bytes of tensor_content, byte for byte what tf.summary.scalar writes:
// 08 01 12 00 22 04 <float32 LE>.
func appendScalarTensor(b []byte, v float32) []byte {
	b = protowire.AppendTag(b, tensorDType, protowire.VarintType)
	b = protowire.AppendVarint(b, dtFloat)
	b = appendLenTag(b, tensorShape, 0)
	b = appendLenTag(b, tensorContent, 4)
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
}

// appendHistogramTensor appends a [k,3] DT_DOUBLE TensorProto whose
// tensor_content holds the rows (left, right, count), as TensorFlow writes
// the output of tf.summary.histogram.
func appendHistogramTensor(b []byte, buckets []Bucket) []byte {
	b = protowire.AppendTag(b, tensorDType, protowire.VarintType)
	b = protowire.AppendVarint(b, dtDouble)
	k := int64(len(buckets))
	dim := func(n int64) int {
		if n == 0 {
			return 0
		}
		return protowire.SizeTag(dimSize) + protowire.SizeVarint(uint64(n))
	}
	shape := protowire.SizeTag(shapeDim) + protowire.SizeBytes(dim(k)) +
		protowire.SizeTag(shapeDim) + protowire.SizeBytes(dim(3))
	b = appendLenTag(b, tensorShape, shape)
	for _, n := range [2]int64{k, 3} {
		b = appendLenTag(b, shapeDim, dim(n))
		if n != 0 {
			b = protowire.AppendTag(b, dimSize, protowire.VarintType)
			b = protowire.AppendVarint(b, uint64(n))
		}
	}
	if k == 0 {
		return b
	}
	b = appendLenTag(b, tensorContent, len(buckets)*24)
	for _, r := range buckets {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Left))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Right))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(r.Count))
	}
	return b
}

// appendStringTensor appends a rank-0 DT_STRING TensorProto with one
// string_val (TensorFlow never puts strings in tensor_content).
func appendStringTensor(b []byte, s []byte) []byte {
	b = protowire.AppendTag(b, tensorDType, protowire.VarintType)
	b = protowire.AppendVarint(b, dtString)
	b = appendLenTag(b, tensorShape, 0)
	b = protowire.AppendTag(b, tensorStringVal, protowire.BytesType)
	return protowire.AppendBytes(b, s)
}
