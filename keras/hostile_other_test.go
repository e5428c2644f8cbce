//go:build !linux

package keras_test

import "errors"

const canLimitAddressSpace = false

func limitAddressSpace(uint64) error { return errors.New("not implemented on this system") }
