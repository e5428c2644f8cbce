package testenv

import (
	"encoding/json"
	"testing"
)

// TFEventsChecker is the path, in the shared directory, of the team's independent verifier of
// TensorBoard event files; [SharedFile] finds it.
const TFEventsChecker = "tools/tfevents_check.py"

// TFEventsCheck runs the verifier checker (the path of tools/tfevents_check.py) with py on
// logDir, with --strict --json, one --expect-tag for each of tags ("run/tag") and flags. It
// fails the test when the verifier fails or its report is not clean (ok false, an error or a
// warning), and returns the report's "runs" object for the caller to decode what it checks.
func TFEventsCheck(t testing.TB, py, checker, logDir string, tags []string, flags ...string) json.RawMessage {
	t.Helper()
	args := append([]string{checker, logDir, "--strict", "--json"}, flags...)
	for _, tag := range tags {
		args = append(args, "--expect-tag", tag)
	}
	out, err := PythonCombinedOutput(t, py, args...)
	if err != nil {
		t.Fatalf("tfevents_check.py --strict failed: %v\n%.4000s", err, out)
	}
	var rep struct {
		OK       bool            `json:"ok"`
		Errors   []string        `json:"errors"`
		Warnings []string        `json:"warnings"`
		Runs     json.RawMessage `json:"runs"`
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("verifier output: %v\n%.4000s", err, out)
	}
	if !rep.OK || len(rep.Errors) > 0 || len(rep.Warnings) > 0 {
		t.Fatalf("verifier: ok=%v errors=%v warnings=%v", rep.OK, rep.Errors, rep.Warnings)
	}
	return rep.Runs
}
