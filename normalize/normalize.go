// Package normalize fills in the Elastic Common Schema fields of an event
// that its export lacks, so that detection rules written for ECS match it.
//
// It recognises the event's shape: Winlogbeat 7.x/8.x output that did not
// go through Winlogbeat's Sysmon and Security modules (raw winlog.*),
// Winlogbeat 6.x (event_data, event_id, log_name... at the top level), flat
// Windows JSON (HELK, NXLog, Logstash: EventID, Channel, Hostname, Image...
// at the top level), Elastic Endpoint and Endgame. For the Windows shapes
// it does what those modules' ingest pipelines would have done, from one
// table (table.go, documented in docs/normalization.md): event.category,
// type, action, code, provider and outcome; event data renamed to ECS
// fields; process.args split by Windows rules; hashes; user names split
// from DOMAIN\user. It gives older and flat exports the winlog.* fields
// of Winlogbeat 7 too, since most Windows rules read them. For every shape
// it derives host.os.type when the event does not say it.
//
// The rule is never to overwrite: a field the event already has, in any
// layout (nested, dotted or mixed), keeps its value, and placeholder
// values such as "(null)" are values. There is one exception, for events
// forwarded by Windows Event Forwarding: see Apply.
//
// The package knows nothing of rules, files or the scan; it changes the
// parsed event in place and creates new values in the caller's arena.
package normalize

import (
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"dredge/event"
)

// Shape is the layout an event was recognised as.
type Shape uint8

// The shapes.
const (
	None        Shape = iota // none of the others: the event is left as it is, but for host.os.type
	Winlogbeat               // Winlogbeat 7.x/8.x: winlog.event_id, winlog.channel, winlog.event_data...
	Winlogbeat6              // Winlogbeat 6.x: event_id, log_name, source_name, event_data at the top level
	FlatWindows              // flat Windows JSON: EventID, Channel, Hostname and the event data at the top level
	Endpoint                 // Elastic Endpoint (Elastic Defend): already ECS
	Endgame                  // Endgame: legacy flat documents (event_type, process_name, FILETIME timestamp) or endgame-* ones

	// ShapeCount is the number of shapes, for tables indexed by Shape.
	ShapeCount = int(Endgame) + 1
)

var shapeNames = [...]string{None: "none", Winlogbeat: "winlogbeat", Winlogbeat6: "winlogbeat6",
	FlatWindows: "flat-windows", Endpoint: "endpoint", Endgame: "endgame"}

func (s Shape) String() string {
	if int(s) < len(shapeNames) {
		return shapeNames[s]
	}
	return "shape(" + strconv.Itoa(int(s)) + ")"
}

// Windows reports whether the shape is one of the Windows event log ones.
func (s Shape) Windows() bool { return s == Winlogbeat || s == Winlogbeat6 || s == FlatWindows }

// Result says what Apply did.
type Result struct {
	Shape             Shape
	Added             int  // fields set (and, for a forwarded event, replaced)
	HostOSTypeDerived bool // host.os.type was missing and was set
}

// Normalizer holds the compiled tables. It is immutable after New and safe
// for concurrent use; the events and arenas given to it are not.
type Normalizer struct {
	targets   map[string]*target
	segs      map[string]uint8 // first parts of the fields looked up
	top       topTable         // the segs and the keys that tell a shape
	prefixes  []prefix         // the parents of the fields looked up
	prefixIDs map[string]int8
	segPre    [maxSegs]uint64 // the prefixes of each seg, as bits
	reference bool            // walk every path from the root (tests)

	modules []*cmodule

	layouts    [FlatWindows + 1]*layout
	rootLayout *layout // event data at the top level (legacy Endgame)
	endgame    map[string]*cendgame

	t       ecsTargets
	detect  detectPaths
	osPaths osPaths

	flatEnvelope map[string]bool

	// consts holds values shared by all events (see constant).
	consts    fastjson.Arena
	eventKind *fastjson.Value
}

// cmodule is a module of the table, compiled.
type cmodule struct {
	*module
	specs     map[int][]*cspec
	def       *cspec
	ecsModule *fastjson.Value
}

type cspec struct {
	*spec
	fieldSet
	category, typ, action, outcome *fastjson.Value // shared constants; nil when empty
}

// fieldSet is a list of table fields with an index from event data name
// to the fields that read it, so that the event data are read in one pass.
type fieldSet struct {
	fields []cfield
	index  nameIndex
}

// nameIndex maps event data names to the fields that read them. Every key
// of the event data of every Windows event is looked up, most of them in
// vain, so it is an open-addressed table hashed on a key's length and
// three of its bytes rather than a map, which hashes the whole key.
type nameIndex struct {
	slots []nameSlot // a power of two of them, at most a quarter used
}

type nameSlot struct {
	name   string
	fields []int
}

func nameHash(k string) uint {
	n := uint(len(k))
	return n*0x9e3779b1 ^ uint(k[0])*0x85ebca6b ^ uint(k[n-1])*0xc2b2ae35 ^ uint(k[n/2])*0x27d4eb2f
}

// add notes that field i reads name.
func (x *nameIndex) add(name string, i int) {
	if s := x.slot(name); s != nil && s.name != "" {
		s.fields = append(s.fields, i)
		return
	}
	if n := x.count() + 1; 4*n > len(x.slots) {
		old := x.slots
		x.slots = make([]nameSlot, max(8, 2*len(old)))
		for _, o := range old {
			if o.name != "" {
				*x.slot(o.name) = o
			}
		}
	}
	*x.slot(name) = nameSlot{name: name, fields: []int{i}}
}

func (x *nameIndex) count() int {
	n := 0
	for _, s := range x.slots {
		if s.name != "" {
			n++
		}
	}
	return n
}

// slot returns the slot of name, or the empty slot where it would go; nil
// when the table is empty.
func (x *nameIndex) slot(name string) *nameSlot {
	if len(x.slots) == 0 {
		return nil
	}
	mask := uint(len(x.slots) - 1)
	for i := nameHash(name) & mask; ; i = (i + 1) & mask {
		if s := &x.slots[i]; len(s.name) == 0 || len(s.name) == len(name) && s.name == name {
			return s
		}
	}
}

// lookup returns the fields that read the event data key k.
func (x *nameIndex) lookup(k string) []int {
	if k == "" {
		return nil
	}
	if s := x.slot(k); s != nil {
		return s.fields
	}
	return nil
}

// maxFields bounds the fields of one table entry (New panics beyond it).
const maxFields = 64

// cfield is a field of the table, compiled for each Windows shape.
type cfield struct {
	field
	from     string // event data name, without "user_data."
	userData bool
	to       *target
	sub      []*target // the group a conversion fills (cUser, cHashes, cRegistry, cDNSResults)
	aux      []cfield  // other event data a conversion reads (cRegistry: Details)
	// fallback[s] reads the field where the shape keeps it, when the event
	// data are not in one object (fully dotted exports).
	fallback [FlatWindows + 1]*event.Path
}

type cendgame struct {
	*endgameType
	fieldSet
}

// layout is where a Windows shape keeps its envelope and event data.
type layout struct {
	shape                                             Shape
	env                                               string // the key of the object holding the envelope ("winlog"); "": the event itself
	envSeg                                            uint8  // env's seg
	id, channel, provider, computer, keywords, userID envField
	data, user                                        envField // the event data and user data objects; none: the event itself
	times                                             []*event.Path
	aliases                                           []calias
}

// envField is a field of the envelope: read by its keys (alternatives,
// each as parts) in the envelope object, or by its paths from the event
// when the event writes the envelope's fields with dots.
type envField struct {
	keys  [][]string
	paths []*event.Path
}

func newEnvField(env string, names ...string) envField {
	var f envField
	for _, name := range names {
		f.keys = append(f.keys, strings.Split(name, "."))
		if env != "" {
			name = env + "." + name
		}
		f.paths = append(f.paths, event.NewPath(name))
	}
	return f
}

// envelope is the envelope object of one event, or nil to read through the
// paths.
func (l *layout) envelope(w *writer) *fastjson.Value {
	if l.env == "" {
		return w.root
	}
	if w.dotted&(1<<l.envSeg) != 0 {
		return nil
	}
	env := w.obj.Get(l.env)
	if env == nil || env.Type() != fastjson.TypeObject {
		return nil
	}
	return env
}

// read returns the field's first value and its text.
func (f *envField) read(root, env *fastjson.Value) (*fastjson.Value, string) {
	if env == nil {
		return first(root, f.paths)
	}
	for _, k := range f.keys {
		if x := env.Get(k...); x != nil && x.Type() != fastjson.TypeNull {
			s, _ := event.Text(x)
			return x, s
		}
	}
	return nil, ""
}

type calias struct {
	alias
	to *target
}

// ecsTargets are the fields Apply writes outside the table.
type ecsTargets struct {
	timestamp, code, provider, kind, module, category, typ, action, outcome *target
	hostName, hostHostname, observerName, observerHostname, hostOSType      *target
	userID, logLevel, eventData                                             *target
	procName, procExe, procCmd, procArgs, procArgsCount                     *target
	parName, parExe, parCmd, parArgs, parArgsCount                          *target
	filePath, fileName, fileDir, fileExt                                    *target
}

type detectPaths struct {
	winlog                                []fpath
	agentType, dataset, evModule, endgame fpath
}

// New compiles the tables.
func New() *Normalizer {
	n := &Normalizer{
		targets:   map[string]*target{},
		segs:      map[string]uint8{},
		prefixIDs: map[string]int8{},
		endgame:   map[string]*cendgame{},
	}
	tg := n.target
	n.t = ecsTargets{
		timestamp: tg("@timestamp"), code: tg("event.code"), provider: tg("event.provider"), kind: tg("event.kind"),
		module: tg("event.module"), category: tg("event.category"), typ: tg("event.type"), action: tg("event.action"),
		outcome:  tg("event.outcome"),
		hostName: tg("host.name"), hostHostname: tg("host.hostname"), observerName: tg("observer.name"),
		observerHostname: tg("observer.hostname"), hostOSType: tg("host.os.type"),
		userID: tg("user.id"), logLevel: tg("log.level"), eventData: tg("winlog.event_data"),
		procName: tg("process.name"), procExe: tg("process.executable"), procCmd: tg("process.command_line"),
		procArgs: tg("process.args"), procArgsCount: tg("process.args_count"),
		parName: tg("process.parent.name"), parExe: tg("process.parent.executable"), parCmd: tg("process.parent.command_line"),
		parArgs: tg("process.parent.args"), parArgsCount: tg("process.parent.args_count"),
		filePath: tg("file.path"), fileName: tg("file.name"), fileDir: tg("file.directory"), fileExt: tg("file.extension"),
	}
	for i, t := range []*target{n.t.procExe, n.t.procCmd, n.t.parExe, n.t.parCmd, n.t.filePath, n.t.hostName, n.t.hostHostname} {
		t.keep = uint8(i + 1)
	}
	p := event.NewPath
	fp := n.fpath
	n.detect = detectPaths{
		winlog:    []fpath{fp("winlog.event_id"), fp("winlog.channel"), fp("winlog.provider_name")},
		agentType: fp("agent.type"), dataset: fp("data_stream.dataset"), evModule: fp("event.module"),
		endgame: fp("endgame"),
	}
	n.osPaths = n.newOSPaths()

	paths := func(names ...string) []*event.Path {
		var out []*event.Path
		for _, s := range names {
			out = append(out, p(s))
		}
		return out
	}
	ef := newEnvField
	n.layouts[Winlogbeat] = &layout{
		shape: Winlogbeat, env: "winlog", envSeg: n.target("winlog.event_id").seg,
		id: ef("winlog", "event_id"), channel: ef("winlog", "channel"), provider: ef("winlog", "provider_name"),
		computer: ef("winlog", "computer_name"), keywords: ef("winlog", "keywords"), userID: ef("winlog", "user.identifier"),
		data: ef("winlog", "event_data"), user: ef("winlog", "user_data"),
		times: paths("winlog.event_data.UtcTime", "winlog.time_created", "event.created"),
	}
	n.layouts[Winlogbeat6] = &layout{
		shape: Winlogbeat6,
		id:    ef("", "event_id"), channel: ef("", "log_name"), provider: ef("", "source_name"),
		computer: ef("", "computer_name"), keywords: ef("", "keywords"), userID: ef("", "user.identifier"),
		data: ef("", "event_data"), user: ef("", "user_data"),
		times:   paths("event_data.UtcTime"),
		aliases: n.aliases(winlogbeat6),
	}
	n.layouts[FlatWindows] = &layout{
		shape: FlatWindows,
		id:    ef("", "EventID", "EventId"), channel: ef("", "Channel"), provider: ef("", "SourceName", "ProviderName"),
		computer: ef("", "Hostname", "Computer", "ComputerName"), keywords: ef("", "Keywords", "EventType"),
		userID:  ef("", "UserID"),
		times:   paths("UtcTime", "TimeCreated", "EventTime"),
		aliases: n.aliases(flatWindows),
	}

	n.rootLayout = &layout{shape: FlatWindows}
	n.flatEnvelope = map[string]bool{}
	for _, k := range flatEnvelope {
		n.flatEnvelope[k] = true
	}
	n.eventKind = n.constantString("event")

	for i := range modules {
		m := &modules[i]
		cm := &cmodule{module: m, specs: map[int][]*cspec{}, ecsModule: n.constantString(m.ECSModule)}
		for j := range m.Specs {
			s := &m.Specs[j]
			cm.specs[s.ID] = append(cm.specs[s.ID], n.compileSpec(s))
		}
		if m.Default != nil {
			cm.def = n.compileSpec(m.Default)
		}
		n.modules = append(n.modules, cm)
	}
	for i := range endgameTypes {
		e := &endgameTypes[i]
		n.endgame[e.EventType] = &cendgame{endgameType: e, fieldSet: n.compileFields(e.Fields)}
	}
	// After the segs, so that a seg such as "event" is found at the first
	// probe, and shape keys such as "event_id" after it.
	for _, k := range shapeKeys {
		n.top.add(k.name, -1, k.key)
	}
	return n
}

// seg numbers a first part of fields (see target).
func (n *Normalizer) seg(first string) uint8 {
	seg, ok := n.segs[first]
	if !ok {
		if len(n.segs) == maxSegs {
			panic("normalize: more than maxSegs first parts of fields")
		}
		seg = uint8(len(n.segs))
		n.segs[first] = seg
		n.top.add(first, int8(seg), 0)
	}
	return seg
}

// fpath compiles a field name for the writer's lookups.
func (n *Normalizer) fpath(name string) fpath {
	return n.fpathParts(strings.Split(name, "."))
}

func (n *Normalizer) fpathParts(parts []string) fpath {
	p := fpath{path: event.NewPathParts(parts), seg: n.seg(parts[0]), pre: -1}
	if last := len(parts) - 1; last > 0 {
		p.pre = n.prefix(parts[:last])
		p.key = parts[last]
	}
	return p
}

// prefix numbers the parent object named by parts, and its own parents;
// -1 when the table is full.
func (n *Normalizer) prefix(parts []string) int8 {
	name := strings.Join(parts, ".")
	if id, ok := n.prefixIDs[name]; ok {
		return id
	}
	if len(n.prefixes) == maxPrefixes {
		return -1 // the fields under it are found by the whole walk
	}
	parent := int8(-1)
	if len(parts) > 1 {
		if parent = n.prefix(parts[:len(parts)-1]); parent < 0 {
			return -1
		}
	}
	id := int8(len(n.prefixes))
	seg := n.seg(parts[0])
	n.prefixes = append(n.prefixes, prefix{key: parts[len(parts)-1], parent: parent, seg: seg})
	n.prefixIDs[name] = id
	n.segPre[seg] |= 1 << id
	if t, ok := n.targets[name]; ok {
		t.self = id
	}
	return id
}

func (n *Normalizer) target(name string) *target {
	if t, ok := n.targets[name]; ok {
		return t
	}
	if len(n.targets) == maxTargets {
		panic("normalize: more than maxTargets fields")
	}
	parts := strings.Split(name, ".")
	t := &target{fpath: n.fpathParts(parts), name: name, id: len(n.targets), self: -1, parts: parts}
	for i := range parts {
		t.suffix = append(t.suffix, strings.Join(parts[i:], "."))
	}
	if id, ok := n.prefixIDs[name]; ok {
		t.self = id
	}
	n.targets[name] = t
	return t
}

func (n *Normalizer) aliases(as []alias) []calias {
	out := make([]calias, len(as))
	for i, a := range as {
		out[i] = calias{alias: a, to: n.target(a.To)}
	}
	return out
}

func (n *Normalizer) compileSpec(s *spec) *cspec {
	return &cspec{spec: s, fieldSet: n.compileFields(s.Fields),
		category: n.constant(s.Category...), typ: n.constant(s.Type...),
		action: n.constantString(s.Action), outcome: n.constantString(s.Outcome)}
}

// constant returns an array of strings that events share, and that must
// therefore never change: its values are read once here, which is when
// fastjson converts them in place, so that readers on other goroutines
// only read them. Nil for no strings.
func (n *Normalizer) constant(ss ...string) *fastjson.Value {
	if len(ss) == 0 {
		return nil
	}
	arr := n.consts.NewArray()
	for i, s := range ss {
		arr.SetArrayItem(i, n.constantString(s))
	}
	arr.Type()
	return arr
}

// constantString is constant for one string.
func (n *Normalizer) constantString(s string) *fastjson.Value {
	if s == "" {
		return nil
	}
	v := n.consts.NewString(s)
	v.Type()
	return v
}

func (n *Normalizer) compileFields(fs []field) fieldSet {
	if len(fs) > maxFields {
		panic("normalize: more than maxFields fields in a table entry")
	}
	var set fieldSet
	for i, fl := range fs {
		cf := n.compileField(fl)
		set.fields = append(set.fields, cf)
		if cf.from != "" && !cf.userData {
			set.index.add(cf.from, i)
		}
	}
	return set
}

func (n *Normalizer) compileField(fl field) cfield {
	cf := cfield{field: fl, from: fl.From, to: n.target(fl.To)}
	if name, ok := strings.CutPrefix(fl.From, "user_data."); ok {
		cf.from, cf.userData = name, true
	}
	subs := func(names ...string) {
		for _, s := range names {
			cf.sub = append(cf.sub, n.target(fl.To+"."+s))
		}
	}
	switch fl.Conv {
	case cUser:
		subs("domain", "name")
	case cHashes:
		subs(hashSubs...)
	case cRegistry:
		subs("path", "hive", "key", "value", "data.strings", "data.type")
		cf.aux = []cfield{n.compileField(field{From: "Details", To: fl.To + ".data.strings"})}
	case cDNSResults:
		subs("resolved_ip", "answers")
	}
	if cf.from != "" {
		prefix := [FlatWindows + 1]string{Winlogbeat: "winlog.event_data.", Winlogbeat6: "event_data."}
		if cf.userData {
			prefix = [FlatWindows + 1]string{Winlogbeat: "winlog.user_data.", Winlogbeat6: "user_data."}
		}
		for s := Winlogbeat; s <= FlatWindows; s++ {
			cf.fallback[s] = event.NewPath(prefix[s] + cf.from)
		}
	}
	return cf
}

// Apply fills in the ECS fields of the event v (a JSON object) that it
// lacks, creating new values in a. It never changes a value the event has,
// with one exception: a Windows event forwarded by Windows Event Forwarding
// carries the collector's name in host.name (Winlogbeat ran there) and the
// name of the computer that logged it in winlog.computer_name
// (computer_name, Hostname). Rules and analysts mean the latter by "host",
// so when the two differ (beyond the case and a domain suffix), the
// collector is kept in observer.name and observer.hostname (when those are
// missing) and host.name, and host.hostname when it also names the
// collector, are replaced by the computer's name. The other host.* fields
// (host.id, host.ip, host.os.*) still describe the collector.
//
// New values share the event's own values where they are copies, and live
// in a otherwise: reset a only when done with the event. A few values
// shared by all events (event.kind, event.category...) belong to the
// Normalizer; like all values, they must not be changed.
//
// Apply is ApplyIndex without an index name.
func (n *Normalizer) Apply(v *fastjson.Value, a *fastjson.Arena) Result {
	return n.ApplyIndex(v, a, "")
}

// ApplyIndex is Apply for an event read from the Elasticsearch index named
// index (as a search response or a _source-wrapped export gives it); the
// name helps to tell the event's operating system.
func (n *Normalizer) ApplyIndex(v *fastjson.Value, a *fastjson.Arena, index string) Result {
	if v == nil || v.Type() != fastjson.TypeObject {
		return Result{}
	}
	var w writer
	w.reset(n, a, v)
	shape := n.shape(&w)
	switch {
	case shape.Windows():
		n.windows(&w, n.layouts[shape])
	case shape == Endgame:
		n.legacyEndgame(&w)
	}
	r := Result{Shape: shape}
	if t, ok := n.osType(&w, shape, index); ok {
		r.HostOSTypeDerived = w.setString(n.t.hostOSType, t)
	}
	r.Added = w.added
	return r
}

// shape recognises the event's layout. The older and flat layouts are
// tested first: Apply gives them winlog.* fields, and the second Apply
// must see the same shape as the first.
func (n *Normalizer) shape(w *writer) Shape {
	d := &n.detect
	k := w.keys
	if k&keyEventID != 0 && k&(keyLogName|keySourceName) != 0 {
		return Winlogbeat6
	}
	if k&keyFlatEventID != 0 && k&keyFlatChannel != 0 {
		return FlatWindows
	}
	if w.hasSeg(d.winlog[0].seg) {
		for i := range d.winlog {
			if w.exists(&d.winlog[i]) {
				return Winlogbeat
			}
		}
	}
	var agent string
	if w.hasSeg(d.agentType.seg) {
		_, agent = w.first(&d.agentType)
	}
	if agent == "endpoint" {
		return Endpoint
	}
	if w.hasSeg(d.dataset.seg) {
		if _, ds := w.first(&d.dataset); strings.HasPrefix(ds, "endpoint.") {
			return Endpoint
		}
	}
	if w.hasSeg(d.evModule.seg) {
		if _, m := w.first(&d.evModule); m == "endpoint" {
			return Endpoint
		}
	}
	if agent == "endgame" || k&keyEndgame != 0 || w.hasSeg(d.endgame.seg) && w.exists(&d.endgame) {
		return Endgame
	}
	return None
}

// windows maps a Windows event log record.
func (n *Normalizer) windows(w *writer, l *layout) {
	v := w.root
	env := l.envelope(w)
	idv, idText := l.id.read(w.root, env)
	_, channel := l.channel.read(w.root, env)
	providerv, provider := l.provider.read(w.root, env)
	computerv, computer := l.computer.read(w.root, env)

	// Winlogbeat 7 names for older and flat exports.
	for i := range l.aliases {
		al := &l.aliases[i]
		x := v.Get(al.From)
		if x == nil || x.Type() == fastjson.TypeNull {
			continue
		}
		switch {
		case al.Conv == cLower:
			if s, ok := text(x); ok && !w.has(al.to) {
				w.put(al.to, lowerString(w.a, s))
			}
		case x.Type() == fastjson.TypeObject && !al.Share:
			o, _ := x.Object()
			if al.Require != "" && o.Get(al.Require) == nil || w.has(al.to) {
				continue
			}
			if o.Len() > maxCopyKeys {
				continue
			}
			c := w.a.NewObject()
			o.Visit(func(k []byte, m *fastjson.Value) { c.Set(b2s(k), m) })
			w.put(al.to, c)
		default:
			w.set(al.to, x)
		}
	}
	if l.shape == FlatWindows && !w.has(n.t.eventData) {
		if data := n.flatEventData(w); data != nil {
			w.put(n.t.eventData, data)
		}
	}

	if !w.has(n.t.timestamp) {
		for _, p := range l.times {
			if x, s := firstOf(v, p); x != nil {
				t, ok := windowsTime(s)
				if !ok {
					t, ok = event.ValueTime(x)
				}
				if ok {
					w.setTime(n.t.timestamp, t)
					break
				}
			}
		}
	}

	id, idOK := parseID(idv, idText)
	m := n.module(channel, provider)
	var sp *cspec
	if m != nil && idOK {
		sp = m.lookup(id, provider)
	}
	if sp != nil {
		src := source{root: w.root, l: l}
		src.open(w, env)
		n.applyAll(w, &src, &sp.fieldSet)
	}

	if idOK && !w.has(n.t.code) {
		var buf [20]byte
		w.put(n.t.code, w.a.NewStringBytes(strconv.AppendInt(buf[:0], int64(id), 10)))
	} else if idv != nil {
		w.setString(n.t.code, idText)
	}
	if providerv != nil {
		w.set(n.t.provider, providerv)
	}
	w.set(n.t.kind, n.eventKind)
	if m != nil {
		w.set(n.t.module, m.ecsModule)
	}
	if sp != nil {
		w.set(n.t.category, sp.category)
		w.set(n.t.typ, sp.typ)
		w.set(n.t.action, sp.action)
	}
	if !w.has(n.t.outcome) {
		x, _ := l.keywords.read(w.root, env)
		if o := outcome(x); o != "" {
			w.setString(n.t.outcome, o)
		} else if sp != nil {
			w.set(n.t.outcome, sp.outcome)
		}
	}
	if m != nil && m.UserID {
		if x, s := l.userID.read(w.root, env); s != "" {
			w.set(n.t.userID, x)
		}
	}
	n.derive(w)
	if computerv != nil && computer != "" {
		n.host(w, computerv, computer)
	}
}

// maxCopyKeys bounds the objects Apply copies (fastjson's Object.Set
// makes a copy quadratic in its size): Windows events have a few dozen
// event data fields, an event with more than this is not one.
const maxCopyKeys = 256

// flatEventData collects the event data of a flat export: the top-level
// keys that are not envelope (flatEnvelope) and hold a scalar, up to
// maxCopyKeys of them. Keys that start with a lower-case letter or "@",
// or hold a dot, are the shippers' or ECS's, except Windows' own paramN.
func (n *Normalizer) flatEventData(w *writer) *fastjson.Value {
	o, _ := w.root.Object()
	data := w.a.NewObject()
	count := 0
	o.Visit(func(k []byte, x *fastjson.Value) {
		key := b2s(k)
		if key == "" || !eventDataKey(key) {
			return
		}
		switch x.Type() {
		case fastjson.TypeObject, fastjson.TypeArray, fastjson.TypeNull:
			return
		}
		if n.flatEnvelope[key] || count == maxCopyKeys {
			return
		}
		data.Set(key, x)
		count++
	})
	if count == 0 {
		return nil
	}
	return data
}

func eventDataKey(k string) bool {
	if strings.IndexByte(k, '.') >= 0 {
		return false
	}
	c := k[0]
	if c >= 'a' && c <= 'z' {
		return strings.HasPrefix(k, "param")
	}
	return c != '@' && c != '_'
}

// module finds the table module of a channel, or of a provider when the
// channel is missing or not in the table.
func (n *Normalizer) module(channel, provider string) *cmodule {
	if channel != "" {
		for _, m := range n.modules {
			for _, c := range m.Channels {
				if c == channel || strings.EqualFold(c, channel) {
					return m
				}
			}
		}
	}
	if provider != "" {
		for _, m := range n.modules {
			for _, p := range m.Providers {
				if p == provider || strings.EqualFold(p, provider) {
					return m
				}
			}
		}
	}
	return nil
}

// lookup finds the spec of an event id, for the provider when the table
// distinguishes providers.
func (m *cmodule) lookup(id int, provider string) *cspec {
	for _, s := range m.specs[id] {
		if s.Provider == "" || s.Provider == provider || strings.EqualFold(s.Provider, provider) {
			return s
		}
	}
	return m.def
}

// lower is strings.ToLower without allocating for text already in lower case.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' || c >= 0x80 {
			return strings.ToLower(s)
		}
	}
	return s
}

// parseID reads an event id, a number or a string of digits.
func parseID(x *fastjson.Value, s string) (int, bool) {
	if x != nil && x.Type() == fastjson.TypeNumber {
		id, err := x.Int()
		return id, err == nil && id >= 0
	}
	if s == "" || len(s) > 9 {
		return 0, false
	}
	id := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		id = id*10 + int(c-'0')
	}
	return id, true
}

// windowsTime reads the times Windows exports write without a zone, in
// UTC: "2024-03-05 10:15:30.1234567" (a T for the space, any number of
// fractional digits, or none). It does not allocate; other forms are left
// to event.ValueTime.
func windowsTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[4] != '-' || s[7] != '-' || (s[10] != ' ' && s[10] != 'T') || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	num := func(a, b int) int {
		v := 0
		for i := a; i < b; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	year, month, day := num(0, 4), num(5, 7), num(8, 10)
	hour, minute, sec := num(11, 13), num(14, 16), num(17, 19)
	if year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || sec < 0 || sec > 60 {
		return time.Time{}, false
	}
	nsec := 0
	if len(s) > 19 {
		if s[19] != '.' || len(s) == 20 || len(s) > 29 {
			return time.Time{}, false
		}
		frac := num(20, len(s))
		if frac < 0 {
			return time.Time{}, false
		}
		for i := len(s) - 20; i < 9; i++ {
			frac *= 10
		}
		nsec = frac
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day {
		return time.Time{}, false // 31 February
	}
	return t, true
}

// outcome reads event.outcome from Windows keywords ("Audit Success",
// "Audit Failure"; NXLog writes AUDIT_SUCCESS), as Winlogbeat does.
func outcome(x *fastjson.Value) string {
	if x == nil {
		return ""
	}
	if a, err := x.Array(); err == nil {
		for _, e := range a {
			if o := outcome(e); o != "" {
				return o
			}
		}
		return ""
	}
	s, _ := event.Text(x)
	switch {
	case strings.EqualFold(s, "Audit Success") || strings.EqualFold(s, "AUDIT_SUCCESS"):
		return "success"
	case strings.EqualFold(s, "Audit Failure") || strings.EqualFold(s, "AUDIT_FAILURE"):
		return "failure"
	}
	return ""
}

// source reads the event data of one event. It holds no pointer to the
// writer, which would then escape to the heap with the values read.
type source struct {
	root       *fastjson.Value
	l          *layout
	data, user *fastjson.Object // nil: read through the fallback paths
	slots      [maxFields]*fastjson.Value
}

func (s *source) open(w *writer, env *fastjson.Value) {
	if s.l.data.keys == nil {
		s.data = w.obj
		s.user = s.data
		return
	}
	s.data = objectOf(s.l.data.read(w.root, env))
	s.user = objectOf(s.l.user.read(w.root, env))
}

// applyAll fills the fields of set: the event data are read in one pass
// into slots, then the fields are applied in table order.
func (n *Normalizer) applyAll(w *writer, src *source, set *fieldSet) {
	clear(src.slots[:len(set.fields)])
	if src.data != nil {
		src.data.Visit(func(k []byte, x *fastjson.Value) {
			for _, i := range set.index.lookup(b2s(k)) {
				if src.slots[i] == nil {
					src.slots[i] = x
				}
			}
		})
	}
	for i := range set.fields {
		cf := &set.fields[i]
		var x *fastjson.Value
		switch {
		case cf.from == "":
		case cf.userData || src.data == nil:
			x = src.get(cf)
		default:
			x = src.slots[i]
		}
		n.apply(w, src, cf, x)
	}
}

func objectOf(x *fastjson.Value, _ string) *fastjson.Object {
	if x == nil {
		return nil
	}
	o, _ := x.Object()
	return o
}

// get returns the value of a field's event data, or nil.
func (s *source) get(cf *cfield) *fastjson.Value {
	o := s.data
	if cf.userData {
		o = s.user
	}
	if o != nil {
		return o.Get(cf.from)
	}
	x, _ := firstOf(s.root, cf.fallback[s.l.shape])
	return x
}

// host sets host.name and host.hostname from the computer that logged the
// event, moving the collector of a forwarded event to observer (see Apply).
func (n *Normalizer) host(w *writer, computerv *fastjson.Value, computer string) {
	hostv, host := w.value(n.t.hostName)
	if hostv != nil && host != "" && !sameHost(host, computer) {
		hostnamev, hostname := w.value(n.t.hostHostname)
		if obj, _ := locate(w.obj, n.t.hostName, 0); obj != nil {
			w.set(n.t.observerName, hostv)
			if hostnamev != nil && hostname != "" {
				w.set(n.t.observerHostname, hostnamev)
			} else {
				w.set(n.t.observerHostname, hostv)
			}
			w.replace(n.t.hostName, computerv)
			if hostnamev != nil && hostname != "" && sameHost(hostname, host) {
				w.replace(n.t.hostHostname, computerv)
			}
		}
	}
	w.set(n.t.hostName, computerv)
	w.set(n.t.hostHostname, computerv)
}

// sameHost reports whether two host names name the same computer: equal
// but for case, or for a domain suffix on one of them ("ws1" and
// "WS1.corp.example"). IP addresses must be equal.
func sameHost(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	if isIP(a) || isIP(b) {
		return false
	}
	la, _, _ := strings.Cut(a, ".")
	lb, _, _ := strings.Cut(b, ".")
	return la != "" && strings.EqualFold(la, lb)
}
