package decode

import (
	"bytes"
	"encoding/binary"
)

// This file knows the files people put beside their logs, or hand over
// instead of them, by their first bytes: executables, archives, documents,
// images, databases, Windows event logs, compressions dredge does not read.
// Such a file is skipped at once, with a reason that names it, rather than
// framed into lines of garbage and parsed for as long as it is.

// magic is a kind of file known by the bytes at an offset.
type magic struct {
	at     int
	prefix string
	what   string // what the file is
	advice string // what to do with it, or ""
}

var magics = []magic{
	{0, "ElfFile\x00", "Windows event log (EVTX) file", "export it to JSON first (e.g. with evtx_dump)"},
	{4, "LfLe", "Windows event log (EVT) file", "export it to JSON first"},
	{0, "\x7fELF", "ELF executable or library", ""},
	{0, "\xfe\xed\xfa\xce", "Mach-O executable or library", ""},
	{0, "\xfe\xed\xfa\xcf", "Mach-O executable or library", ""},
	{0, "\xce\xfa\xed\xfe", "Mach-O executable or library", ""},
	{0, "\xcf\xfa\xed\xfe", "Mach-O executable or library", ""},
	{0, "\xca\xfe\xba\xbe", "Mach-O universal binary or Java class file", ""},
	{0, "MZ", "Windows executable or DLL (PE)", ""}, // checked further by pe
	{0, "%PDF-", "PDF document", ""},
	{257, "ustar", "tar archive", "extract it first"},
	{0, "PK\x03\x04", "zip archive (or a .docx, .xlsx or .jar)", "extract it first"},
	{0, "PK\x05\x06", "zip archive (empty)", ""},
	{0, "SQLite format 3\x00", "SQLite database", ""},
	{0, "\x89PNG\r\n\x1a\n", "PNG image", ""},
	{0, "\xff\xd8\xff", "JPEG image", ""},
	{0, "GIF8", "GIF image", ""},
	{0, "7z\xbc\xaf\x27\x1c", "7-Zip archive", "extract it first"},
	{0, "Rar!\x1a\x07", "RAR archive", "extract it first"},
	{0, "\xfd7zXZ\x00", "xz-compressed", "decompress it first"},
	{0, "BZh", "bzip2-compressed", "decompress it first"}, // checked further by bzip2
	{0, "\x04\x22\x4d\x18", "lz4-compressed", "decompress it first"},
	{0, "\xd4\xc3\xb2\xa1", "packet capture (pcap)", ""},
	{0, "\xa1\xb2\xc3\xd4", "packet capture (pcap)", ""},
	{0, "\x0a\x0d\x0d\x0a", "packet capture (pcapng)", ""},
	{0, "\xff\xfe", "UTF-16 text", "convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)"},
	{0, "\xfe\xff", "UTF-16 text", "convert it to UTF-8 first (e.g. iconv -f UTF-16 -t UTF-8)"},
}

// notLog names what head, the first bytes of a text, is when it is a kind of
// file that holds no log, with advice; "" when it is none of them. Text that
// starts as JSON does (with '{' or '[') is never taken for one.
func notLog(head []byte) (what, advice string) {
	if t := bytes.TrimLeft(head, " \t\r\n"); len(t) > 0 && (t[0] == '{' || t[0] == '[') {
		return "", ""
	}
	for _, m := range magics {
		if len(head) < m.at+len(m.prefix) || string(head[m.at:m.at+len(m.prefix)]) != m.prefix {
			continue
		}
		if m.prefix == "BZh" && !bzip2(head) || m.prefix == "MZ" && !pe(head) {
			continue
		}
		return m.what, m.advice
	}
	return "", ""
}

// bzip2 tells a bzip2 stream, "BZh" and a block size digit, then the magic
// of a block or of the end of the stream, from text that starts with "BZh".
func bzip2(head []byte) bool {
	if len(head) < 10 || head[3] < '1' || head[3] > '9' {
		return false
	}
	block := string(head[4:10])
	return block == "1AY&SY" || block == "\x17\x72\x45\x38\x50\x90"
}

// pe tells a Windows PE file from text that starts with "MZ": the DOS header
// gives the offset of the "PE\0\0" signature.
func pe(head []byte) bool {
	if len(head) < 64 {
		return false
	}
	off := int(binary.LittleEndian.Uint32(head[0x3c:]))
	return off >= 64 && off <= len(head)-4 && string(head[off:off+4]) == "PE\x00\x00"
}
