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
				Usage: "list the rules: id, name, type, language, severity, risk score, tactics",
				Action: func(c *cli.Context) error {
					rs, err := rules.Builtin()
					if err != nil {
						return &exitError{exitIncomplete, err}
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
				Usage:     "show one rule in full",
				ArgsUsage: "ID",
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return &exitError{exitIncomplete, fmt.Errorf("rules show: give one rule id")}
					}
					rs, err := rules.Builtin()
					if err != nil {
						return &exitError{exitIncomplete, err}
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
