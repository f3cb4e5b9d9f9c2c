// Command dredge scans incident log dumps — NDJSON, gzip or zstd exports of
// Elastic Endpoint, Endgame, Sysmon and Winlogbeat events — with Elastic
// detection rules, and writes the hits as CSV, JSON, NDJSON or a
// self-contained HTML report.
//
// Exit codes follow virus scanners: 0 no hits, 1 hits, 2 the scan was not
// complete or failed; 130 when Ctrl-C or SIGTERM interrupted it.
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
	// The IANA time zone database, built in so that --tz Europe/Paris
	// works on a machine without one (about 450 KB).
	_ "time/tzdata"

	"dredge/report"

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
	// exitInterrupted is the shells' code for a program that SIGINT
	// stopped (128 + 2); dredge uses it for SIGTERM too.
	exitInterrupted = 130
)

func main() {
	pending := new(report.Pending)
	ctx, stop := notifyInterrupt(os.Stderr, pending)
	code := run(ctx, pending, os.Args, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// interrupt is the cause of the context that notifyInterrupt cancels: the
// signal's name, such as "SIGINT".
type interrupt string

func (i interrupt) Error() string { return "interrupted by " + string(i) }

// signalName names the signals dredge handles as people know them.
func signalName(s os.Signal) string {
	switch s {
	case os.Interrupt:
		return "SIGINT"
	case syscall.SIGTERM:
		return "SIGTERM"
	}
	return s.String()
}

// notifyInterrupt handles Ctrl-C (SIGINT) and SIGTERM. The first cancels the
// returned context, with an interrupt as its cause: the scan stops reading
// and its report is written, marked INCOMPLETE. The second stops at once: it
// removes the temporary files of the reports being written (pending) and
// exits with code 130. stop ends the handling.
func notifyInterrupt(stderr io.Writer, pending *report.Pending) (ctx context.Context, stop func()) {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	go func() {
		select {
		case s := <-sigs:
			name := signalName(s)
			fmt.Fprintf(stderr, "\ndredge: %s: stopping; finishing with what was read so far (%s again stops at once)\n", name, name)
			cancel(interrupt(name))
		case <-done:
			return
		}
		select {
		case s := <-sigs:
			what := ""
			if len(pending.Abort()) > 0 {
				what = "; the unfinished report was removed"
			}
			fmt.Fprintf(stderr, "\ndredge: %s again: stopped at once%s\n", signalName(s), what)
			// Here and only here dredge exits outside run: the main
			// goroutine may be busy for a long time yet.
			os.Exit(exitInterrupted)
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
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

// run is the whole command line; it returns the exit code. When ctx is
// cancelled a scan stops and writes what it has; pending tracks the
// temporary files of the reports being written.
func run(ctx context.Context, pending *report.Pending, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
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
			scanCommand(ctx, pending),
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
