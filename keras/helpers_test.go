package keras_test

import "strings"

type stringsBuilder struct{ strings.Builder }

func (b *stringsBuilder) contains(s string) bool { return strings.Contains(b.String(), s) }
