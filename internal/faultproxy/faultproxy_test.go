package faultproxy_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/faultproxy"
)

// echoServer echoes lines back.
func echoServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func roundTrip(addr, msg string) (string, error) {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := io.WriteString(c, msg+"\n"); err != nil {
		return "", err
	}
	return bufio.NewReader(c).ReadString('\n')
}

func TestFaults(t *testing.T) {
	t.Parallel()
	p, err := faultproxy.Start(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if got, err := roundTrip(p.Addr(), "hello"); err != nil || got != "hello\n" {
		t.Fatalf("no faults: %q, %v", got, err)
	}
	p.Set(faultproxy.Faults{Refuse: true})
	if _, err := roundTrip(p.Addr(), "hello"); err == nil {
		t.Error("Refuse: the round trip succeeded")
	}
	p.Set(faultproxy.Faults{Blackhole: true})
	if _, err := roundTrip(p.Addr(), "hello"); err == nil {
		t.Error("Blackhole: the round trip succeeded")
	}
	p.Set(faultproxy.Faults{CutAfter: 3})
	if got, err := roundTrip(p.Addr(), "hello"); err == nil || got != "hel" {
		t.Errorf("CutAfter 3: %q, %v; want \"hel\" and an error", got, err)
	}
	p.Set(faultproxy.Faults{Delay: 300 * time.Millisecond})
	start := time.Now()
	if got, err := roundTrip(p.Addr(), "slow"); err != nil || got != "slow\n" {
		t.Errorf("Delay: %q, %v", got, err)
	} else if held := time.Since(start); held < 600*time.Millisecond {
		t.Errorf("Delay 300ms each way: round trip took %s", held)
	}
	// DropConnections cuts an open connection.
	p.Set(faultproxy.Faults{})
	c, err := net.Dial("tcp", p.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "x\n")
	r := bufio.NewReader(c)
	if line, _ := r.ReadString('\n'); line != "x\n" {
		t.Fatalf("before the drop: %q", line)
	}
	p.DropConnections()
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := r.ReadString('\n'); err == nil || strings.Contains(err.Error(), "timeout") {
		t.Errorf("after DropConnections the read gave %v, want the connection closed", err)
	}
}
