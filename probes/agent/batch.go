package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Spec is one probe of a batch. Unknown keys are rejected.
type Spec struct {
	ID        string `json:"id"`
	Kind      string `json:"kind"` // tcp, udp, sctp, http, dns
	Host      string `json:"host,omitempty"`
	Port      int    `json:"port,omitempty"`
	TimeoutMs int    `json:"timeoutMs,omitempty"`
	Attempts  int    `json:"attempts,omitempty"`
	PauseMs   *int   `json:"pauseMs,omitempty"`
	// udp: the datagram to send (default "netprobe"). tcp: optional bytes to send after the handshake.
	Payload string `json:"payload,omitempty"`
	// http
	URL      string            `json:"url,omitempty"`
	Method   string            `json:"method,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	Body     string            `json:"body,omitempty"`
	Insecure bool              `json:"insecure,omitempty"`
	// dns
	Name   string `json:"name,omitempty"`
	Server string `json:"server,omitempty"`
	QType  string `json:"qtype,omitempty"`
}

// Batch is the input of `netprobe-agent probe`. Top-level timeoutMs/attempts/pauseMs are defaults.
type Batch struct {
	Probes      []Spec `json:"probes"`
	TimeoutMs   int    `json:"timeoutMs,omitempty"`
	Attempts    int    `json:"attempts,omitempty"`
	PauseMs     *int   `json:"pauseMs,omitempty"`
	Concurrency int    `json:"concurrency,omitempty"`
}

// Result is one output line.
type Result struct {
	ID         string   `json:"id"`
	Kind       string   `json:"kind"`
	Outcome    string   `json:"outcome"`
	Detail     string   `json:"detail"`
	Ms         int64    `json:"ms"`
	Attempts   []string `json:"attempts"`
	Remote     string   `json:"remote,omitempty"`
	Errno      string   `json:"errno,omitempty"`
	HTTPStatus int      `json:"httpStatus,omitempty"`
	Addresses  []string `json:"addresses,omitempty"`
	// Who answered: target, network (an ICMP error from another address on the path) or local (the
	// probe pod's own stack; nothing came from the network). Empty when nothing answered.
	AnsweredBy string `json:"answeredBy,omitempty"`
	// The ICMP error behind the outcome ("port-unreachable", "admin-prohibited", ...) and its sender.
	ICMP     string `json:"icmp,omitempty"`
	ICMPFrom string `json:"icmpFrom,omitempty"`
	// dns: the server's response code (NOERROR, NXDOMAIN, SERVFAIL, ...).
	Rcode string `json:"rcode,omitempty"`
	// udp: the protocol spoken to a well-known port ("dns", "ntp"), so that the target is known to answer.
	Spoke string `json:"spoke,omitempty"`
}

const (
	defaultTimeoutMs   = 2000
	defaultPauseMs     = 250
	defaultConcurrency = 256
	maxAttempts        = 20
	maxTimeoutMs       = 120000
)

var validKinds = map[string]bool{"tcp": true, "udp": true, "sctp": true, "http": true, "dns": true}
var validQTypes = map[string]bool{"A": true, "AAAA": true, "ANY": true, "SRV": true, "CNAME": true, "TXT": true}

// parseBatch decodes and validates a batch, filling defaults.
func parseBatch(data []byte) (*Batch, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var b Batch
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("batch is not valid JSON for this schema: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("batch has trailing data after the JSON object")
	}
	if len(b.Probes) == 0 {
		return nil, fmt.Errorf("batch has no probes")
	}
	if b.Concurrency <= 0 {
		b.Concurrency = defaultConcurrency
	}
	seen := map[string]bool{}
	for i := range b.Probes {
		p := &b.Probes[i]
		where := fmt.Sprintf("probes[%d]", i)
		if p.ID == "" {
			return nil, fmt.Errorf("%s: id is required", where)
		}
		where += " (" + p.ID + ")"
		if seen[p.ID] {
			return nil, fmt.Errorf("%s: duplicate id", where)
		}
		seen[p.ID] = true
		if !validKinds[p.Kind] {
			return nil, fmt.Errorf("%s: kind %q is not one of tcp, udp, sctp, http, dns", where, p.Kind)
		}
		if p.TimeoutMs == 0 {
			p.TimeoutMs = b.TimeoutMs
		}
		if p.TimeoutMs == 0 {
			p.TimeoutMs = defaultTimeoutMs
		}
		if p.Attempts == 0 {
			p.Attempts = b.Attempts
		}
		if p.Attempts == 0 {
			p.Attempts = 1
		}
		if p.PauseMs == nil {
			p.PauseMs = b.PauseMs
		}
		if p.PauseMs == nil {
			d := defaultPauseMs
			p.PauseMs = &d
		}
		if p.TimeoutMs < 1 || p.TimeoutMs > maxTimeoutMs {
			return nil, fmt.Errorf("%s: timeoutMs must be 1..%d", where, maxTimeoutMs)
		}
		if p.Attempts < 1 || p.Attempts > maxAttempts {
			return nil, fmt.Errorf("%s: attempts must be 1..%d", where, maxAttempts)
		}
		if *p.PauseMs < 0 || *p.PauseMs > maxTimeoutMs {
			return nil, fmt.Errorf("%s: pauseMs must be 0..%d", where, maxTimeoutMs)
		}
		switch p.Kind {
		case "tcp", "udp", "sctp":
			if p.Host == "" {
				return nil, fmt.Errorf("%s: host is required for %s", where, p.Kind)
			}
			if p.Port < 1 || p.Port > 65535 {
				return nil, fmt.Errorf("%s: port must be 1..65535", where)
			}
		case "http":
			u, err := url.Parse(p.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return nil, fmt.Errorf("%s: url must be an absolute http:// or https:// URL", where)
			}
			if p.Method == "" {
				p.Method = "GET"
			}
			p.Method = strings.ToUpper(p.Method)
		case "dns":
			if p.Name == "" {
				return nil, fmt.Errorf("%s: name is required for dns", where)
			}
			if p.QType == "" {
				p.QType = "A"
			}
			p.QType = strings.ToUpper(p.QType)
			if !validQTypes[p.QType] {
				return nil, fmt.Errorf("%s: qtype %q is not one of A, AAAA, ANY, SRV, CNAME, TXT", where, p.QType)
			}
		}
	}
	return &b, nil
}

// runProbe runs the attempts of one probe: until the first "connected" or the attempts are used up,
// then folds them into one result (aggregate).
func runProbe(ctx context.Context, p Spec) Result {
	start := time.Now()
	var results []Result
	for i := 0; i < p.Attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(time.Duration(*p.PauseMs) * time.Millisecond):
			}
		}
		if ctx.Err() != nil {
			results = append(results, Result{Outcome: outError, Detail: "cancelled: " + ctx.Err().Error()})
			break
		}
		r := runOnce(ctx, p)
		results = append(results, r)
		if r.Outcome == outConnected {
			break
		}
	}
	r := aggregate(results)
	r.ID, r.Kind = p.ID, p.Kind
	r.Ms = time.Since(start).Milliseconds()
	return r
}

// denials are outcomes where the network kept the probe from its target.
var denials = map[string]bool{outRefused: true, outUnreachable: true, outTimeout: true}

// aggregate keeps the evidence of every attempt: a connection on any attempt is a connection; a
// denial only when every attempt was denied (an answered denial is kept over a timeout); attempts
// that disagree otherwise are an error that says so, never the last attempt's word.
func aggregate(results []Result) Result {
	outcomes := make([]string, len(results))
	allDenied, same := true, true
	pick := len(results) - 1
	for i, r := range results {
		outcomes[i] = r.Outcome
		allDenied = allDenied && denials[r.Outcome]
		same = same && r.Outcome == results[0].Outcome
		if r.Outcome == outConnected {
			pick = i
		}
	}
	last := results[pick]
	switch {
	case last.Outcome == outConnected || same:
	case allDenied:
		for i := len(results) - 1; i >= 0; i-- {
			if results[i].Outcome != outTimeout {
				last = results[i]
				break
			}
		}
	default:
		var parts []string
		for i, r := range results {
			parts = append(parts, fmt.Sprintf("%d: %s (%s)", i+1, r.Outcome, r.Detail))
		}
		last = Result{Outcome: outError, Remote: last.Remote, Addresses: last.Addresses, Spoke: last.Spoke,
			Detail: "attempts disagree, so none decides: " + strings.Join(parts, "; ")}
	}
	last.Attempts = outcomes
	return last
}

func runOnce(ctx context.Context, p Spec) Result {
	timeout := time.Duration(p.TimeoutMs) * time.Millisecond
	actx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch p.Kind {
	case "tcp":
		return probeTCP(actx, p)
	case "udp":
		return probeUDP(actx, p)
	case "sctp":
		return probeSCTP(actx, p)
	case "http":
		return probeHTTP(actx, p)
	case "dns":
		return probeDNS(actx, p)
	}
	return Result{Outcome: outError, Detail: "unknown kind " + p.Kind}
}

// runBatch runs every probe concurrently (bounded by b.Concurrency) and writes one JSON line per
// probe to out as each completes.
func runBatch(ctx context.Context, b *Batch, out io.Writer) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, b.Concurrency)
	for _, p := range b.Probes {
		wg.Add(1)
		sem <- struct{}{}
		go func(p Spec) {
			defer wg.Done()
			defer func() { <-sem }()
			r := runProbe(ctx, p)
			if r.Attempts == nil {
				r.Attempts = []string{}
			}
			line, err := json.Marshal(r)
			if err != nil {
				line = []byte(fmt.Sprintf(`{"id":%q,"kind":%q,"outcome":"error","detail":"cannot encode result","ms":0,"attempts":[]}`, p.ID, p.Kind))
			}
			line = append(line, '\n')
			mu.Lock()
			out.Write(line)
			mu.Unlock()
		}(p)
	}
	wg.Wait()
}

func cmdProbe(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	batchArg := fs.String("batch", "", "the batch as JSON, or - to read it from stdin")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *batchArg == "" {
		fmt.Fprintln(stderr, "netprobe-agent probe: --batch is required (JSON, or - for stdin)")
		return 2
	}
	data := []byte(*batchArg)
	if *batchArg == "-" {
		var err error
		if data, err = io.ReadAll(io.LimitReader(stdin, 64<<20)); err != nil {
			fmt.Fprintln(stderr, "netprobe-agent probe: reading stdin:", err)
			return 2
		}
	}
	b, err := parseBatch(data)
	if err != nil {
		fmt.Fprintln(stderr, "netprobe-agent probe:", err)
		return 2
	}
	runBatch(context.Background(), b, stdout)
	return 0
}
