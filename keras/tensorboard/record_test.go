package tensorboard

import (
	"bytes"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"testing"
)

func TestMaskedCRC(t *testing.T) {
	if got := crc32.Checksum([]byte("123456789"), castagnoli); got != 0xE3069283 {
		t.Fatalf("crc32c(123456789) = %#08x, want 0xe3069283", got)
	}
	tests := []struct {
		name string
		in   []byte
		want uint32
	}{
		{"empty", nil, 0xA282EAD8},
		{"check string", []byte("123456789"), 0xC78AB0E5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := maskedCRC(tc.in); got != tc.want {
				t.Errorf("maskedCRC(%q) = %#08x, want %#08x", tc.in, got, tc.want)
			}
		})
	}
}

// goldenRecord is TFEVENTS.md's golden record: the file_version event with
// wall_time 1700000000.0, framed.
const goldenRecord = "1800000000000000" + "a37f4b22" +
	"0900000040fc54d9411a0d627261696e2e4576656e743a32" + "eced8f9d"

func TestAppendRecordGolden(t *testing.T) {
	want, _ := hex.DecodeString(goldenRecord)
	payload := want[12 : len(want)-4]
	if got := appendRecord(nil, payload); !bytes.Equal(got, want) {
		t.Fatalf("appendRecord = %x\nwant            %x", got, want)
	}
	data, n, err := nextRecord(want)
	if err != nil || n != len(want) || !bytes.Equal(data, payload) {
		t.Fatalf("nextRecord = %x, %d, %v", data, n, err)
	}
	// The header event starts with the golden payload, then adds
	// source_metadata (field 10).
	hdr := appendHeaderEvent(nil, 1700000000)
	if !bytes.HasPrefix(hdr, payload) || hdr[len(payload)] != 0x52 {
		t.Fatalf("header event = %x, want prefix %x then 52", hdr, payload)
	}
}

func TestNextRecordDamage(t *testing.T) {
	good := appendRecord(nil, []byte("some event bytes"))
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 0x01
		return b
	}
	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"short header", good[:7], ErrTruncated},
		{"header only", good[:12], ErrTruncated},
		{"data cut", good[:20], ErrTruncated},
		{"data CRC cut", good[:len(good)-1], ErrTruncated},
		{"length flipped", flip(0), ErrCorrupt},
		{"length CRC flipped", flip(9), ErrCorrupt},
		{"data flipped", flip(13), ErrCorrupt},
		{"data CRC flipped", flip(len(good) - 2), ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := nextRecord(tc.in)
			if !errors.Is(err, tc.want) {
				t.Fatalf("nextRecord error = %v, want %v", err, tc.want)
			}
		})
	}
}
