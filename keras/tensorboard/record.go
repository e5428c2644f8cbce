package tensorboard

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
)

// TFRecord framing, as TensorFlow's record writer and TensorBoard's readers
// use it:
//
//	uint64 length (little-endian)
//	uint32 masked CRC-32C of the 8 length bytes
//	byte   data[length]
//	uint32 masked CRC-32C of data

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskDelta is the constant TensorFlow adds to a rotated CRC.
const maskDelta = 0xa282ead8

// maskedCRC returns the masked CRC-32C (Castagnoli) of b: the CRC rotated
// right by 15 bits plus 0xa282ead8.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + maskDelta
}

// recordOverhead is the framing around the data of one record.
const recordOverhead = 8 + 4 + 4

// appendRecord appends the framed record holding data to dst.
func appendRecord(dst, data []byte) []byte {
	var hdr [12]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], maskedCRC(hdr[:8]))
	dst = append(dst, hdr[:]...)
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, maskedCRC(data))
}

// nextRecord reads the record at the start of b and returns its data and the
// number of bytes it takes. An incomplete record yields ErrTruncated, a CRC
// mismatch ErrCorrupt.
func nextRecord(b []byte) (data []byte, n int, err error) {
	if len(b) < 12 {
		return nil, 0, fmt.Errorf("%w: %d of the 12 header bytes", ErrTruncated, len(b))
	}
	if got, want := binary.LittleEndian.Uint32(b[8:12]), maskedCRC(b[:8]); got != want {
		return nil, 0, fmt.Errorf("%w: length CRC is %#08x, want %#08x", ErrCorrupt, got, want)
	}
	length := binary.LittleEndian.Uint64(b[:8])
	if avail := len(b) - recordOverhead; avail < 0 || length > uint64(avail) {
		return nil, 0, fmt.Errorf("%w: record of %d bytes, %d left in the file", ErrTruncated, length, len(b)-12)
	}
	end := 12 + int(length)
	data = b[12:end]
	if got, want := binary.LittleEndian.Uint32(b[end:end+4]), maskedCRC(data); got != want {
		return nil, 0, fmt.Errorf("%w: data CRC is %#08x, want %#08x", ErrCorrupt, got, want)
	}
	return data, end + 4, nil
}
