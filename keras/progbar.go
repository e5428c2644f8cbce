package keras

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ProgbarLogger prints Keras 3's progress bar (verbosity 1) or one line per epoch
// (verbosity 2). Fit, Evaluate and Predict add one themselves when Verbose is not 0 and the
// callbacks hold none.
//
// With Dynamic set (the default when Out is a terminal) the bar is redrawn in place, byte for
// byte as Keras 3 draws it on Linux: "\b" and "\r" back over the previous line, the counter
// and the 20 "━" coloured with ANSI codes (green for done, grey for to do), the ETA or the
// elapsed time in bold, the time per step (leaving out the first step, as Keras does) and
// the logs, with at most one redraw every 50 ms besides the final one. Without Dynamic (logs,
// CI) only the final line of each epoch is printed, without escape codes.
//
// Logs are shown in Keras 3's order: alphabetical, validation values after the training
// ones, and values that callbacks add at the end of the epoch ("learning_rate") last.
type ProgbarLogger struct {
	BaseCallback
	// Out is where the bar goes (default os.Stdout).
	Out io.Writer
	// Dynamic redraws the bar in place with ANSI codes (default: when os.Stdout is a
	// terminal).
	Dynamic bool

	verbose    int
	fromParams bool
	epochs     int
	target     int
	seen       int
	inFit      bool
	bar        *progbar
	clock      func() time.Time // time.Now; tests replace it
}

// NewProgbarLogger returns a progress logger writing to os.Stdout, for verbosity 1 (the
// bar) or 2 (a line per epoch). Verbosity 0 takes the verbosity from the loop's Verbose
// option, as Keras 3's ProgbarLogger() does.
func NewProgbarLogger(verbose int) *ProgbarLogger {
	return &ProgbarLogger{Out: os.Stdout, Dynamic: isTerminal(os.Stdout), verbose: verbose,
		fromParams: verbose == 0, clock: time.Now}
}

func newProgbar(verbose int) Callback { return NewProgbarLogger(verbose) }

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// hasProgbar reports whether cbs already hold a ProgbarLogger, so the loop adds none.
func hasProgbar(cbs []Callback) bool {
	for _, c := range cbs {
		if _, ok := c.(*ProgbarLogger); ok {
			return true
		}
	}
	return false
}

// SetParams records the loop parameters: the number of epochs, the steps per epoch (the
// bar's target) and, for a logger made with verbosity 0, the verbosity.
func (p *ProgbarLogger) SetParams(pr Params) {
	p.BaseCallback.SetParams(pr)
	if p.fromParams {
		p.verbose = pr.Verbose
	}
	p.epochs, p.target = pr.Epochs, pr.Steps
}

func (p *ProgbarLogger) now() time.Time {
	if p.clock == nil {
		return time.Now()
	}
	return p.clock()
}

// reset starts a new bar.
func (p *ProgbarLogger) reset() {
	p.seen = 0
	p.bar = &progbar{target: p.target, verbose: p.verbose, dynamic: p.Dynamic, out: p.Out,
		start: p.now(), values: map[string]float64{}}
}

// OnTrainBegin notes that a fit loop runs, so validation stays quiet.
func (p *ProgbarLogger) OnTrainBegin(Logs) error { p.inFit = true; return nil }

// OnTrainEnd ends the fit loop.
func (p *ProgbarLogger) OnTrainEnd(Logs) error { p.inFit = false; return nil }

// OnEpochBegin starts the epoch's bar and prints "Epoch i/n" when there is more than one
// epoch.
func (p *ProgbarLogger) OnEpochBegin(epoch int, _ Logs) error {
	p.reset()
	if p.verbose > 0 && p.epochs > 1 {
		fmt.Fprintf(p.Out, "Epoch %d/%d\n", epoch+1, p.epochs)
	}
	return nil
}

// OnTrainBatchEnd redraws the bar.
func (p *ProgbarLogger) OnTrainBatchEnd(batch int, logs Logs) error {
	p.step(batch, logs)
	return nil
}

// OnEpochEnd prints the final line of the epoch, validation results included.
func (p *ProgbarLogger) OnEpochEnd(_ int, logs Logs) error {
	p.finalize(logs)
	return nil
}

// OnTestBegin starts an evaluation bar (silent inside Fit).
func (p *ProgbarLogger) OnTestBegin(Logs) error {
	if !p.inFit {
		p.reset()
	}
	return nil
}

// OnTestBatchEnd redraws the evaluation bar.
func (p *ProgbarLogger) OnTestBatchEnd(batch int, logs Logs) error {
	if !p.inFit {
		p.step(batch, logs)
	}
	return nil
}

// OnTestEnd prints the evaluation's final line.
func (p *ProgbarLogger) OnTestEnd(logs Logs) error {
	if !p.inFit {
		p.finalize(logs)
	}
	return nil
}

// OnPredictBegin starts a prediction bar.
func (p *ProgbarLogger) OnPredictBegin(Logs) error { p.reset(); return nil }

// OnPredictBatchEnd redraws the prediction bar (predictions are not shown).
func (p *ProgbarLogger) OnPredictBatchEnd(batch int, _ Logs) error {
	p.step(batch, nil)
	return nil
}

// OnPredictEnd prints the prediction's final line.
func (p *ProgbarLogger) OnPredictEnd(logs Logs) error { p.finalize(logs); return nil }

func (p *ProgbarLogger) step(batch int, logs Logs) {
	if p.bar == nil {
		p.reset()
	}
	p.seen = batch + 1
	if p.verbose == 1 {
		p.bar.update(p.seen, logs, false, p.now())
	}
}

// finalize draws the last state; the counter shows the target even when training stopped
// early, as in Keras.
func (p *ProgbarLogger) finalize(logs Logs) {
	if p.bar == nil {
		p.reset()
	}
	if p.bar.target <= 0 {
		p.bar.target = p.seen
	}
	p.bar.update(p.bar.target, logs, true, p.now())
}

// progbar is Keras 3's utils.Progbar with stateful values (shown as given).
type progbar struct {
	target, verbose int
	dynamic         bool
	out             io.Writer

	start, lastUpdate, afterFirst time.Time
	order                         []string
	values                        map[string]float64
	prevWidth                     int
}

// addValues records logs, extending the display order with new names.
func (b *progbar) addValues(logs Logs) {
	var fresh []string
	for k, v := range logs {
		if _, ok := b.values[k]; !ok {
			fresh = append(fresh, k)
		}
		b.values[k] = v
	}
	// Keras 3 sorts the logs, then callbacks add keys such as learning_rate after sorting.
	late := func(k string) bool { return strings.HasPrefix(k, "learning_rate") }
	sort.Slice(fresh, func(i, j int) bool {
		if li, lj := late(fresh[i]), late(fresh[j]); li != lj {
			return lj
		}
		return fresh[i] < fresh[j]
	})
	b.order = append(b.order, fresh...)
}

// stepTime estimates the duration of one step, leaving out the first step when later ones
// exist.
func (b *progbar) stepTime(current int, now time.Time) float64 {
	if current == 0 {
		return 0
	}
	var t float64
	if !b.afterFirst.IsZero() && current > 1 {
		t = now.Sub(b.afterFirst).Seconds() / float64(current-1)
	} else {
		t = now.Sub(b.start).Seconds() / float64(current)
	}
	if current == 1 {
		b.afterFirst = now
	}
	return t
}

func (b *progbar) update(current int, logs Logs, finalize bool, now time.Time) {
	b.addValues(logs)
	perStep := b.stepTime(current, now)
	elapsed := now.Sub(b.start).Seconds()
	switch b.verbose {
	case 1:
		if !finalize && (now.Sub(b.lastUpdate) < 50*time.Millisecond || !b.dynamic) {
			return
		}
		if b.dynamic {
			b.drawDynamic(current, finalize, elapsed, perStep)
		} else {
			b.drawPlain(current, elapsed, perStep)
		}
	case 2:
		if finalize && b.target > 0 {
			var s strings.Builder
			fmt.Fprintf(&s, "%*d/%d - %.0fs -%s", digits(b.target), current, b.target, elapsed, formatStepTime(perStep))
			for _, k := range b.order {
				v := b.values[k]
				if v > 1e-3 { // Keras tests v, not |v|, on this line
					fmt.Fprintf(&s, " - %s: %.4f", k, v)
				} else {
					fmt.Fprintf(&s, " - %s: %.4e", k, v)
				}
			}
			s.WriteByte('\n')
			io.WriteString(b.out, s.String())
		}
	}
	b.lastUpdate = now
}

// drawDynamic writes Keras 3's in-place line.
func (b *progbar) drawDynamic(current int, finalize bool, elapsed, perStep float64) {
	const width = 20
	var bar string
	special := 0
	if b.target > 0 {
		bar = fmt.Sprintf("\x1b[1m%*d/%d\x1b[0m ", digits(b.target), current, b.target)
		special += 8
		done := min(max(int(width*float64(current)/float64(b.target)), 0), width)
		if done > 0 {
			bar += "\x1b[32m" + strings.Repeat("━", done) + "\x1b[0m"
			special += 9
		}
		bar += "\x1b[37m" + strings.Repeat("━", width-done) + "\x1b[0m"
		special += 9
	} else {
		bar = fmt.Sprintf("%7d/Unknown", current)
	}
	var info string
	if b.target > 0 && !finalize {
		info = " \x1b[1m" + formatETA(perStep*float64(b.target-current)) + "\x1b[0m"
	} else {
		info = fmt.Sprintf(" \x1b[1m%.0fs\x1b[0m", elapsed)
	}
	special += 8
	info += formatStepTime(perStep) + b.formatValues()
	total := utf8.RuneCountInString(bar) + utf8.RuneCountInString(info) - special
	var s strings.Builder
	s.WriteString(strings.Repeat("\b", b.prevWidth))
	s.WriteByte('\r')
	s.WriteString(bar)
	s.WriteString(info)
	if b.prevWidth > total {
		s.WriteString(strings.Repeat(" ", b.prevWidth-total))
	}
	if finalize {
		s.WriteByte('\n')
	}
	io.WriteString(b.out, s.String())
	b.prevWidth = total
}

// drawPlain writes the final line without escape codes.
func (b *progbar) drawPlain(current int, elapsed, perStep float64) {
	var s strings.Builder
	if b.target > 0 {
		fmt.Fprintf(&s, "%*d/%d %s", digits(b.target), current, b.target, strings.Repeat("━", 20))
	} else {
		fmt.Fprintf(&s, "%7d/Unknown", current)
	}
	fmt.Fprintf(&s, " %.0fs%s%s\n", elapsed, formatStepTime(perStep), b.formatValues())
	io.WriteString(b.out, s.String())
}

// formatValues formats the values as Keras 3 does: " - name: value", 4 decimals, or
// scientific notation when |value| <= 1e-3.
func (b *progbar) formatValues() string {
	var s strings.Builder
	for _, k := range b.order {
		v := b.values[k]
		if math.Abs(v) > 1e-3 {
			fmt.Fprintf(&s, " - %s: %.4f", k, v)
		} else {
			fmt.Fprintf(&s, " - %s: %.4e", k, v)
		}
	}
	return s.String()
}

// digits is the number of decimal digits of n > 0.
func digits(n int) int { return int(math.Log10(float64(n))) + 1 }

// formatStepTime is Keras's " 4ms/step" (with its leading space).
func formatStepTime(sec float64) string {
	switch {
	case sec >= 1 || sec == 0:
		return fmt.Sprintf(" %.0fs/step", sec)
	case sec >= 1e-3:
		return fmt.Sprintf(" %.0fms/step", sec*1e3)
	}
	return fmt.Sprintf(" %.0fus/step", sec*1e6)
}

// formatETA is Keras's ETA: "12s", "1:05" above a minute, "1:00:05" above an hour.
func formatETA(sec float64) string {
	switch {
	case sec > 3600:
		return fmt.Sprintf("%d:%02d:%02d", int(sec/3600), int(math.Mod(sec, 3600)/60), int(math.Mod(sec, 60)))
	case sec > 60:
		return fmt.Sprintf("%d:%02d", int(sec/60), int(math.Mod(sec, 60)))
	}
	return fmt.Sprintf("%ds", int(sec))
}
