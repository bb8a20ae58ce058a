// Package faultproxy is a TCP proxy on loopback that injects network
// faults between a client and a server: refused connections, added delay,
// connections that go silent, and connections cut after a number of bytes
// (mid-frame). Tests put it between the registrar's EPP client and the
// sandbox registry.
package faultproxy

import (
	"io"
	"net"
	"sync"
	"time"
)

// Faults are the faults applied to new traffic. The zero value forwards
// faithfully.
type Faults struct {
	// Refuse closes new connections as soon as they are accepted.
	Refuse bool
	// Blackhole accepts connections and forwards nothing either way.
	Blackhole bool
	// Delay holds each chunk of data for this long before forwarding it.
	Delay time.Duration
	// CutAfter, when positive, closes each connection once this many bytes
	// have gone from the server to the client on it since the faults were
	// set: an answer cut mid-frame, on open connections as on new ones.
	CutAfter int
}

// Proxy forwards connections from its listener to a target address.
type Proxy struct {
	ln     net.Listener
	target string

	mu     sync.Mutex
	faults Faults
	gen    int // bumped by Set
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// Start listens on a loopback port and forwards to target.
func Start(target string) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{ln: ln, target: target, conns: make(map[net.Conn]struct{})}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr returns the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Set replaces the faults.
func (p *Proxy) Set(f Faults) {
	p.mu.Lock()
	p.faults = f
	p.gen++
	p.mu.Unlock()
}

// DropConnections closes every open connection, both sides.
func (p *Proxy) DropConnections() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// Close stops the proxy and closes every connection.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.DropConnections()
	p.wg.Wait()
	return err
}

func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *Proxy) current() (Faults, int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.faults, p.gen
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		f, _ := p.current()
		if f.Refuse {
			client.Close()
			continue
		}
		if !p.track(client) {
			return
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer p.untrack(client)
			if f.Blackhole {
				io.Copy(io.Discard, client)
				return
			}
			server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
			if err != nil {
				return
			}
			if !p.track(server) {
				return
			}
			defer p.untrack(server)
			done := make(chan struct{}, 2)
			go func() { p.pipe(server, client, false); done <- struct{}{} }()
			go func() { p.pipe(client, server, true); done <- struct{}{} }()
			<-done // either side ending ends both
		}()
	}
}

// pipe copies src to dst, applying the current delay, and, on the
// server-to-client side (cuttable), the current CutAfter.
func (p *Proxy) pipe(dst, src net.Conn, cuttable bool) {
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, 32<<10)
	sent, gen := 0, -1
	for {
		n, err := src.Read(buf)
		if n > 0 {
			f, g := p.current()
			if g != gen {
				sent, gen = 0, g // counted afresh since the faults were set
			}
			if f.Delay > 0 {
				time.Sleep(f.Delay)
			}
			chunk := buf[:n]
			if cuttable && f.CutAfter > 0 && sent+n >= f.CutAfter {
				dst.Write(chunk[:f.CutAfter-sent])
				return
			}
			if _, werr := dst.Write(chunk); werr != nil {
				return
			}
			sent += n
		}
		if err != nil {
			return
		}
	}
}
