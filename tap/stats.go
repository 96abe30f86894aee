package tap

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/perflab/perflab/measure"
)

// Stats aggregates Records per source, verb and call. It is safe for
// concurrent use; the Recorder feeds it from its writer goroutine.
type Stats struct {
	mu     sync.Mutex
	calls  map[callKey]*callStats
	agents map[string]int
	first  time.Time
	last   time.Time
}

type callKey struct{ Source, Verb, Call string }

type callStats struct {
	count, failed, throttled int
	total                    time.Duration
	latencies                []float64 // ns
	events                   int64
	codes                    map[int]int
}

// NewStats returns empty Stats.
func NewStats() *Stats {
	return &Stats{calls: map[callKey]*callStats{}, agents: map[string]int{}}
}

// Add counts one record.
func (s *Stats) Add(r Record) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := callKey{r.Source, r.Verb, r.Call()}
	c := s.calls[k]
	if c == nil {
		c = &callStats{codes: map[int]int{}}
		s.calls[k] = c
	}
	c.count++
	l := r.Latency()
	c.total += l
	c.latencies = append(c.latencies, float64(l))
	c.events += r.WatchEvents
	c.codes[r.Status]++
	if r.Failed() {
		c.failed++
	}
	if r.Status == 429 {
		c.throttled++
	}
	s.agents[agentOf(r)]++
	if s.first.IsZero() || r.Start.Before(s.first) {
		s.first = r.Start
	}
	if end := r.Start.Add(r.LastByte); end.After(s.last) {
		s.last = end
	}
}

// agentOf names a client by its user agent's first word
// ("kube-scheduler/v1.36.3") and, from the audit log, its user.
func agentOf(r Record) string {
	a, _, _ := strings.Cut(r.UserAgent, " ")
	if a == "" {
		a = "(no user agent)"
	}
	if r.User != "" {
		a += " as " + r.User
	}
	return a
}

// CallSummary is the summary of one source, verb and call.
type CallSummary struct {
	Source, Verb, Call string
	Count              int
	Failed             int // status >= 400 or no answer
	Throttled          int // 429 Too Many Requests
	Codes              map[int]int
	P50, P99, Total    time.Duration // of Record.Latency
	WatchEvents        int64
}

// AgentCount is how many requests one client made.
type AgentCount struct {
	Agent string
	Count int
}

// Summary is a snapshot of Stats, calls sorted by count.
type Summary struct {
	Calls       []CallSummary
	Agents      []AgentCount
	Requests    int
	First, Last time.Time
}

// Summary takes a snapshot. quantiles false skips the percentiles (cheap
// enough to refresh a live table with).
func (s *Stats) Summary(quantiles bool) Summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Summary{First: s.first, Last: s.last}
	for k, c := range s.calls {
		cs := CallSummary{Source: k.Source, Verb: k.Verb, Call: k.Call, Count: c.count, Failed: c.failed,
			Throttled: c.throttled, Total: c.total, WatchEvents: c.events, Codes: make(map[int]int, len(c.codes))}
		for code, n := range c.codes {
			cs.Codes[code] = n
		}
		if quantiles {
			st := measure.Summarize(c.latencies)
			cs.P50, cs.P99 = time.Duration(st.P50), time.Duration(st.P99)
		}
		out.Calls = append(out.Calls, cs)
		out.Requests += c.count
	}
	sort.Slice(out.Calls, func(i, j int) bool { return lessByCount(out.Calls[i], out.Calls[j]) })
	for a, n := range s.agents {
		out.Agents = append(out.Agents, AgentCount{a, n})
	}
	sort.Slice(out.Agents, func(i, j int) bool {
		if out.Agents[i].Count != out.Agents[j].Count {
			return out.Agents[i].Count > out.Agents[j].Count
		}
		return out.Agents[i].Agent < out.Agents[j].Agent
	})
	return out
}

func lessByCount(a, b CallSummary) bool {
	if a.Count != b.Count {
		return a.Count > b.Count
	}
	return keyLess(a, b)
}

func keyLess(a, b CallSummary) bool {
	if a.Source != b.Source {
		return a.Source < b.Source
	}
	if a.Verb != b.Verb {
		return a.Verb < b.Verb
	}
	return a.Call < b.Call
}
