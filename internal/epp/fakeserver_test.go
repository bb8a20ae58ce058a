package epp

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/openregistrar/registrar/internal/tlsca"
)

// fakeKnobs steer the fake registry. They are read for each new
// connection and each command, so a test can change them at any time.
type fakeKnobs struct {
	Delay        time.Duration // before answering each command other than hello, login, logout
	Code         int           // answer commands with this code (0: 1000); 2500 and 2502 close
	LoginCode    int           // answer login with this code (0: 1000)
	LoginMsg     string        // message for a failed login ("" : the standard text)
	CutAfterRead bool          // close the connection after reading a command, without answering
	CutLogin     bool          // close the connection after reading the login, without answering
	SessionCap   int           // answer login with 2502 beyond this many logged-in sessions (0: no cap)
	Down         bool          // close new connections at once: a registry that is down
	MsgQCount    int           // put <msgQ count> on command responses when > 0
	WrongClTRID  bool          // echo a clTRID other than the command's
	Hostile      []byte        // send this document instead of an answer to commands
	HostileHello []byte        // send this document instead of the greeting
}

// fakeCounts are what the fake registry saw.
type fakeCounts struct {
	Accepts, Logins, Commands, Hellos, Logouts int
	Active, MaxActive                          int // concurrent connections
	LoggedIn, MaxLoggedIn                      int // concurrent logged-in sessions
	LastLogin                                  *Login
	ClTRIDs                                    []string // of commands other than login/logout
}

// fakeServer is a miniature EPP registry over TLS on loopback: real
// frames, real parsing, one command at a time per connection.
type fakeServer struct {
	t         *testing.T
	ln        net.Listener
	tls       *tls.Config
	clientTLS *tls.Config
	greeting  Greeting
	done      chan struct{}
	wg        sync.WaitGroup

	mu    sync.Mutex
	knobs fakeKnobs
	n     fakeCounts
	conns map[net.Conn]struct{}
	svSeq int
}

// testTLS makes a CA with server and client certificates in a temporary
// directory and returns the server (client certificate required) and
// client TLS configurations.
func testTLS(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	dir := t.TempDir()
	files, err := tlsca.Ensure(dir, "client")
	if err != nil {
		t.Fatalf("tlsca.Ensure: %v", err)
	}
	server, err = files.ServerConfig(true)
	if err != nil {
		t.Fatal(err)
	}
	client, err = files.ClientConfig()
	if err != nil {
		t.Fatal(err)
	}
	return server, client
}

// defaultGreeting offers more than the client supports, so that tests
// can check the client asks only for the intersection.
func defaultGreeting() Greeting {
	return Greeting{
		SvID:     "fake-registry",
		Versions: []string{"1.0"},
		Langs:    []string{"en", "fr"},
		ObjURIs:  []string{NSHost, NSDomain, "urn:example:widget-1.0", NSContact},
		ExtURIs:  []string{NSSecDNS, NSFee, NSRGP, "urn:ietf:params:xml:ns:fee-0.11"},
	}
}

func startFake(t *testing.T, g Greeting) *fakeServer {
	t.Helper()
	srvTLS, cliTLS := testTLS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeServer{t: t, ln: ln, tls: srvTLS, clientTLS: cliTLS, greeting: g,
		done: make(chan struct{}), conns: make(map[net.Conn]struct{})}
	f.wg.Add(1)
	go f.accept()
	t.Cleanup(f.Close)
	return f
}

func (f *fakeServer) Addr() string { return f.ln.Addr().String() }

// Set changes the knobs.
func (f *fakeServer) Set(fn func(*fakeKnobs)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.knobs)
}

// Counts returns a snapshot of the counters.
func (f *fakeServer) Counts() fakeCounts {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.n
	n.ClTRIDs = append([]string(nil), f.n.ClTRIDs...)
	return n
}

// KillConns closes every open connection, as a registry restart does.
func (f *fakeServer) KillConns() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for c := range f.conns {
		c.Close()
	}
}

// Close stops the server and waits for its goroutines.
func (f *fakeServer) Close() {
	select {
	case <-f.done:
		return
	default:
	}
	close(f.done)
	f.ln.Close()
	f.KillConns()
	f.wg.Wait()
}

func (f *fakeServer) accept() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		f.n.Accepts++
		down := f.knobs.Down
		if !down {
			f.conns[c] = struct{}{}
			f.n.Active++
			f.n.MaxActive = max(f.n.MaxActive, f.n.Active)
		}
		f.mu.Unlock()
		if down {
			c.Close()
			continue
		}
		f.wg.Add(1)
		go f.serve(c)
	}
}

func (f *fakeServer) serve(raw net.Conn) {
	defer f.wg.Done()
	loggedIn := false
	defer func() {
		raw.Close()
		f.mu.Lock()
		delete(f.conns, raw)
		f.n.Active--
		if loggedIn {
			f.n.LoggedIn--
		}
		f.mu.Unlock()
	}()
	conn := tls.Server(raw, f.tls)
	if err := f.sendGreeting(conn); err != nil {
		return
	}
	for {
		b, err := ReadFrame(conn, 0)
		if err != nil {
			return
		}
		cmd, err := ParseCommand(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				return
			}
			if f.answer(conn, &Response{Results: []Result{fe.Result()}, ClTRID: fe.ClTRID}) != nil {
				return
			}
			continue
		}
		f.mu.Lock()
		k := f.knobs
		f.mu.Unlock()
		switch {
		case cmd.Hello:
			f.count(func(n *fakeCounts) { n.Hellos++ })
			if f.sendGreeting(conn) != nil {
				return
			}
		case cmd.Login != nil:
			code := CodeOK
			f.mu.Lock()
			f.n.Logins++
			f.n.LastLogin = cmd.Login
			switch {
			case k.CutLogin:
				code = 0
			case k.LoginCode != 0:
				code = k.LoginCode
			case k.SessionCap > 0 && f.n.LoggedIn >= k.SessionCap:
				code = CodeSessionLimitExceeded
			default:
				loggedIn = true
				f.n.LoggedIn++
				f.n.MaxLoggedIn = max(f.n.MaxLoggedIn, f.n.LoggedIn)
			}
			f.mu.Unlock()
			if code == 0 {
				return // cut before answering
			}
			msg := CodeText(code)
			if code != CodeOK && k.LoginMsg != "" {
				msg = k.LoginMsg
			}
			if f.answer(conn, &Response{Results: []Result{{Code: code, Msg: msg}}, ClTRID: cmd.ClTRID}) != nil {
				return
			}
			if code >= CodeCommandFailedClosing {
				return
			}
		case cmd.Logout:
			f.count(func(n *fakeCounts) {
				n.Logouts++
				if loggedIn {
					n.LoggedIn--
				}
			})
			loggedIn = false
			f.answer(conn, &Response{Results: []Result{{Code: CodeEndingSession, Msg: CodeText(CodeEndingSession)}}, ClTRID: cmd.ClTRID})
			return
		case !loggedIn:
			if f.answer(conn, &Response{Results: []Result{{Code: CodeUseError, Msg: "You are not logged in"}}, ClTRID: cmd.ClTRID}) != nil {
				return
			}
		default:
			f.count(func(n *fakeCounts) {
				n.Commands++
				n.ClTRIDs = append(n.ClTRIDs, cmd.ClTRID)
			})
			if k.CutAfterRead {
				return
			}
			if k.Hostile != nil {
				if WriteFrame(conn, k.Hostile) != nil {
					return
				}
				continue
			}
			if k.Delay > 0 {
				select {
				case <-time.After(k.Delay):
				case <-f.done:
					return
				}
			}
			code := k.Code
			if code == 0 {
				code = CodeOK
			}
			resp := &Response{Results: []Result{{Code: code, Msg: CodeText(code)}}, ClTRID: cmd.ClTRID}
			if k.WrongClTRID {
				resp.ClTRID = "not-" + cmd.ClTRID
			}
			if k.MsgQCount > 0 {
				resp.MsgQ = &MsgQ{Count: k.MsgQCount, ID: "42"}
			}
			if code == CodeOK && cmd.DomainCheck != nil {
				d := &DomainChkData{}
				for _, name := range cmd.DomainCheck.Names {
					d.CDs = append(d.CDs, DomainCD{Name: name, Avail: true})
				}
				resp.DomainCheck = d
			}
			if f.answer(conn, resp) != nil {
				return
			}
			if code >= CodeCommandFailedClosing {
				return
			}
		}
	}
}

func (f *fakeServer) count(fn func(*fakeCounts)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(&f.n)
}

func (f *fakeServer) sendGreeting(conn net.Conn) error {
	f.mu.Lock()
	hostile := f.knobs.HostileHello
	f.mu.Unlock()
	if hostile != nil {
		return WriteFrame(conn, hostile)
	}
	g := f.greeting
	g.SvDate = time.Now().UTC().Truncate(time.Second)
	b, err := g.Marshal()
	if err != nil {
		f.t.Errorf("fake: greeting: %v", err)
		return err
	}
	return WriteFrame(conn, b)
}

func (f *fakeServer) answer(conn net.Conn, r *Response) error {
	f.mu.Lock()
	f.svSeq++
	r.SvTRID = fmt.Sprintf("SV-%06d", f.svSeq)
	f.mu.Unlock()
	b, err := r.Marshal()
	if err != nil {
		f.t.Errorf("fake: response: %v", err)
		return err
	}
	return WriteFrame(conn, b)
}
