package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"dredge/decode"
	"dredge/report"
	"dredge/scan"

	"github.com/schollz/progressbar/v3"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func scanCommand(ctx context.Context, pending *report.Pending) *cli.Command {
	return &cli.Command{
		Name:      "scan",
		Usage:     "scan files and folders (plain, gzip or zstd NDJSON; - for stdin) with the rules",
		ArgsUsage: "PATH...",
		Flags: append([]cli.Flag{
			rulesFlag, noBuiltinFlag, strictFlag,
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "report format: csv, json, ndjson, html, timesketch (a CSV timeline for Timesketch) or ecs (NDJSON alerts for Elasticsearch) (default: from the -o extension, else a text list)"},
			&cli.BoolFlag{Name: "csv-raw", Usage: "write CSV and Timesketch cells as they are, without the leading ' that keeps a spreadsheet from running a cell as a formula"},
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write the report to `FILE` (written to a temporary name, renamed when complete)"},
			&cli.IntFlag{Name: "workers", Value: runtime.NumCPU(), Usage: "number of parsing workers"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress bar and no summary on stderr"},
			&cli.BoolFlag{Name: "no-normalize", Usage: "do not fill in ECS fields on raw Winlogbeat, Winlogbeat 6 and flat Windows events: match exactly what Kibana would see"},
			&cli.BoolFlag{Name: "all-indices", Usage: "apply every rule to every event, whatever indices the rule reads (its index patterns)"},
			&cli.StringFlag{Name: "unknown-index", Value: "apply", Usage: "rules for events whose index is unknown (no _index, data_stream, agent or module fields): apply, or skip the rules with index patterns"},
			&cli.StringFlag{Name: "from", Usage: "scan only the events at or after `TIME` (@timestamp): RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01, midnight UTC) or before now (-72h, -30m, -7d)"},
			&cli.StringFlag{Name: "to", Usage: "scan only the events before `TIME` (@timestamp), written as for --from"},
			&cli.StringFlag{Name: "tz", Value: "UTC", Usage: "show times in `ZONE`: an IANA name (Europe/Paris), UTC, Local (this machine's) or an offset (+02:00)"},
			&cli.BoolFlag{Name: "no-hash", Usage: "do not compute the SHA-256 of the input files for the report's chain of custody (it costs about a second of CPU per GB read)"},
			&cli.IntFlag{Name: "max-hits-per-rule", Value: 10000, Usage: "report at most `N` hits of each rule, its earliest, and count the others (0: no limit); a rule that fires on every event cannot exhaust memory"},
			&cli.BoolFlag{Name: "profile-rules", Usage: "print the 20 rules the scan spent most time on, to find a slow rule in a folder"},
			&cli.StringFlag{Name: "cpuprofile", Usage: "write a Go CPU profile of the scan to `FILE` (go tool pprof)"},
			&cli.StringFlag{Name: "memprofile", Usage: "write a Go heap profile at the end of the scan to `FILE` (go tool pprof)"},
		}, filterFlags...),
		Action: func(c *cli.Context) error { return runScan(ctx, pending, c) },
	}
}

// runScan runs the scan command. When ctx is cancelled (Ctrl-C) the scan
// stops reading, and what it found is written, marked INCOMPLETE; the exit
// code is then 130.
func runScan(ctx context.Context, pending *report.Pending, c *cli.Context) error {
	stderr := c.App.ErrWriter
	if c.NArg() == 0 {
		return &exitError{exitIncomplete, errors.New("scan: no input; give files, folders or - for stdin")}
	}
	format := c.String("format")
	out := c.String("output")
	if format == "" && out != "" {
		f, err := report.FormatFromPath(out)
		if err != nil {
			return &exitError{exitIncomplete, fmt.Errorf("scan: %v; give --format", err)}
		}
		format = f
	}
	switch format {
	case "", "csv", "json", "ndjson", "html", "timesketch", "ecs":
	default:
		return &exitError{exitIncomplete, fmt.Errorf("scan: unknown format %q (csv, json, ndjson, html, timesketch, ecs)", format)}
	}
	if out != "" {
		// Fail before reading anything when the report cannot be written.
		if err := report.CheckPath(out); err != nil {
			return &exitError{exitIncomplete, fmt.Errorf("writing the report: %v", err)}
		}
	}
	if c.Int("max-hits-per-rule") < 0 {
		return &exitError{exitIncomplete, fmt.Errorf("scan: --max-hits-per-rule must be 0 (no limit) or more")}
	}
	if c.Int("workers") < 1 {
		return &exitError{exitIncomplete, fmt.Errorf("scan: --workers must be at least 1")}
	}
	switch c.String("unknown-index") {
	case "apply", "skip":
	default:
		return &exitError{exitIncomplete, fmt.Errorf("scan: --unknown-index is apply or skip, not %q", c.String("unknown-index"))}
	}
	from, to, err := scanWindow(c.String("from"), c.String("to"), time.Now())
	if err != nil {
		return &exitError{exitIncomplete, err}
	}
	tz, err := parseZone(c.String("tz"))
	if err != nil {
		return &exitError{exitIncomplete, fmt.Errorf("scan: --tz: %v", err)}
	}
	epoch, err := sourceDateEpoch(os.Getenv("SOURCE_DATE_EPOCH"))
	if err != nil {
		return &exitError{exitIncomplete, err}
	}
	if f := c.String("cpuprofile"); f != "" {
		stop, err := startCPUProfile(f)
		if err != nil {
			return &exitError{exitIncomplete, fmt.Errorf("scan: --cpuprofile: %v", err)}
		}
		defer stop()
	}
	if f := c.String("memprofile"); f != "" {
		defer func() {
			if err := writeHeapProfile(f); err != nil {
				fmt.Fprintf(stderr, "dredge: --memprofile: %v\n", err)
			}
		}()
	}
	rs, ruleSet, err := loadRules(c)
	if err != nil {
		return err
	}

	inputs, problems, passedOver := decode.Expand(c.Args().Slice())
	setStdin(ctx, inputs, c.App.Reader)
	quiet := c.Bool("quiet")
	cfg := scan.Config{Rules: rs, Workers: c.Int("workers"), Version: version,
		AllIndices: c.Bool("all-indices"), SkipUnknownIndex: c.String("unknown-index") == "skip",
		NoNormalize: c.Bool("no-normalize"), MaxHitsPerRule: c.Int("max-hits-per-rule"),
		From: from, To: to, ProfileRules: c.Bool("profile-rules"), NoHash: c.Bool("no-hash") || !showsHashes(format, quiet)}
	var bar *progressbar.ProgressBar
	if !quiet && isTerminal(stderr) {
		var total int64
		for _, in := range inputs {
			if in.Size > 0 {
				total += in.Size
			}
		}
		bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetDescription("scanning"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		cfg.Progress = func(n int) { _ = bar.Add(n) }
	}

	res, err := scan.Run(ctx, inputs, cfg)
	if bar != nil {
		_ = bar.Finish()
	}
	if err != nil && !errors.Is(err, scan.ErrIncomplete) && res == nil {
		return &exitError{exitIncomplete, err}
	}
	res.Summary.RuleSet = ruleSet
	if why := interruption(ctx, err); why != "" {
		res.Summary.Interrupted = why
		res.Summary.Complete = false
	}
	res.Summary.PassedOver = passedOver
	// Problems found while expanding the paths come first.
	if len(problems) > 0 {
		var ps []report.Problem
		for _, p := range problems {
			ps = append(ps, report.Problem{File: p.File, Line: p.Line, Kind: p.Kind, Reason: p.Reason})
			res.Summary.Skipped[p.Kind]++
		}
		res.Summary.Problems = append(ps, res.Summary.Problems...)
		res.Summary.Complete = false
	}

	opts := report.Options{Pending: pending, TZ: tz, CSVRaw: c.Bool("csv-raw")}
	rep := res
	if !epoch.IsZero() {
		// A reproducible report: its scan started at SOURCE_DATE_EPOCH
		// and took no known time.
		r := *res
		r.Summary.Started, r.Summary.Duration = epoch, 0
		rep = &r
	}
	var werr error
	switch {
	case out != "":
		werr = opts.Create(out, format, rep)
	case format != "":
		werr = opts.Write(c.App.Writer, format, rep)
	default:
		werr = writeText(c.App.Writer, res, tz)
	}
	if !quiet {
		written := out
		if werr != nil {
			written = "" // not "report written to": the error below says why
		}
		printSummary(stderr, res, written, tz)
		if n := report.Untimed(res); format == report.FormatTimesketch && n > 0 && werr == nil {
			fmt.Fprintf(stderr, "timesketch: %d %s without a time left out of the timeline; the other formats have them\n", n, plural(n, "hit", "hits"))
		}
	}
	if c.Bool("profile-rules") {
		printRuleProfile(stderr, res.Summary.Rules)
	}
	if werr != nil {
		return &exitError{exitIncomplete, reportError(out, werr)}
	}
	if why := res.Summary.Interrupted; why != "" {
		return &exitError{exitInterrupted, fmt.Errorf("scan interrupted by %s: the hits are only those of the input read before", why)}
	}
	if !res.Summary.Complete {
		return &exitError{code: exitIncomplete}
	}
	if res.Summary.Hits > 0 {
		return &exitError{code: exitHits}
	}
	return nil
}

// scanWindow parses the --from and --to flags, the relative times against
// now; an empty flag is an open end (the zero time). It is an error when
// from is not before to.
func scanWindow(fromFlag, toFlag string, now time.Time) (from, to time.Time, err error) {
	if fromFlag != "" {
		if from, err = parseWindowTime(fromFlag, now); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("scan: --from: %v", err)
		}
	}
	if toFlag != "" {
		if to, err = parseWindowTime(toFlag, now); err != nil {
			return time.Time{}, time.Time{}, fmt.Errorf("scan: --to: %v", err)
		}
	}
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return time.Time{}, time.Time{}, fmt.Errorf("scan: --from %s is not before --to %s: no event can be in the window",
			windowTime(from), windowTime(to))
	}
	return from, to, nil
}

// showsHashes reports whether the SHA-256 of the inputs would be seen: in
// the chain of custody of a JSON or HTML report, or in the summary on
// stderr. The other formats are lists of hits; with --quiet and one of
// them, the hashes, which cost a core about a second per GB, are not
// computed.
func showsHashes(format string, quiet bool) bool {
	return !quiet || format == report.FormatJSON || format == report.FormatHTML
}

// sourceDateEpoch reads the value of SOURCE_DATE_EPOCH (see
// reproducible-builds.org): a number of seconds since the Unix epoch that
// a report gives as the time its scan started, with no duration, so that
// the same input gives the same report, byte for byte. It returns the zero
// time when s is "".
func sourceDateEpoch(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 253402300799 { // 9999-12-31T23:59:59Z
		return time.Time{}, fmt.Errorf("scan: SOURCE_DATE_EPOCH is %q, not a number of seconds since 1970-01-01T00:00:00Z", s)
	}
	return time.Unix(n, 0).UTC(), nil
}

// parseWindowTime parses a time of --from or --to: RFC 3339
// (2024-05-01T10:00:00Z, fractions of seconds and offsets too), a date
// alone (2024-05-01, midnight UTC), or a time before now: a minus sign and
// a Go duration (-72h, -30m, -1h30m) or a number of days (-7d, 24h each).
// A relative time is cut to the whole second.
func parseWindowTime(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil // UTC
	}
	if rest, ok := strings.CutPrefix(s, "-"); ok && rest != "" && '0' <= rest[0] && rest[0] <= '9' {
		if days, ok := strings.CutSuffix(rest, "d"); ok {
			if n, err := strconv.Atoi(days); err == nil && n <= maxDays {
				return now.Add(-time.Duration(n) * 24 * time.Hour).Truncate(time.Second), nil
			}
		} else if d, err := time.ParseDuration(rest); err == nil {
			return now.Add(-d).Truncate(time.Second), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: give RFC 3339 (2024-05-01T10:00:00Z), a date (2024-05-01) or a time before now (-72h, -30m, -7d)", s)
}

// maxDays is the most days --from and --to go back, about as far as a
// time.Duration reaches.
const maxDays = 100_000

// windowTime writes a bound of the time window for the terminal.
func windowTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// windowText describes the scan's time window, such as
// "2024-05-01T10:00:00Z to 2024-05-02T00:00:00Z", "from
// 2024-05-01T10:00:00Z on" or "before 2024-05-02T00:00:00Z".
func windowText(s *report.Summary) string {
	switch {
	case s.To.IsZero():
		return "from " + windowTime(s.From) + " on"
	case s.From.IsZero():
		return "before " + windowTime(s.To)
	}
	return windowTime(s.From) + " to " + windowTime(s.To)
}

// reportError explains why the report could not be written to out (or to
// stdout when out is ""). Create leaves a file already at out as it was.
func reportError(out string, err error) error {
	if out == "" {
		return fmt.Errorf("writing the report: %v", err)
	}
	if fi, serr := os.Lstat(out); serr == nil && !fi.IsDir() {
		return fmt.Errorf("writing the report: %v; the earlier %s is unchanged", err, displayName(out))
	}
	return fmt.Errorf("writing the report: %v; no report was written", err)
}

// interruption tells what stopped a scan whose error err is ctx's: the
// signal, such as "SIGINT", or the cause of the cancellation; "" when the
// scan was not cancelled.
func interruption(ctx context.Context, err error) string {
	if err == nil || ctx.Err() == nil || !errors.Is(err, ctx.Err()) {
		return ""
	}
	cause := context.Cause(ctx)
	var sig interrupt
	if errors.As(cause, &sig) {
		return string(sig)
	}
	return cause.Error()
}

// setStdin gives the input "-" standard input, made to end when ctx is
// cancelled (see interruptible).
func setStdin(ctx context.Context, inputs []decode.Input, stdin io.Reader) {
	var r io.Reader
	for i := range inputs {
		if inputs[i].Path == "-" {
			if r == nil {
				r = interruptible(ctx, stdin)
			}
			inputs[i].Stdin = r
		}
	}
}

// interruptible returns a reader of r that ends (io.EOF) as soon as ctx is
// cancelled, even while a read of r blocks: standard input from a pipe that
// its writer keeps open would otherwise hold a scan after Ctrl-C forever. A
// goroutine copies r; once ctx is cancelled it stays blocked in r.Read
// until that read returns, or the process ends.
func interruptible(ctx context.Context, r io.Reader) io.Reader {
	pr, pw := io.Pipe()
	go func() {
		// Large writes: the reader gets as much as one write holds. The
		// struct hides an *os.File's WriteTo, which would copy 32 KiB at
		// a time.
		buf := make([]byte, 1<<20)
		_, err := io.CopyBuffer(pw, struct{ io.Reader }{r}, buf)
		pw.CloseWithError(err) // nil: io.EOF for the reader
	}()
	context.AfterFunc(ctx, func() { pw.Close() })
	return pr
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeText prints one line per hit, for a responder at a terminal, with
// times in zone tz.
func writeText(w io.Writer, res *report.Result, tz *time.Location) error {
	for _, h := range res.Hits {
		t := "-"
		if !h.Time.IsZero() {
			t = h.Time.In(tz).Format(textTime)
		}
		var what []string
		for _, s := range []string{h.Fields.Host, h.Fields.User, h.Fields.Process, h.Fields.File} {
			if s != "" {
				what = append(what, s)
			}
		}
		extra := ""
		if len(h.NewTerms) > 0 {
			extra = " new terms: " + strings.Join(h.NewTerms, ", ")
		}
		if th := h.Threshold; th != nil {
			// A threshold group: its values, its count and its last
			// event; the hit is its first.
			var terms []string
			for _, x := range th.Terms {
				terms = append(terms, x.Field+"="+x.Value)
			}
			extra += fmt.Sprintf(" threshold: %s", strings.Join(terms, ", "))
			if len(terms) == 0 {
				extra += "all events"
			}
			extra += fmt.Sprintf("; %d events to %s", th.Count, th.Last.In(tz).Format(textTime))
			for _, c := range th.Cardinality {
				extra += fmt.Sprintf("; %d distinct %s", c.Value, c.Field)
			}
		}
		if len(h.Events) > 0 {
			// A sequence or sample: its events, the first of which is
			// the hit's origin.
			var chain []string
			for _, e := range h.Events {
				if e.Missing {
					chain = append(chain, "(missing)")
				} else {
					chain = append(chain, fmt.Sprintf("%s:%d", displayName(e.Origin.File), e.Origin.Line))
				}
			}
			extra += fmt.Sprintf(" events: %s", strings.Join(chain, ", "))
		}
		if _, err := fmt.Fprintf(w, "%s  %-8s %s  [%s]  %s:%d%s\n", t, h.Rule.Severity, oneLine(h.Rule.Name),
			oneLine(strings.Join(what, " | ")), displayName(h.Origin.File), h.Origin.Line, oneLine(extra)); err != nil {
			return err
		}
	}
	if s := &res.Summary; s.Interrupted != "" {
		// Last, where a person at the terminal looks.
		if _, err := fmt.Fprintf(w, "INCOMPLETE: scan interrupted by %s after %d events; the hits above are only those of these events\n",
			s.Interrupted, s.Events); err != nil {
			return err
		}
	}
	return nil
}

// textTime is the layout of the times of writeText: RFC 3339 with
// milliseconds, "Z" for UTC.
const textTime = "2006-01-02T15:04:05.000Z07:00"

// displayName returns a file name for the terminal: as it is when it prints
// safely on one line, else quoted with Go's escapes (strconv.Quote), so
// that a name holding a newline, a tab, another control or invisible
// character, or bytes that are not UTF-8 cannot fake lines or hide what it
// is. A name that starts with a double quote is quoted too, so that a
// quoted name is never ambiguous.
func displayName(name string) string {
	if name != "" && name[0] != '"' && utf8.ValidString(name) && strings.IndexFunc(name, notPrint) < 0 {
		return name
	}
	return strconv.Quote(name)
}

func notPrint(r rune) bool { return !strconv.IsPrint(r) }

// oneLine keeps attacker-controlled text on one terminal line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// printRuleProfile prints the rules that took the most time, slowest
// first, with their share of the time spent on all rules.
func printRuleProfile(w io.Writer, rcs []report.RuleCount) {
	rcs = slices.Clone(rcs)
	slices.SortStableFunc(rcs, func(a, b report.RuleCount) int { return cmp.Compare(b.Time, a.Time) })
	var total time.Duration
	for _, rc := range rcs {
		total += rc.Time
	}
	if total <= 0 {
		return
	}
	fmt.Fprintf(w, "\ntime spent on rules: %s over all workers; the slowest:\n", total.Round(time.Millisecond))
	for _, rc := range rcs[:min(20, len(rcs))] {
		if rc.Time <= 0 {
			break
		}
		fmt.Fprintf(w, "  %8s %5.1f%%  %6d hits  %s  %s\n", rc.Time.Round(time.Millisecond), 100*float64(rc.Time)/float64(total), rc.Hits, rc.Rule.Name, oneLine(rc.Rule.Source))
	}
}

// printSummary writes the end-of-scan summary to w (stderr), with times in
// zone tz; out is the report file written, "" when none was.
func printSummary(w io.Writer, res *report.Result, out string, tz *time.Location) {
	s := res.Summary
	elapsed := s.Duration
	secs := elapsed.Seconds()
	if secs <= 0 {
		secs = 1e-9
	}
	fmt.Fprintf(w, "\nscanned %d %s, %s, %d %s in %.2fs (%.0f events/s, %.1f MB/s)\n",
		len(s.Files), plural(len(s.Files), "file", "files"), humanBytes(s.Bytes), s.Events, plural(int(s.Events), "event", "events"),
		elapsed.Seconds(), float64(s.Events)/secs, float64(s.Bytes)/1e6/secs)
	if !s.First.IsZero() {
		fmt.Fprintf(w, "events from %s to %s\n", s.First.In(tz).Format(time.RFC3339), s.Last.In(tz).Format(time.RFC3339))
	}
	if s.Windowed() {
		fmt.Fprintf(w, "window %s: %d %s outside it left out\n", windowText(&s), s.OutsideWindow, plural(int(s.OutsideWindow), "event", "events"))
	}
	if s.NoTime > 0 {
		why := "scanned all the same"
		if s.Windowed() {
			why = "left out, as the window cannot place them"
		}
		fmt.Fprintf(w, "%d %s without a usable @timestamp: %s\n", s.NoTime, plural(int(s.NoTime), "event", "events"), why)
	}
	if len(s.Normalized) > 0 || s.HostOSTypeDerived > 0 {
		fmt.Fprintf(w, "normalised to ECS: %s; host.os.type derived for %d (--no-normalize turns this off)\n",
			countsText(s.Normalized), s.HostOSTypeDerived)
	}
	if s.NoIndex > 0 {
		fmt.Fprintf(w, "%d %s without an index (no _index, data_stream, agent or module fields; see --unknown-index)\n",
			s.NoIndex, plural(int(s.NoIndex), "event", "events"))
	}
	if rs := s.RuleSet.Text(); rs != "" {
		fmt.Fprintf(w, "rules: %s\n", oneLine(rs))
	}
	fmt.Fprintf(w, "%d %s from %d %s\n", s.Hits, plural(s.Hits, "hit", "hits"), len(s.Rules), plural(len(s.Rules), "rule", "rules"))
	if s.Dropped > 0 {
		fmt.Fprintf(w, "%d more %s not in the report: a rule reports at most %d (--max-hits-per-rule)\n", s.Dropped, plural(s.Dropped, "hit", "hits"), s.MaxHitsPerRule)
	}
	for _, rc := range s.Rules {
		switch {
		case rc.Dropped > 0:
			fmt.Fprintf(w, "  %5d  %-8s %s (the earliest %d are in the report: --max-hits-per-rule)\n", rc.Hits, rc.Rule.Severity, rc.Rule.Name, rc.Hits-rc.Dropped)
		case rc.Hits > 0:
			fmt.Fprintf(w, "  %5d  %-8s %s\n", rc.Hits, rc.Rule.Severity, rc.Rule.Name)
		}
	}
	printHosts(w, s.Hosts, tz)
	printHashes(w, s.Files)
	if n := len(s.PassedOver); n > 0 {
		fmt.Fprintf(w, "passed over %d %s beside the logs, by %s: %s\n", n, plural(n, "documentation file", "documentation files"),
			plural(n, "its name", "their names"), passedOverText(s.PassedOver))
	}
	if s.Interrupted != "" {
		fmt.Fprintf(w, "INCOMPLETE: scan interrupted by %s after %d %s; the rest of the input was not scanned\n",
			s.Interrupted, s.Events, plural(int(s.Events), "event", "events"))
	}
	if len(s.Problems) > 0 {
		fmt.Fprintf(w, "INCOMPLETE: %d %s (%s)\n", len(s.Problems), plural(len(s.Problems), "problem", "problems"), countsText(s.Skipped))
		const show = 20
		for i, p := range s.Problems {
			if i == show {
				fmt.Fprintf(w, "  ... and %d more (all are in the report)\n", len(s.Problems)-show)
				break
			}
			fmt.Fprintf(w, "  %s\n", oneLine(problemString(p)))
		}
	} else if s.Interrupted == "" {
		fmt.Fprintln(w, "complete: every input was read in full")
	}
	if out != "" {
		fmt.Fprintf(w, "report written to %s\n", displayName(out))
	}
}

func problemString(p report.Problem) string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", displayName(p.File), p.Line, p.Reason)
	}
	return fmt.Sprintf("%s: %s", displayName(p.File), p.Reason)
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// countsText lists counts by name, in name order: "2 decompress, 1 open".
func countsText[N int | int64](m map[string]N) string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%d %s", m[name], name)
	}
	return strings.Join(parts, ", ")
}

// passedOverText names the first few files passed over, quoted as needed.
func passedOverText(paths []string) string {
	const show = 5
	var names []string
	for i, p := range paths {
		if i == show {
			names = append(names, fmt.Sprintf("and %d more (all are in a JSON report)", len(paths)-show))
			break
		}
		names = append(names, displayName(p))
	}
	return strings.Join(names, ", ")
}
