package keras

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Summary prints the model as Keras 3's model.summary() does: a table of layers with their
// output shapes and parameter counts (and, for graphs that are not a plain stack, what each
// layer is connected to, as name[node][tensor]), then the totals. The table is 88 characters
// wide for plain stacks and 108 otherwise, narrower if the COLUMNS environment variable says
// so, as Keras narrows it to the terminal.
func (m *Model) Summary(w io.Writer) {
	// The parameter counts read the weights' shapes, which Gorgonia's matrix product rewrites
	// in place while another goroutine's step runs.
	defer m.lockWeights()()
	seqLike := m.sequentialLike()
	lineLen, pos := 108, []float64{0.3, 0.56, 0.74, 1.0}
	header := []string{"Layer (type)", "Output Shape", "Param #", "Connected to"}
	if seqLike {
		lineLen, pos = 88, []float64{0.45, 0.80, 1.0}
		header = header[:3]
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c-4 < lineLen && c > 20 {
		lineLen = c - 4
	}
	widths := columnWidths(lineLen, pos)
	right := []bool{false, false, true, false}

	var rows [][]string
	inModel := map[*Node]bool{}
	for _, n := range m.nodes {
		inModel[n] = true
	}
	for _, l := range m.layers {
		if m.sequential {
			if _, ok := l.(*InputLayer); ok {
				continue
			}
		}
		row := []string{
			fmt.Sprintf("%s (%s)", l.Name(), l.ClassName()),
			m.outputShapeText(l, inModel),
			thousands(paramCount(l.Variables())),
		}
		if !seqLike {
			row = append(row, m.connectedTo(l, inModel))
		}
		rows = append(rows, row)
	}

	fmt.Fprintf(w, "Model: %q\n", m.Name())
	fmt.Fprintln(w, border("┏", "┳", "┓", "━", widths))
	writeRow(w, "┃", header, widths, right)
	fmt.Fprintln(w, border("┡", "╇", "┩", "━", widths))
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(w, border("├", "┼", "┤", "─", widths))
		}
		writeRow(w, "│", r, widths, right)
	}
	fmt.Fprintln(w, border("└", "┴", "┘", "─", widths))

	var total, trainable, totalBytes, trainableBytes int
	isTrainable := map[*Variable]bool{}
	for _, v := range m.TrainableVariables() {
		isTrainable[v] = true
	}
	for _, v := range m.Variables() {
		n := v.Value.Shape().TotalSize()
		b := n * int(v.Value.Dtype().Size())
		total += n
		totalBytes += b
		if isTrainable[v] {
			trainable += n
			trainableBytes += b
		}
	}
	optN, optBytes := m.optimizerParams()
	fmt.Fprintf(w, " Total params: %s (%s)\n", thousands(total+optN), byteSize(totalBytes+optBytes))
	fmt.Fprintf(w, " Trainable params: %s (%s)\n", thousands(trainable), byteSize(trainableBytes))
	fmt.Fprintf(w, " Non-trainable params: %s (%s)\n", thousands(total-trainable), byteSize(totalBytes-trainableBytes))
	if optN > 0 {
		fmt.Fprintf(w, " Optimizer params: %s (%s)\n", thousands(optN), byteSize(optBytes))
	}
}

// optimizerParams counts the optimizer's state once it exists (after the first step), as
// Keras's summary does.
func (m *Model) optimizerParams() (n, bytes int) {
	opt := m.Optimizer()
	if opt == nil || opt.Iterations() == 0 {
		return 0, 0
	}
	for _, v := range opt.Variables() {
		k := v.Shape().TotalSize()
		n += k
		bytes += k * int(v.Dtype().Size())
	}
	return n, bytes
}

// sequentialLike applies Keras's rule: every depth holds one node with one input, and no layer
// is called twice.
func (m *Model) sequentialLike() bool {
	if m.sequential {
		return true
	}
	byDepth := map[int][]*Node{}
	for _, n := range m.nodes {
		byDepth[m.depth[n]] = append(byDepth[m.depth[n]], n)
	}
	count := map[Layer]int{}
	for _, ns := range byDepth {
		if len(ns) > 1 || len(ns) == 1 && len(ns[0].inputs) > 1 {
			return false
		}
		count[ns[0].layer]++
		if count[ns[0].layer] > 1 {
			return false
		}
	}
	return true
}

func (m *Model) outputShapeText(l Layer, inModel map[*Node]bool) string {
	for _, n := range l.base().nodes {
		if !inModel[n] {
			continue
		}
		if len(n.outputs) == 1 {
			return n.outputs[0].shape.String()
		}
		parts := make([]string, len(n.outputs))
		for i, t := range n.outputs {
			parts[i] = t.shape.String()
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return "?"
}

func (m *Model) connectedTo(l Layer, inModel map[*Node]bool) string {
	var parts []string
	for _, n := range l.base().nodes {
		if !inModel[n] || n.isInput() {
			continue
		}
		for _, t := range n.inputs {
			parts = append(parts, fmt.Sprintf("%s[%d][%d]", t.node.layer.Name(), t.node.index, t.index))
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func paramCount(vs []*Variable) int {
	n := 0
	for _, v := range vs {
		n += v.Value.Shape().TotalSize()
	}
	return n
}

// columnWidths reproduces the widths rich gives Keras's table: the positions give widths that
// add up to the line length, and the borders are then taken from them, spread by
// round-half-even ratios as rich's ratio_reduce does. Widths include one space of padding on
// each side.
func columnWidths(lineLen int, pos []float64) []int {
	ws := make([]int, len(pos))
	prev := 0
	for i, p := range pos {
		at := int(float64(lineLen) * p)
		ws[i] = at - prev
		prev = at
	}
	excess := len(pos) + 1
	remaining, ratio := excess, len(ws)
	for i := range ws {
		d := int(math.RoundToEven(float64(remaining) / float64(ratio)))
		ws[i] -= d
		remaining -= d
		ratio--
	}
	return ws
}

func border(left, mid, right, fill string, widths []int) string {
	var b strings.Builder
	b.WriteString(left)
	for i, w := range widths {
		if i > 0 {
			b.WriteString(mid)
		}
		b.WriteString(strings.Repeat(fill, w))
	}
	b.WriteString(right)
	return b.String()
}

// writeRow writes one table row, wrapping cells on spaces and after commas.
func writeRow(w io.Writer, sep string, cells []string, widths []int, right []bool) {
	wrapped := make([][]string, len(cells))
	lines := 1
	for i, c := range cells {
		wrapped[i] = wrapCell(c, widths[i]-2)
		lines = max(lines, len(wrapped[i]))
	}
	for ln := 0; ln < lines; ln++ {
		var b strings.Builder
		b.WriteString(sep)
		for i := range cells {
			text := ""
			if ln < len(wrapped[i]) {
				text = wrapped[i][ln]
			}
			pad := widths[i] - 2 - utf8.RuneCountInString(text)
			b.WriteByte(' ')
			if right[i] {
				b.WriteString(strings.Repeat(" ", pad) + text)
			} else {
				b.WriteString(text + strings.Repeat(" ", pad))
			}
			b.WriteByte(' ')
			b.WriteString(sep)
		}
		fmt.Fprintln(w, b.String())
	}
}

// wrapCell wraps text into lines of at most width runes at spaces; a word longer than the
// width is cut with an ellipsis.
func wrapCell(text string, width int) []string {
	words := strings.Fields(text)
	var lines []string
	cur := ""
	for _, wd := range words {
		if utf8.RuneCountInString(wd) > width {
			r := []rune(wd)
			wd = string(r[:width-1]) + "…"
		}
		switch {
		case cur == "":
			cur = wd
		case utf8.RuneCountInString(cur)+1+utf8.RuneCountInString(wd) <= width:
			cur += " " + wd
		default:
			lines = append(lines, cur)
			cur = wd
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

// thousands formats n with comma separators: 160000 → 160,000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// byteSize formats a byte count as Keras's summary does: "685.82 KB".
func byteSize(n int) string {
	units := []string{"B", "KB", "MB", "GB", "TB", "PB"}
	v := float64(n)
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return fmt.Sprintf("%.2f %s", v, units[i])
}
