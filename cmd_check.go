package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"dredge/rules"

	"github.com/urfave/cli/v2"
)

func rulesCheckCommand() *cli.Command {
	return &cli.Command{
		Name:      "check",
		Usage:     "parse and compile every rule file under the folders: what loads, what dredge cannot run and why, what is broken",
		ArgsUsage: "DIR...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "text", Usage: "text (a table by type and language) or json (one object per rule file)"},
		},
		Action: runRulesCheck,
	}
}

// runRulesCheck loads the folders as scan --rules does and reports on every
// rule file. Exit code 2 when a file has an error; unsupported and
// deprecated rules are not errors.
func runRulesCheck(c *cli.Context) error {
	format := c.String("format")
	if format != "text" && format != "json" {
		return &exitError{exitIncomplete, fmt.Errorf("rules check: unknown format %q (text, json)", format)}
	}
	if c.NArg() == 0 {
		return &exitError{exitIncomplete, errors.New("rules check: give one or more rule folders")}
	}
	dirs := c.Args().Slice()
	l := rules.LoadDirs(dirs)
	if len(l.Files) == 0 {
		return &exitError{exitIncomplete, fmt.Errorf("rules check: no rule files (*.toml) under %s", strings.Join(dirs, ", "))}
	}
	var err error
	if format == "json" {
		err = writeCheckJSON(c.App.Writer, l.Files)
	} else {
		err = writeCheckText(c.App.Writer, l.Files)
	}
	if err != nil {
		return &exitError{exitIncomplete, err}
	}
	if len(l.Errors) > 0 {
		return &exitError{code: exitIncomplete}
	}
	return nil
}

// checkFile is one rule file in the JSON output of rules check.
type checkFile struct {
	Path     string `json:"path"`
	RuleID   string `json:"rule_id"`
	Name     string `json:"name"`
	Type     string `json:"type"`
	Language string `json:"language"`
	Status   string `json:"status"`
	Reason   string `json:"reason"`
}

// writeCheckJSON writes one object per rule file, in load order, as one
// JSON array indented by two spaces.
func writeCheckJSON(w io.Writer, files []rules.FileResult) error {
	out := make([]checkFile, 0, len(files))
	for i := range files {
		f := &files[i]
		out = append(out, checkFile{f.Path, f.ID, f.Name, f.Type, f.Language, string(f.Status), f.Reason()})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// checkRow counts the rule files of one type and language.
type checkRow struct {
	typ, lang                               string
	loaded, unsupported, errors, deprecated int
}

// writeCheckText writes the table of rule files by type and language, the
// reasons rules are unsupported with their counts, every error at its
// file:line:col, and a closing count.
func writeCheckText(w io.Writer, files []rules.FileResult) error {
	rows := map[[2]string]*checkRow{}
	var total checkRow
	reasons := map[string]int{}
	var errs []*rules.FileResult
	for i := range files {
		f := &files[i]
		key := [2]string{cmp.Or(f.Type, "-"), cmp.Or(f.Language, "-")}
		r := rows[key]
		if r == nil {
			r = &checkRow{typ: key[0], lang: key[1]}
			rows[key] = r
		}
		for _, row := range []*checkRow{r, &total} {
			switch f.Status {
			case rules.StatusOK:
				row.loaded++
			case rules.StatusUnsupported:
				row.unsupported++
			case rules.StatusError:
				row.errors++
			case rules.StatusDeprecated:
				row.deprecated++
			}
		}
		switch f.Status {
		case rules.StatusUnsupported:
			reasons[f.Reason()]++
		case rules.StatusError:
			errs = append(errs, f)
		}
	}
	sorted := make([]*checkRow, 0, len(rows))
	for _, r := range rows {
		sorted = append(sorted, r)
	}
	slices.SortFunc(sorted, func(a, b *checkRow) int {
		return cmp.Or(strings.Compare(a.typ, b.typ), strings.Compare(a.lang, b.lang))
	})

	tw := tabwriter.NewWriter(w, 0, 4, 0, ' ', tabwriter.AlignRight)
	// Right-aligned columns, two spaces apart; type and language make the
	// first cell, padded by hand to stay left-aligned.
	typW, langW := len("TYPE"), len("LANGUAGE")
	for _, r := range sorted {
		typW, langW = max(typW, len(r.typ)), max(langW, len(r.lang))
	}
	line := func(typ, lang string, cells ...any) {
		fmt.Fprintf(tw, "%-*s  %-*s\t", typW, typ, langW, lang)
		for _, c := range cells {
			fmt.Fprintf(tw, "  %v\t", c)
		}
		fmt.Fprintln(tw)
	}
	line("TYPE", "LANGUAGE", "LOADED", "UNSUPPORTED", "ERRORS", "DEPRECATED")
	for _, r := range sorted {
		line(r.typ, r.lang, r.loaded, r.unsupported, r.errors, r.deprecated)
	}
	line("total", "", total.loaded, total.unsupported, total.errors, total.deprecated)
	if err := tw.Flush(); err != nil {
		return err
	}

	if len(reasons) > 0 {
		fmt.Fprintln(w, "\nunsupported:")
		keys := make([]string, 0, len(reasons))
		for k := range reasons {
			keys = append(keys, k)
		}
		// Most frequent first, then by text.
		slices.SortFunc(keys, func(a, b string) int { return cmp.Or(reasons[b]-reasons[a], strings.Compare(a, b)) })
		for _, k := range keys {
			fmt.Fprintf(w, "  %5d  %s\n", reasons[k], oneLine(k))
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(w, "\nerrors:")
		for _, f := range errs {
			fmt.Fprintf(w, "  %s\n", oneLine(f.Reason()))
			var e *rules.Error
			if errors.As(f.Err, &e) && e.Context != "" {
				for _, l := range strings.Split(strings.TrimRight(e.Context, "\n"), "\n") {
					fmt.Fprintf(w, "      %s\n", oneLine(l))
				}
			}
		}
	}
	_, err := fmt.Fprintf(w, "\n%d rule %s: %d loaded, %d unsupported, %d with errors, %d deprecated\n",
		len(files), plural(len(files), "file", "files"), total.loaded, total.unsupported, total.errors, total.deprecated)
	return err
}
