package main

import (
	"fmt"
	"slices"
	"strings"
)

// results collects samples by framework label and model.
type results struct{ s map[[2]string][]sample }

func newResults() *results { return &results{s: map[[2]string][]sample{}} }

func (r *results) add(label, model string, s sample) {
	k := [2]string{label, model}
	r.s[k] = append(r.s[k], s)
}

// median of field over the samples of label and model; ok is false when there are none or
// the field was not measured.
func (r *results) median(label, model string, field func(sample) float64) (float64, bool) {
	var v []float64
	for _, s := range r.s[[2]string{label, model}] {
		if x := field(s); x >= 0 {
			v = append(v, x)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	return (v[len(v)/2] + v[(len(v)-1)/2]) / 2, true
}

// ratio is the median over rounds of a's time over b's in the same round: the two ran next
// to each other, so the pair shares the machine's load of the moment, which the medians of
// each column alone do not (on a loaded machine a column's median can come from a quiet
// round and another's from a busy one).
func (r *results) ratio(a, b, model string) (float64, bool) {
	sa, sb := r.s[[2]string{a, model}], r.s[[2]string{b, model}]
	var v []float64
	for i := range min(len(sa), len(sb)) {
		if sb[i].ms > 0 {
			v = append(v, sa[i].ms/sb[i].ms)
		}
	}
	if len(v) == 0 {
		return 0, false
	}
	slices.Sort(v)
	return (v[len(v)/2] + v[(len(v)-1)/2]) / 2, true
}

// table renders the timing table (ms per step and every kerago column's ratio to every
// other framework's) and the memory table, as Markdown.
func (r *results) table(labels, models []string) string {
	var goLabels, others []string
	for _, l := range labels {
		if strings.HasPrefix(l, "kerago") {
			goLabels = append(goLabels, l)
		} else {
			others = append(others, l)
		}
	}
	ms := func(s sample) float64 { return s.ms }
	var b strings.Builder
	head := []string{"model"}
	for _, l := range labels {
		head = append(head, l+" ms")
	}
	for _, g := range goLabels {
		for _, o := range others {
			head = append(head, g+" ÷ "+o)
		}
	}
	row(&b, head)
	for _, m := range models {
		cells := []string{m}
		for _, l := range labels {
			cells = append(cells, fmtNum(r.median(l, m, ms)))
		}
		for _, g := range goLabels {
			for _, o := range others {
				cells = append(cells, fmtRatio(r.ratio(g, o, m)))
			}
		}
		row(&b, cells)
	}

	b.WriteString("\n")
	head = []string{"model"}
	for _, g := range goLabels {
		head = append(head, g+" allocs/step", g+" MB/step")
	}
	for _, l := range labels {
		head = append(head, l+" peak RSS MB")
	}
	row(&b, head)
	for _, m := range models {
		cells := []string{m}
		for _, g := range goLabels {
			cells = append(cells, fmtNum(r.median(g, m, func(s sample) float64 { return s.allocs })))
			v, ok := r.median(g, m, func(s sample) float64 { return s.bytes })
			cells = append(cells, fmtNum(v/(1<<20), ok))
		}
		for _, l := range labels {
			cells = append(cells, fmtNum(r.median(l, m, func(s sample) float64 { return s.rssMB })))
		}
		row(&b, cells)
	}
	return b.String()
}

func row(b *strings.Builder, cells []string) {
	b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	if cells[0] == "model" {
		b.WriteString("|" + strings.Repeat(" --- |", len(cells)) + "\n")
	}
}

func fmtNum(v float64, ok bool) string {
	switch {
	case !ok:
		return "—"
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.2f", v)
	}
}

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "—"
	}
	return fmt.Sprintf("%.2fx", v)
}
