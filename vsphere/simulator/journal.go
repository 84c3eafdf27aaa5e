package simulator

import (
	"errors"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"time"
)

// Errors a changes query can end in; cbt_methods.go turns each into the
// fault vCenter would send.
var (
	errCBTOff          = errors.New("changed block tracking is not enabled")
	errNoEpoch         = errors.New("no CBT epoch for the snapshot")
	errNoTrack         = errors.New("no change tracking data for the snapshot")
	errCorrupt         = errors.New("change tracking file is corrupt")
	errEpochMismatch   = errors.New("changeId is from another CBT epoch")
	errChangeIDTooNew  = errors.New("changeId is later than the snapshot")
	errSnapshotUnknown = errors.New("snapshot not found")
)

// write is one journal entry: the blocks a write (or a burst of writes
// between two snapshots) touched, stamped with a sequence number. The blocks
// are generated on first use, so building a demo with a million-extent disk
// costs nothing until somebody asks for that disk's map.
type write struct {
	seq  uint64
	once sync.Once
	gen  func() []blockRun
	runs []blockRun
}

func (w *write) blocks() []blockRun {
	w.once.Do(func() {
		w.runs = normalizeRuns(w.gen())
		w.gen = nil
	})
	return w.runs
}

// epoch is one span of change tracking. Writes with seq > startSeq are
// tracked in it; a reset (toggle, extend, restore) starts a new one.
type epoch struct {
	id       epochID
	startSeq uint64
}

// snapshot pins the journal: its changeId is the epoch in force and the
// sequence number when it was taken. A snapshot taken with CBT off has no
// epoch and so no changeId.
type snapshot struct {
	id      string
	desc    string
	created time.Time
	seq     uint64
	epoch   *epoch
}

func (s *snapshot) changeID() string {
	if s.epoch == nil {
		return ""
	}
	return changeID{epoch: s.epoch.id, seq: s.seq}.String()
}

// journal is the change history of one disk at its CBT block size.
type journal struct {
	blockSize int64
	capacity  int64

	mu        sync.RWMutex
	seq       uint64
	writes    []*write // ascending seq
	epoch     *epoch   // nil while CBT is off
	corrupt   bool
	snapshots []*snapshot
	rng       *rand.Rand // epoch UUIDs: seeded so the demo's changeIds are stable

	falsePositives float64
	fpSeed         uint64

	cacheMu sync.Mutex
	cache   map[queryKey]*cacheEntry
	order   []queryKey
}

// queryKey names one merged answer. The journal only ever grows past a
// snapshot's sequence number, so an answer, once computed, never changes.
type queryKey struct {
	star   bool
	lo, hi uint64
}

type cacheEntry struct {
	once sync.Once
	ext  []Extent
}

// cacheEntries bounds memory per disk: the sparse demo disk's full map is
// about 20 MB, and a UI only flips between a handful of queries.
const cacheEntries = 6

func newJournal(capacity, blockSize int64, seed uint64) *journal {
	return &journal{
		blockSize: blockSize,
		capacity:  capacity,
		rng:       rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		fpSeed:    seed,
		cache:     make(map[queryKey]*cacheEntry),
	}
}

// blocks is the number of CBT blocks, the last one possibly partial.
func (j *journal) blocks() int64 { return (j.capacity + j.blockSize - 1) / j.blockSize }

// record appends a write whose blocks gen produces (lazily) and returns its
// sequence number.
func (j *journal) record(gen func() []blockRun) uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.seq++
	j.writes = append(j.writes, &write{seq: j.seq, gen: gen})
	return j.seq
}

// setCBT turns tracking on (starting a new epoch if it was off) or off.
func (j *journal) setCBT(on bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.setCBTLocked(on)
}

func (j *journal) setCBTLocked(on bool) {
	switch {
	case on && j.epoch == nil:
		j.epoch = &epoch{id: newEpochID(j.rng), startSeq: j.seq}
		j.corrupt = false // a fresh ctk file replaces a corrupt one
	case !on:
		j.epoch = nil
	}
}

// reset starts a new epoch, as extending, restoring or migrating a disk does.
func (j *journal) reset() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.setCBTLocked(false)
	j.setCBTLocked(true)
}

func (j *journal) cbtEnabled() bool {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return j.epoch != nil
}

func (j *journal) setCorrupt() {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.corrupt = true
}

func (j *journal) takeSnapshot(id, desc string, created time.Time) *snapshot {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := &snapshot{id: id, desc: desc, created: created, seq: j.seq, epoch: j.epoch}
	j.snapshots = append(j.snapshots, s)
	return s
}

func (j *journal) deleteSnapshot(id string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for i, s := range j.snapshots {
		if s.id == id {
			j.snapshots = slices.Delete(j.snapshots, i, i+1)
			return true
		}
	}
	return false
}

func (j *journal) snapshot(id string) *snapshot {
	j.mu.RLock()
	defer j.mu.RUnlock()
	for _, s := range j.snapshots {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (j *journal) snapshotList() []*snapshot {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return slices.Clone(j.snapshots)
}

// changes answers "what changed after base, up to snapshot target", as
// sorted, merged byte extents. base "*" means every allocated block. The
// checks run in the order a backup tool meets them: tracking off, a corrupt
// ctk, a snapshot with no epoch, a changeId from another epoch.
func (j *journal) changes(base changeID, targetID string) ([]Extent, error) {
	j.mu.RLock()
	var target *snapshot
	for _, s := range j.snapshots {
		if s.id == targetID {
			target = s
		}
	}
	j.mu.RUnlock()
	return j.changesTo(base, target)
}

// current is the disk as it is now, as a snapshot that is not kept: the
// target of a query without a snapshot (a powered-off VM's disk).
func (j *journal) current() *snapshot {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return &snapshot{seq: j.seq, epoch: j.epoch}
}

// pin takes a snapshot named by its own changeId, or returns the one
// already taken at the same point, and reports the changeId; "" when
// tracking is off. VM snapshots find their journal point through the
// changeId stamped on their disk backings.
func (j *journal) pin(created time.Time) string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.epoch == nil {
		return ""
	}
	id := changeID{epoch: j.epoch.id, seq: j.seq}.String()
	for _, s := range j.snapshots {
		if s.id == id {
			return id
		}
	}
	j.snapshots = append(j.snapshots, &snapshot{id: id, created: created, seq: j.seq, epoch: j.epoch})
	return id
}

// changesTo is changes with the target snapshot given (nil: unknown).
func (j *journal) changesTo(base changeID, target *snapshot) ([]Extent, error) {
	j.mu.RLock()
	cur, corrupt := j.epoch, j.corrupt
	j.mu.RUnlock()

	switch {
	case target == nil:
		return nil, errSnapshotUnknown
	case cur == nil:
		return nil, errCBTOff
	case corrupt:
		return nil, errCorrupt
	case target.epoch == nil && base.star:
		return nil, errNoEpoch
	case target.epoch == nil:
		return nil, errNoTrack
	}
	key := queryKey{star: true, hi: target.seq}
	if !base.star {
		if base.epoch != target.epoch.id {
			return nil, errEpochMismatch
		}
		if base.seq > target.seq {
			return nil, errChangeIDTooNew
		}
		key = queryKey{lo: base.seq, hi: target.seq}
	}
	return j.merged(key), nil
}

// merged returns the cached answer for key, computing it once even when
// several clients page the same query at the same moment.
func (j *journal) merged(key queryKey) []Extent {
	j.cacheMu.Lock()
	e, ok := j.cache[key]
	if !ok {
		e = new(cacheEntry)
		j.cache[key] = e
		j.order = append(j.order, key)
		if len(j.order) > cacheEntries {
			delete(j.cache, j.order[0])
			j.order = j.order[1:]
		}
	}
	j.cacheMu.Unlock()
	e.once.Do(func() { e.ext = j.compute(key) })
	return e.ext
}

func (j *journal) compute(key queryKey) []Extent {
	j.mu.RLock()
	first := sort.Search(len(j.writes), func(i int) bool { return j.writes[i].seq > key.lo })
	last := sort.Search(len(j.writes), func(i int) bool { return j.writes[i].seq > key.hi })
	if key.star {
		first = 0
	}
	ws := slices.Clone(j.writes[first:last])
	j.mu.RUnlock()

	lists := make([][]blockRun, 0, len(ws))
	for _, w := range ws {
		if b := w.blocks(); len(b) > 0 {
			lists = append(lists, b)
		}
	}
	runs := unionAll(lists)
	if j.falsePositives > 0 {
		runs = j.addFalsePositives(runs, key)
	}
	return toExtents(runs, j.blockSize, j.capacity)
}

// addFalsePositives widens some runs by a block on each side, the way a real
// ctk over-reports after a crash or at coarse granularity: extra blocks,
// never missing ones. The choice hashes the run and the query, so it is the
// same on every page, for every client, and in GroundTruth.
func (j *journal) addFalsePositives(runs []blockRun, key queryKey) []blockRun {
	out := slices.Clone(runs)
	limit := j.blocks()
	salt := j.fpSeed ^ key.lo*0x9e3779b97f4a7c15 ^ key.hi*0xbf58476d1ce4e5b9
	if key.star {
		salt = ^salt
	}
	for i := range out {
		h := splitmix(salt ^ uint64(out[i].start))
		if float64(h>>11)/(1<<53) >= j.falsePositives {
			continue
		}
		start := max(out[i].start-1, 0)
		end := min(out[i].end()+1, limit)
		out[i] = blockRun{start: start, count: end - start}
	}
	return normalizeRuns(out)
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// page cuts one reply out of a merged answer: at most max extents from
// start, an extent straddling start clipped to it. length is the span the
// reply covers: up to the end of its last extent when more follow, else to
// the end of the disk, so the caller's next startOffset is start+length.
func page(ext []Extent, capacity, start int64, max int) (length int64, out []Extent) {
	i := sort.Search(len(ext), func(i int) bool { return ext[i].End() > start })
	n := min(len(ext)-i, max)
	out = make([]Extent, n)
	copy(out, ext[i:i+n])
	if n > 0 && out[0].Start < start {
		out[0] = Extent{Start: start, Length: out[0].End() - start}
	}
	if i+n < len(ext) {
		return out[n-1].End() - start, out
	}
	return capacity - start, out
}

// newID draws a snapshot ID from the journal's seeded source.
func (j *journal) newID() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return uuidFrom(j.rng)
}
