package match

import (
	"unicode"
	"unicode/utf8"
)

// This file is Elasticsearch's standard analyzer, as far as matching text
// fields needs it: the standard tokenizer (Unicode word segmentation,
// UAX #29) followed by the lowercase filter, with no stop words.
//
// The word rules kept from UAX #29 are the ones that decide what a token is
// in logs: letters, digits and connector punctuation (_) join; ".", "'",
// "’" and ":" join two letters ("powershell.exe", "don't", "a:b"); ".",
// "," and ";" join two digits ("10.0.0.1", "1,000"); combining marks and
// format characters stay with the character before them. Han ideographs
// and Hiragana are a token each, as Lucene emits them. Everything else
// (spaces, punctuation, symbols, emoji) separates tokens and is not one.
// A token longer than 255 characters is cut into pieces of 255, as
// Lucene's max_token_length does (it counts UTF-16 units; this counts
// runes).
//
// Tokens are found in place and compared lowercased rune by rune, so that
// matching a field's value allocates nothing.

// wordClass is the part a character plays in word segmentation.
type wordClass uint8

const (
	wcNone         wordClass = iota // separates tokens
	wcLetter                        // letters, Katakana, Hangul, Thai...
	wcDigit                         // decimal digits
	wcExtendNumLet                  // connector punctuation: _ joins letters and digits
	wcIdeo                          // Han and Hiragana: a token each
	wcExtend                        // combining marks and format characters: stay with the character before
	wcMidLetter                     // joins two letters: : · ...
	wcMidNum                        // joins two digits: , ; ...
	wcMidNumLet                     // joins two letters or two digits: . ' ’ ...
)

// maxTokenRunes is the standard tokenizer's max_token_length.
const maxTokenRunes = 255

// asciiClass is the class of each ASCII character. It is never written
// after it is built.
var asciiClass = func() (t [utf8.RuneSelf]wordClass) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
			t[c] = wcLetter
		case '0' <= c && c <= '9':
			t[c] = wcDigit
		}
	}
	t['_'] = wcExtendNumLet
	t[':'] = wcMidLetter
	t['.'], t['\''] = wcMidNumLet, wcMidNumLet
	t[','], t[';'] = wcMidNum, wcMidNum
	return t
}()

func classify(r rune) wordClass {
	if r < utf8.RuneSelf {
		return asciiClass[r]
	}
	switch r {
	case 0xB7, 0x387, 0x55F, 0x5F4, 0x2027, 0xFE13, 0xFE55, 0xFF1A:
		return wcMidLetter
	case 0x2018, 0x2019, 0x2024, 0xFE52, 0xFF07, 0xFF0E:
		return wcMidNumLet
	case 0x37E, 0x589, 0x60C, 0x60D, 0x66C, 0x7F8, 0x2044, 0xFE10, 0xFE14, 0xFE50, 0xFE54, 0xFF0C, 0xFF1B:
		return wcMidNum
	}
	switch {
	case unicode.Is(unicode.Han, r), unicode.Is(unicode.Hiragana, r):
		return wcIdeo
	case unicode.IsLetter(r):
		return wcLetter
	case unicode.IsDigit(r):
		return wcDigit
	case unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me, unicode.Cf):
		return wcExtend
	case unicode.Is(unicode.Pc, r):
		return wcExtendNumLet
	}
	return wcNone
}

// classAt returns the class of the character at s[i:] and its length.
func classAt(s string, i int) (wordClass, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiClass[c], 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return classify(r), n
}

// skipExtend returns the offset of the first character at or after i that
// is not a combining mark or format character.
func skipExtend(s string, i int) int {
	for i < len(s) {
		c, n := classAt(s, i)
		if c != wcExtend {
			break
		}
		i += n
	}
	return i
}

// nextToken finds the first token of s at or after byte i: its bounds, or
// start < 0 when there is none.
func nextToken(s string, i int) (start, end int) {
	for i < len(s) {
		c, n := classAt(s, i)
		switch c {
		case wcIdeo:
			return i, skipExtend(s, i+n)
		case wcLetter, wcDigit, wcExtendNumLet:
			start, end, alnum := wordAt(s, i)
			if alnum {
				return start, end
			}
			i = end
			continue
		}
		i += n
	}
	return -1, -1
}

// wordAt scans the word that starts at s[i:] with a letter, digit or
// connector. alnum is false for a run of connectors alone, which is no
// token.
func wordAt(s string, i int) (start, end int, alnum bool) {
	start = i
	last, n := classAt(s, i)
	alnum = last != wcExtendNumLet
	i += n
	runes := 1
	for i < len(s) {
		c, n := classAt(s, i)
		switch c {
		case wcExtend:
			i += n
			continue
		case wcLetter, wcDigit, wcExtendNumLet:
		case wcMidLetter, wcMidNum, wcMidNumLet:
			j := skipExtend(s, i+n)
			if j >= len(s) {
				return start, i, alnum
			}
			next, _ := classAt(s, j)
			joinLetters := last == wcLetter && next == wcLetter && c != wcMidNum
			joinDigits := last == wcDigit && next == wcDigit && c != wcMidLetter
			if !joinLetters && !joinDigits {
				return start, i, alnum
			}
			// The middle character belongs to the token; the next one is
			// taken on the next turn.
			i = j
			runes++
			continue
		default:
			return start, i, alnum
		}
		if runes >= maxTokenRunes {
			return start, i, alnum
		}
		last = c
		alnum = alnum || c != wcExtendNumLet
		i += n
		runes++
	}
	return start, i, alnum
}

// analyze returns the lowercased tokens of s, for the query side.
func analyze(s string) []string {
	var out []string
	for i := 0; ; {
		start, end := nextToken(s, i)
		if start < 0 {
			return out
		}
		out = append(out, lower(s[start:end]))
		i = end
	}
}

// lower lowercases s rune by rune, as Lucene's lowercase filter does.
func lower(s string) string {
	b := make([]byte, 0, len(s))
	return string(appendLower(b, s))
}

// appendLower appends s lowercased to dst.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += n
	}
	return dst
}

// tokenIs reports whether the token tok of a value, lowercased, is low.
func tokenIs(tok, low string) bool {
	i, j := 0, 0
	for i < len(tok) && j < len(low) {
		c := tok[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != low[j] {
				return false
			}
			i++
			j++
			continue
		}
		r, n := utf8.DecodeRuneInString(tok[i:])
		w, m := utf8.DecodeRuneInString(low[j:])
		if unicode.ToLower(r) != w {
			return false
		}
		i += n
		j += m
	}
	return i == len(tok) && j == len(low)
}
