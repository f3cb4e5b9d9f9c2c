package normalize

import "strings"

// SplitCommandLine splits a Windows command line into arguments as
// CommandLineToArgvW does, which is how Windows programs that ask the
// system for their argv see it:
//
//   - The first argument, the program, is read to the next space or tab;
//     if it starts with a double quote, to the next double quote instead
//     (spaces and tabs included). Backslashes are not special in it.
//   - The other arguments are separated by spaces and tabs outside quotes.
//     A double quote starts or ends a quoted part; 2n backslashes before a
//     double quote give n backslashes and the quote delimits, 2n+1 give n
//     backslashes and a literal double quote; backslashes elsewhere are
//     literal. Inside a quoted part, two double quotes give one literal
//     double quote and end the quoted part (the rule CommandLineToArgvW
//     kept when the C runtime changed it in 2008).
//
// Leading spaces and tabs are skipped (CommandLineToArgvW would give an
// empty program name); an empty or blank command line gives no arguments.
// Winlogbeat's pipelines use Go's os.commandLineToArgv, which applies the
// second rule to the program too: they differ only on a program name with
// a backslash before a double quote.
func SplitCommandLine(cmd string) []string {
	var args []string
	sp := argSplitter{cmd: cmd}
	for {
		arg, ok := sp.next(nil)
		if !ok {
			return args
		}
		args = append(args, string(arg))
	}
}

// argSplitter gives the arguments of a command line one by one.
type argSplitter struct {
	cmd     string
	started bool
}

// next appends the next argument to buf[:0] and returns it; ok is false
// when there are no more.
func (s *argSplitter) next(buf []byte) (arg []byte, ok bool) {
	cmd := strings.TrimLeft(s.cmd, " \t")
	if cmd == "" {
		return nil, false
	}
	if !s.started {
		s.started = true
		if cmd[0] == '"' {
			end := strings.IndexByte(cmd[1:], '"')
			if end < 0 {
				s.cmd = ""
				return append(buf[:0], cmd[1:]...), true
			}
			s.cmd = cmd[2+end:]
			return append(buf[:0], cmd[1:1+end]...), true
		}
		end := strings.IndexAny(cmd, " \t")
		if end < 0 {
			s.cmd = ""
			return append(buf[:0], cmd...), true
		}
		s.cmd = cmd[end:]
		return append(buf[:0], cmd[:end]...), true
	}
	arg, s.cmd = nextArg(buf[:0], cmd)
	return arg, true
}

// nextArg reads one argument after the first from cmd, which does not
// start with a space or tab, into b, and returns it and the rest of cmd.
func nextArg(b []byte, cmd string) (arg []byte, rest string) {
	inQuote := false
	slashes := 0
	for i := 0; i < len(cmd); i++ {
		c := cmd[i]
		switch c {
		case ' ', '\t':
			if !inQuote {
				return appendSlashes(b, slashes), cmd[i+1:]
			}
		case '\\':
			slashes++
			continue
		case '"':
			b = appendSlashes(b, slashes/2)
			if slashes%2 == 1 {
				b = append(b, '"')
			} else {
				if inQuote && i+1 < len(cmd) && cmd[i+1] == '"' {
					b = append(b, '"')
					i++
				}
				inQuote = !inQuote
			}
			slashes = 0
			continue
		}
		b = appendSlashes(b, slashes)
		slashes = 0
		b = append(b, c)
	}
	return appendSlashes(b, slashes), ""
}

func appendSlashes(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, '\\')
	}
	return b
}
