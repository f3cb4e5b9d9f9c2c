package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"dredge/report"
	"dredge/rules"

	"github.com/urfave/cli/v2"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list, show and check the rules",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Flags: append([]cli.Flag{rulesFlag, noBuiltinFlag, strictFlag}, filterFlags...),
				Usage: "list the rules: id, name, type, language, severity, risk score, tactics",
				Action: func(c *cli.Context) error {
					rs, _, err := loadRules(c)
					if err != nil {
						return err
					}
					tw := tabwriter.NewWriter(c.App.Writer, 0, 4, 2, ' ', 0)
					fmt.Fprintln(tw, "ID\tNAME\tTYPE\tLANGUAGE\tSEVERITY\tRISK\tTACTICS")
					for _, r := range rs {
						fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.ID, r.Name, r.Type, r.Language, r.Severity, r.RiskScore, strings.Join(r.Tactics(), ", "))
					}
					return tw.Flush()
				},
			},
			{
				Name:      "show",
				Flags:     []cli.Flag{rulesFlag, noBuiltinFlag, strictFlag},
				Usage:     "show one rule in full",
				ArgsUsage: "ID",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return &exitError{exitIncomplete, fmt.Errorf("rules show: give one rule id")}
					}
					rs, _, err := loadRules(c)
					if err != nil {
						return err
					}
					for _, r := range rs {
						if r.ID == c.Args().First() {
							showRule(c, r)
							return nil
						}
					}
					return &exitError{exitIncomplete, fmt.Errorf("rules show: no rule with id %q", c.Args().First())}
				},
			},
			rulesCheckCommand(),
		},
	}
}

func showRule(c *cli.Context, r *rules.Rule) {
	w := c.App.Writer
	fmt.Fprintf(w, "id:          %s\nname:        %s\ntype:        %s\nlanguage:    %s\nseverity:    %s\nrisk score:  %d\n",
		r.ID, r.Name, r.Type, r.Language, r.Severity, r.RiskScore)
	fmt.Fprintf(w, "index:       %s\n", strings.Join(r.Index, ", "))
	if r.TimestampOverride != "" {
		fmt.Fprintf(w, "timestamp:   %s (else @timestamp)\n", r.TimestampOverride)
	}
	if r.NewTerms != nil {
		fmt.Fprintf(w, "new terms:   %s, history %s\n", strings.Join(r.NewTerms.Fields, ", "), r.NewTerms.HistoryWindowStart)
	}
	if th := r.Threshold; th != nil {
		by := strings.Join(th.Fields, ", ")
		if by == "" {
			by = "(all events)"
		}
		fmt.Fprintf(w, "threshold:   at least %d events per %s", th.Value, by)
		if len(th.Cardinality) > 0 {
			fmt.Fprintf(w, ", with at least %d distinct %s", th.Cardinality[0].Value, th.Cardinality[0].Field)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "tactics:     %s\ntechniques:  %s\ntags:        %s\nsource:      %s\n",
		strings.Join(r.Tactics(), ", "), strings.Join(r.Techniques(), ", "), strings.Join(r.Tags, ", "), r.Source)
	fmt.Fprintf(w, "\n%s\n\nquery:\n%s\n", r.Description, strings.TrimSpace(r.Query))
	if r.Note != "" {
		fmt.Fprintf(w, "\n%s\n", strings.TrimSpace(r.Note))
	}
}

var (
	rulesFlag     = &cli.StringSliceFlag{Name: "rules", Usage: "also load the rule files (*.toml, detection-rules layout) under `DIR`, recursively; repeatable"}
	noBuiltinFlag = &cli.BoolFlag{Name: "no-builtin", Usage: "leave out the built-in rules"}
	strictFlag    = &cli.BoolFlag{Name: "strict-rules", Usage: "stop (exit 2) when a rule file has an error (malformed TOML, an unknown rule type, a query that does not parse) instead of running the other rules"}
)

// filterFlags pick the rules to run; rules.Filter does the picking.
var filterFlags = []cli.Flag{
	&cli.StringSliceFlag{Name: "rule", Usage: "run only the rule with this rule_id, or those whose name matches this pattern (* and ?, any case); repeatable"},
	&cli.StringFlag{Name: "min-severity", Usage: "run only rules of this severity or higher: low, medium, high or critical"},
	&cli.StringSliceFlag{Name: "tag", Usage: "run only rules with this tag, such as \"OS: Linux\" (any case); repeatable"},
	&cli.StringSliceFlag{Name: "tactic", Usage: "run only rules of this ATT&CK tactic, by id (TA0002) or name (Execution); repeatable"},
}

// loadRules gives the rules a command runs: the built-in ones unless
// --no-builtin, then those under each --rules folder, less those the filter
// flags leave out; and an account of them for the report. Rule files that
// fail are reported on stderr with their file:line:col and the others still
// run.
func loadRules(c *cli.Context) ([]*rules.Rule, report.RuleSet, error) {
	var set report.RuleSet
	f := rules.Filter{
		Rules:       c.StringSlice("rule"),
		MinSeverity: c.String("min-severity"),
		Tags:        c.StringSlice("tag"),
		Tactics:     c.StringSlice("tactic"),
	}
	if err := f.Check(); err != nil {
		return nil, set, &exitError{exitIncomplete, err}
	}
	var rs []*rules.Rule
	if !c.Bool("no-builtin") {
		b, err := rules.Builtin()
		if err != nil {
			return nil, set, &exitError{exitIncomplete, err}
		}
		rs = b
		set.Builtin = len(b)
	}
	dirs := c.StringSlice("rules")
	if len(dirs) > 0 {
		l := rules.LoadDirs(dirs)
		w := c.App.ErrWriter
		for _, e := range l.Errors {
			fmt.Fprintf(w, "dredge: rule error: %s\n", oneLine(e.Error()))
		}
		if len(l.Errors) > 0 || len(l.Unsupported) > 0 || l.Deprecated > 0 {
			fmt.Fprintf(w, "dredge: loaded %d %s from %s; %d with errors, %d of unsupported types, %d deprecated skipped\n",
				len(l.Rules), plural(len(l.Rules), "rule", "rules"), strings.Join(dirs, ", "), len(l.Errors), len(l.Unsupported), l.Deprecated)
		}
		if len(l.Errors) > 0 && c.Bool("strict-rules") {
			return nil, set, &exitError{exitIncomplete, fmt.Errorf("%d rule %s with errors (--strict-rules)",
				len(l.Errors), plural(len(l.Errors), "file", "files"))}
		}
		rs = append(rs, l.Rules...)
		set.Folders = dirs
		set.FromFolders = len(l.Rules)
		set.Deprecated, set.Unsupported, set.Errors = l.Deprecated, len(l.Unsupported), len(l.Errors)
	}
	if len(rs) == 0 {
		return nil, set, &exitError{exitIncomplete, fmt.Errorf("no rules to run")}
	}
	if !f.IsZero() {
		kept := f.Apply(rs)
		if len(kept) == 0 {
			return nil, set, &exitError{exitIncomplete, fmt.Errorf("no rules to run: none of the %d %s matches %s",
				len(rs), plural(len(rs), "rule", "rules"), f.String())}
		}
		set.Filter = f.String()
		set.Filtered = len(rs) - len(kept)
		rs = kept
	}
	return rs, set, nil
}
