package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"dredge/rules"

	"github.com/urfave/cli/v2"
)

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list and show the rules",
		Subcommands: []*cli.Command{
			{
				Name:  "list",
				Flags: []cli.Flag{rulesFlag, noBuiltinFlag},
				Usage: "list the rules: id, name, type, language, severity, risk score, tactics",
				Action: func(c *cli.Context) error {
					rs, err := loadRules(c)
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
				Flags:     []cli.Flag{rulesFlag, noBuiltinFlag},
				Usage:     "show one rule in full",
				ArgsUsage: "ID",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return &exitError{exitIncomplete, fmt.Errorf("rules show: give one rule id")}
					}
					rs, err := loadRules(c)
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
)

// loadRules gives the rules a command runs: the built-in ones unless
// --no-builtin, then those under each --rules folder. Rule files that fail
// are reported on stderr with their file:line:col and the others still run.
func loadRules(c *cli.Context) ([]*rules.Rule, error) {
	var rs []*rules.Rule
	if !c.Bool("no-builtin") {
		b, err := rules.Builtin()
		if err != nil {
			return nil, &exitError{exitIncomplete, err}
		}
		rs = b
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
		rs = append(rs, l.Rules...)
	}
	if len(rs) == 0 {
		return nil, &exitError{exitIncomplete, fmt.Errorf("no rules to run")}
	}
	return rs, nil
}
