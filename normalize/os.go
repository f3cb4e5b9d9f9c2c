package normalize

import "strings"

// osPaths are the fields that tell an event's operating system.
type osPaths struct {
	platform, family, name             fpath
	provider, dataset, evDataset, beat fpath
	agentType, index                   fpath
}

func (n *Normalizer) newOSPaths() osPaths {
	p := n.fpath
	return osPaths{
		platform: p("host.os.platform"), family: p("host.os.family"), name: p("host.os.name"),
		provider: p("event.provider"), dataset: p("data_stream.dataset"), evDataset: p("event.dataset"),
		beat: p("@metadata.beat"), agentType: p("agent.type"), index: p("_index"),
	}
}

// osType derives host.os.type for an event that lacks it, from (in this
// order) host.os.platform, host.os.family and host.os.name; the event
// being a Windows event log record (its shape, a Microsoft-Windows-*
// provider, Winlogbeat as its shipper, a windows.* or system.security
// dataset); or the name of its index (winlogbeat-*, logs-windows.*,
// logs-system.security-* and the other Windows channels of the System
// integration).
func (n *Normalizer) osType(w *writer, shape Shape, index string) (string, bool) {
	if w.has(n.t.hostOSType) {
		return "", false
	}
	p := &n.osPaths
	if w.hasSeg(p.platform.seg) {
		if _, s := w.first(&p.platform); s != "" {
			if t := osOfPlatform(s); t != "" {
				return t, true
			}
		}
		if _, s := w.first(&p.family); s != "" {
			if t := osOfPlatform(s); t != "" {
				return t, true
			}
		}
		if _, s := w.first(&p.name); s != "" {
			if t := osOfName(s); t != "" {
				return t, true
			}
		}
	}
	if shape.Windows() {
		return "windows", true
	}
	if w.hasSeg(p.provider.seg) {
		if _, s := w.first(&p.provider); len(s) > len("Microsoft-Windows-") && strings.EqualFold(s[:len("Microsoft-Windows-")], "Microsoft-Windows-") {
			return "windows", true
		}
		if _, s := w.first(&p.evDataset); windowsDataset(s) {
			return "windows", true
		}
	}
	if w.hasSeg(p.agentType.seg) {
		if _, s := w.first(&p.agentType); s == "winlogbeat" {
			return "windows", true
		}
	}
	if w.hasSeg(p.beat.seg) {
		if _, s := w.first(&p.beat); s == "winlogbeat" {
			return "windows", true
		}
	}
	if w.hasSeg(p.dataset.seg) {
		if _, s := w.first(&p.dataset); windowsDataset(s) {
			return "windows", true
		}
	}
	if index == "" && w.hasSeg(p.index.seg) {
		_, index = w.first(&p.index)
	}
	if windowsIndex(index) {
		return "windows", true
	}
	return "", false
}

// windowsDataset: the Windows integration's data streams, and the System
// integration's Windows channels.
func windowsDataset(s string) bool {
	return strings.HasPrefix(s, "windows.") ||
		s == "system.security" || s == "system.application" || s == "system.system"
}

// windowsIndex: Winlogbeat's indices and the data streams (or their
// backing .ds- indices) of the Windows and System integrations.
func windowsIndex(s string) bool {
	s = strings.TrimPrefix(strings.ToLower(s), ".ds-")
	for _, p := range []string{"winlogbeat-", "logs-windows.", "logs-system.security", "logs-system.application", "logs-system.system"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// osPlatforms maps host.os.platform and host.os.family values (as Beats,
// Elastic Agent and Endpoint write them) to ECS host.os.type.
var osPlatforms = map[string]string{
	"windows": "windows", "win32": "windows",
	"darwin": "macos", "macos": "macos", "macosx": "macos", "osx": "macos",
	"ios": "ios", "ipados": "ios", "android": "android",
	"linux": "linux", "ubuntu": "linux", "debian": "linux", "centos": "linux", "rhel": "linux", "redhat": "linux",
	"fedora": "linux", "amzn": "linux", "amazon": "linux", "opensuse": "linux", "opensuse-leap": "linux",
	"opensuse-tumbleweed": "linux", "sles": "linux", "suse": "linux", "arch": "linux", "archlinux": "linux",
	"alpine": "linux", "gentoo": "linux", "ol": "linux", "oracle": "linux", "rocky": "linux", "almalinux": "linux",
	"raspbian": "linux", "linuxmint": "linux", "kali": "linux", "photon": "linux", "cos": "linux", "coreos": "linux",
	"freebsd": "unix", "openbsd": "unix", "netbsd": "unix", "dragonfly": "unix", "solaris": "unix",
	"illumos": "unix", "aix": "unix", "sunos": "unix",
}

func osOfPlatform(s string) string { return osPlatforms[lower(strings.TrimSpace(s))] }

// osOfName reads host.os.name ("Windows Server 2019 Datacenter", "Mac OS
// X", "Ubuntu"...).
func osOfName(s string) string {
	s = lower(s)
	switch {
	case strings.Contains(s, "windows"):
		return "windows"
	case strings.Contains(s, "mac os") || strings.Contains(s, "macos") || strings.Contains(s, "os x") || strings.Contains(s, "darwin"):
		return "macos"
	case strings.Contains(s, "android"):
		return "android"
	case s == "ios" || s == "ipados" || strings.HasPrefix(s, "ios ") || strings.HasPrefix(s, "ipados "):
		return "ios"
	case strings.Contains(s, "bsd") || strings.Contains(s, "solaris") || strings.Contains(s, "aix"):
		return "unix"
	}
	for _, d := range []string{"linux", "ubuntu", "debian", "centos", "red hat", "fedora", "suse", "alpine",
		"amazon", "rocky", "alma", "oracle", "kali", "mint", "gentoo", "raspbian"} {
		if strings.Contains(s, d) {
			return "linux"
		}
	}
	return osOfPlatform(s)
}
