// Command dredge scans incident log dumps — NDJSON, gzip or zstd exports of
// Elastic Endpoint, Endgame, Sysmon and Winlogbeat events — with Elastic
// detection rules, and writes the hits as CSV, JSON, NDJSON or a
// self-contained HTML report.
//
// Exit codes follow virus scanners: 0 no hits, 1 hits, 2 the scan was not
// complete or failed.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
)

// version is dredge's version, printed by "dredge version" and written into
// every report.
const version = "0.1.0"

// Exit codes.
const (
	exitClean      = 0 // no hits
	exitHits       = 1 // hits found
	exitIncomplete = 2 // an error, or input that could not be read
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries an exit code out of a command's action.
type exitError struct {
	code int
	err  error // nil when there is nothing more to print
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// run is the whole command line; it returns the exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	app := &cli.App{
		Name:      "dredge",
		Usage:     "scan incident log dumps with Elastic detection rules",
		Version:   version,
		Reader:    stdin,
		Writer:    stdout,
		ErrWriter: stderr,
		// Errors come back to run, which turns them into exit codes.
		ExitErrHandler:  func(*cli.Context, error) {},
		HideHelpCommand: true,
		Commands: []*cli.Command{
			scanCommand(ctx),
			queryCommand(ctx),
			rulesCommand(),
			{
				Name:  "version",
				Usage: "print dredge's version",
				Action: func(c *cli.Context) error {
					fmt.Fprintf(c.App.Writer, "dredge %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
					return nil
				},
			},
		},
	}
	err := app.Run(interspersed(app, args))
	if err == nil {
		return exitClean
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "dredge: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "dredge: %v\n", err)
	return exitIncomplete
}

// interspersed moves the flags that follow a command's positional arguments
// in front of them, so that "dredge scan dump/ -o report.html" works as
// people expect (urfave/cli/v2 stops reading flags at the first argument).
// Everything after "--" stays positional.
func interspersed(app *cli.App, args []string) []string {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		i++
	}
	if i >= len(args) {
		return args
	}
	cmd := app.Command(args[i])
	for cmd != nil && len(cmd.Subcommands) > 0 {
		// "dredge rules check DIR --format json": find the subcommand.
		if i+1 >= len(args) {
			return args
		}
		i++
		cmd = cmd.Command(args[i])
	}
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, n := range f.Names() {
			takesValue[n] = !isBool
		}
	}
	var flags, pos []string
	rest := args[i+1:]
	for j := 0; j < len(rest); j++ {
		a := rest[j]
		if a == "--" {
			pos = append(pos, rest[j:]...)
			break
		}
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && takesValue[name] && j+1 < len(rest) {
				flags = append(flags, rest[j+1])
				j++
			}
			continue
		}
		pos = append(pos, a)
	}
	out := append(append([]string{}, args[:i+1]...), flags...)
	return append(out, pos...)
}
