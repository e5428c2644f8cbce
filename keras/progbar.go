package keras

import (
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"
)

// ProgbarLogger prints Keras 3's progress bar (Verbose(1)) or one line per epoch (Verbose(2)).
// Fit, Evaluate and Predict add one themselves when Verbose is not 0.
//
// On a terminal the bar is redrawn in place at most every 50 ms; elsewhere (logs, CI) each
// epoch prints one finished line.
type ProgbarLogger struct {
	BaseCallback
	// Out is where the bar goes (default os.Stdout).
	Out io.Writer
	// Dynamic redraws the bar in place with ANSI colours (default: when Out is a terminal).
	Dynamic bool

	verbose   int
	target    int
	seen      int
	start     time.Time
	lastDraw  time.Time
	lastWidth int
	inFit     bool
	inVal     bool
}

// NewProgbarLogger returns a progress logger for verbosity 1 (bar) or 2 (line per epoch),
// writing to os.Stdout.
func NewProgbarLogger(verbose int) *ProgbarLogger {
	return &ProgbarLogger{Out: os.Stdout, Dynamic: isTerminal(os.Stdout), verbose: verbose}
}

func newProgbar(verbose int) Callback { return NewProgbarLogger(verbose) }

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (p *ProgbarLogger) begin(target int) {
	p.target, p.seen, p.start, p.lastWidth = target, 0, time.Now(), 0
	p.lastDraw = time.Time{}
}

// OnTrainBegin notes that a fit loop runs, so validation stays quiet.
func (p *ProgbarLogger) OnTrainBegin(Logs) error { p.inFit = true; return nil }

// OnTrainEnd ends the fit loop.
func (p *ProgbarLogger) OnTrainEnd(Logs) error { p.inFit = false; return nil }

// OnEpochBegin prints "Epoch i/n" when there is more than one epoch.
func (p *ProgbarLogger) OnEpochBegin(epoch int, _ Logs) error {
	if pr := p.Params(); pr.Epochs > 1 {
		fmt.Fprintf(p.Out, "Epoch %d/%d\n", epoch+1, pr.Epochs)
	}
	p.begin(p.Params().Steps)
	return nil
}

// OnTrainBatchEnd redraws the bar.
func (p *ProgbarLogger) OnTrainBatchEnd(batch int, logs Logs) error {
	p.update(batch+1, logs, false)
	return nil
}

// OnEpochEnd prints the final line of the epoch, validation results included.
func (p *ProgbarLogger) OnEpochEnd(_ int, logs Logs) error {
	p.update(p.seen, logs, true)
	return nil
}

// OnTestBegin starts an evaluation bar (silent inside Fit).
func (p *ProgbarLogger) OnTestBegin(Logs) error {
	p.inVal = p.inFit
	if !p.inVal {
		p.begin(p.Params().Steps)
	}
	return nil
}

// OnTestBatchEnd redraws the evaluation bar.
func (p *ProgbarLogger) OnTestBatchEnd(batch int, logs Logs) error {
	if !p.inVal {
		p.update(batch+1, logs, false)
	}
	return nil
}

// OnTestEnd prints the evaluation's final line.
func (p *ProgbarLogger) OnTestEnd(logs Logs) error {
	if !p.inVal {
		p.update(p.seen, logs, true)
	}
	p.inVal = false
	return nil
}

// OnPredictBegin starts a prediction bar.
func (p *ProgbarLogger) OnPredictBegin(Logs) error { p.begin(p.Params().Steps); return nil }

// OnPredictBatchEnd redraws the prediction bar.
func (p *ProgbarLogger) OnPredictBatchEnd(batch int, _ Logs) error {
	p.update(batch+1, nil, false)
	return nil
}

// OnPredictEnd prints the prediction's final line.
func (p *ProgbarLogger) OnPredictEnd(Logs) error { p.update(p.seen, nil, true); return nil }

func (p *ProgbarLogger) update(current int, logs Logs, final bool) {
	p.seen = current
	now := time.Now()
	if !final {
		if !p.Dynamic || p.verbose != 1 || now.Sub(p.lastDraw) < 50*time.Millisecond {
			return
		}
	}
	p.lastDraw = now
	elapsed := now.Sub(p.start).Seconds()
	perStep := 0.0
	if current > 0 {
		perStep = elapsed / float64(current)
	}
	var b strings.Builder
	if p.verbose == 2 {
		if !final {
			return
		}
		fmt.Fprintf(&b, "%d/%d - %.0fs - %s", current, p.target, elapsed, formatPerStep(perStep))
		b.WriteString(formatLogs(logs))
		fmt.Fprintln(p.Out, b.String())
		return
	}
	width := 20
	done := width
	if p.target > 0 {
		done = int(float64(width) * float64(current) / float64(p.target))
	}
	bar := strings.Repeat("━", done)
	rest := strings.Repeat("━", width-done)
	count := fmt.Sprintf("%d/%d", current, p.target)
	timeField := fmt.Sprintf("%.0fs", elapsed)
	if !final && current > 0 && p.target > current {
		timeField = formatETA(perStep * float64(p.target-current))
	}
	if p.Dynamic {
		fmt.Fprintf(&b, "\x1b[1m%s\x1b[0m \x1b[32m%s\x1b[0m\x1b[37m%s\x1b[0m \x1b[1m%s\x1b[0m %s", count, bar, rest, timeField, formatPerStep(perStep))
	} else {
		fmt.Fprintf(&b, "%s %s%s %s %s", count, bar, rest, timeField, formatPerStep(perStep))
	}
	b.WriteString(formatLogs(logs))
	line := b.String()
	if p.Dynamic {
		pad := ""
		if n := len(line); n < p.lastWidth {
			pad = strings.Repeat(" ", p.lastWidth-n)
		}
		p.lastWidth = len(line)
		fmt.Fprintf(p.Out, "\r%s%s", line, pad)
		if final {
			fmt.Fprintln(p.Out)
		}
		return
	}
	fmt.Fprintln(p.Out, line)
}

// formatLogs formats logs as Keras 3 does: alphabetical, " - name: value".
func formatLogs(logs Logs) string {
	var b strings.Builder
	for _, k := range logs.SortedKeys() {
		v := logs[k]
		if math.Abs(v) > 1e-3 {
			fmt.Fprintf(&b, " - %s: %.4f", k, v)
		} else {
			fmt.Fprintf(&b, " - %s: %.4e", k, v)
		}
	}
	return b.String()
}

func formatPerStep(sec float64) string {
	switch {
	case sec >= 1:
		return fmt.Sprintf("%.0fs/step", sec)
	case sec >= 1e-3:
		return fmt.Sprintf("%.0fms/step", sec*1e3)
	}
	return fmt.Sprintf("%.0fus/step", sec*1e6)
}

func formatETA(sec float64) string {
	s := int(sec)
	switch {
	case s >= 3600:
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s%3600/60, s%60)
	case s >= 60:
		return fmt.Sprintf("%d:%02d", s/60, s%60)
	}
	return fmt.Sprintf("%ds", s)
}
