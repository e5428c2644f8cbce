// Command gen remakes the SpamAssassin subset that package datasets embeds
// (spamassassin.csv.gz) from the full corpus, so the embedded file can be checked and rebuilt:
//
//	go run ./keras/datasets/internal/gen -src DIR/spamassassin/spamassassin.csv -out keras/datasets/spamassassin.csv.gz
//
// The subset is deterministic: within each group (easy-ham-1, easy-ham-2, hard-ham-1, spam-1,
// spam-2) it keeps the same share of e-mails, spread evenly over the group's rows in file
// order, so every group and both labels keep their proportions. Bodies are cut to at most
// -body bytes (at a UTF-8 boundary), which keeps the module light while leaving the first few
// hundred words that the examples read.
package main

import (
	"compress/gzip"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"slices"
	"unicode/utf8"
)

func main() {
	src := flag.String("src", "", "the full corpus: spamassassin.csv (label, group, id, subject, body)")
	out := flag.String("out", "spamassassin.csv.gz", "the gzip CSV to write")
	keep := flag.Int("n", 4000, "e-mails to keep, shared among the groups in proportion to their sizes")
	body := flag.Int("body", 1500, "longest body kept, in bytes")
	flag.Parse()
	if *src == "" {
		log.Fatal("gen: -src is required (the path of the full spamassassin.csv)")
	}
	if err := generate(*src, *out, *keep, *body); err != nil {
		log.Fatal(err)
	}
}

func generate(src, out string, keep, bodyBytes int) error {
	f, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		// go generate expands ${KERAGO_DATA}; unset, the path starts at the root.
		return fmt.Errorf("gen: %w (set KERAGO_DATA to the directory holding spamassassin/spamassassin.csv, or pass -src)", err)
	}
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	header, err := r.Read()
	if err != nil {
		return fmt.Errorf("gen: %s: reading the header: %w", src, err)
	}
	want := []string{"label", "group", "id", "subject", "body"}
	if !slices.Equal(header, want) {
		return fmt.Errorf("gen: %s: header is %v, expected %v", src, header, want)
	}
	rows, err := r.ReadAll()
	if err != nil {
		return fmt.Errorf("gen: %s: %w", src, err)
	}
	if keep <= 0 || keep > len(rows) {
		return fmt.Errorf("gen: -n %d: the corpus has %d e-mails", keep, len(rows))
	}
	byGroup := map[string][]int{}
	var groups []string
	for i, rec := range rows {
		if _, seen := byGroup[rec[1]]; !seen {
			groups = append(groups, rec[1])
		}
		byGroup[rec[1]] = append(byGroup[rec[1]], i)
	}
	var kept []int
	for _, g := range groups {
		idx := byGroup[g]
		k := (len(idx)*keep + len(rows)/2) / len(rows) // this group's share, rounded
		// Row j is kept when floor((j+1)k/n) steps up: k rows spread evenly over n.
		for j := range idx {
			if (j+1)*k/len(idx) > j*k/len(idx) {
				kept = append(kept, idx[j])
			}
		}
	}
	slices.Sort(kept)

	o, err := os.Create(out)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	zw, err := gzip.NewWriterLevel(o, gzip.BestCompression)
	if err != nil {
		return errors.Join(err, o.Close())
	}
	w := csv.NewWriter(zw)
	if err := w.Write(header); err != nil {
		return errors.Join(err, o.Close())
	}
	for _, i := range kept {
		rec := slices.Clone(rows[i])
		rec[4] = cut(rec[4], bodyBytes)
		if err := w.Write(rec); err != nil {
			return errors.Join(fmt.Errorf("gen: %s: %w", out, err), o.Close())
		}
	}
	w.Flush()
	if err := errors.Join(w.Error(), zw.Close(), o.Close()); err != nil {
		return fmt.Errorf("gen: %s: %w", out, err)
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d of %d e-mails to %s\n", len(kept), len(rows), out)
	return nil
}

// cut returns s cut to at most n bytes without splitting a UTF-8 sequence.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
