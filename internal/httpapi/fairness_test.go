package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/openregistrar/registrar/internal/registrar"
)

// twoAccounts authenticates two tokens, one per account.
type twoAccounts struct {
	registrar.Reader
	byHash map[string]registrar.Principal
}

func (r twoAccounts) Authenticate(_ context.Context, hash string) (registrar.Principal, error) {
	if p, ok := r.byHash[hash]; ok {
		return p, nil
	}
	return registrar.Principal{}, registrar.Errorf(registrar.KindUnauthorized, "fake", "invalid API token")
}

// blockingDomains answers a check (of its first name) or a search (of
// its query) once the test releases that key, and says when each call has
// started.
type blockingDomains struct {
	registrar.Domains
	mu      sync.Mutex
	release map[string]chan struct{}
	entered chan string
}

func (d *blockingDomains) wait(key string) {
	d.mu.Lock()
	ch, ok := d.release[key]
	if !ok {
		ch = make(chan struct{})
		d.release[key] = ch
	}
	d.mu.Unlock()
	d.entered <- key
	<-ch
}

// let lets the call of key finish.
func (d *blockingDomains) let(key string) {
	d.mu.Lock()
	ch, ok := d.release[key]
	if !ok {
		ch = make(chan struct{})
		d.release[key] = ch
	}
	d.mu.Unlock()
	close(ch)
}

func (d *blockingDomains) Check(ctx context.Context, env registrar.Env, names []string) ([]registrar.DomainAvailability, error) {
	d.wait(names[0])
	return []registrar.DomainAvailability{{Name: names[0], Registrable: true}}, nil
}

func (d *blockingDomains) Search(ctx context.Context, env registrar.Env, q string, exts []string, limit int) ([]registrar.DomainAvailability, error) {
	d.wait(q)
	return nil, nil
}

// TestChecksPerAccount: an account with MaxChecksPerAccount domain checks
// and searches running gets 429 with Retry-After for one more, while
// another account's check goes through; once one ends, the first account
// may check again.
func TestChecksPerAccount(t *testing.T) {
	t.Parallel()
	const max = 3
	type acct struct{ id, token string }
	var accts [2]acct
	reader := twoAccounts{byHash: map[string]registrar.Principal{}}
	for i := range accts {
		token, hash := registrar.NewToken()
		accts[i] = acct{registrar.NewID(), token}
		reader.byHash[hash] = registrar.Principal{AccountID: accts[i].id, TokenID: accts[i].id, Scopes: []registrar.Scope{registrar.ScopeRead}}
	}
	doms := &blockingDomains{release: map[string]chan struct{}{}, entered: make(chan string, 10)}
	srv := New(Deps{Reader: reader, Domains: doms, Catalog: registrar.DefaultCatalog()}, Config{RateLimit: -1, MaxChecksPerAccount: max})
	do := func(a acct, method, path, body string) int {
		req := httptest.NewRequest(method, "/client/v4/accounts/"+a.id+"/registrar/"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+a.token)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
			t.Errorf("%s %s: 429 without Retry-After", method, path)
		}
		return rec.Code
	}
	check := func(a acct, name string) int {
		return do(a, "POST", "domain-check", `{"domains": ["`+name+`"]}`)
	}

	// The first account: max calls running (a search among them).
	codes := map[string]chan int{}
	for i := range max {
		key := fmt.Sprintf("a%d.com", i)
		codes[key] = make(chan int, 1)
		go func() {
			if i == 0 {
				codes[key] <- do(accts[0], "GET", "domain-search?q="+key, "")
			} else {
				codes[key] <- check(accts[0], key)
			}
		}()
		<-doms.entered
	}
	over := make(chan int, 1)
	go func() { over <- check(accts[0], "over.com") }()
	select {
	case code := <-over:
		if code != http.StatusTooManyRequests {
			t.Errorf("a check over the account's %d running = %d, want 429", max, code)
		}
	case key := <-doms.entered:
		t.Errorf("%s reached the registry with the account's %d calls running", key, max)
		doms.let(key)
		<-over
	}
	// The other account's check runs beside them.
	other := make(chan int, 1)
	go func() { other <- check(accts[1], "b.com") }()
	if key := <-doms.entered; key != "b.com" {
		t.Fatalf("%s entered, want b.com", key)
	}
	doms.let("b.com")
	if code := <-other; code != http.StatusOK {
		t.Errorf("the other account's check = %d, want 200", code)
	}
	// One of the first account's calls ends: it may check again.
	doms.let("a1.com")
	if code := <-codes["a1.com"]; code != http.StatusOK {
		t.Errorf("a first-account check = %d, want 200", code)
	}
	again := make(chan int, 1)
	go func() { again <- check(accts[0], "again.com") }()
	if key := <-doms.entered; key != "again.com" {
		t.Fatalf("%s entered, want again.com", key)
	}
	for _, key := range []string{"again.com", "a0.com", "a2.com"} {
		doms.let(key)
	}
	if code := <-again; code != http.StatusOK {
		t.Errorf("the first account's check after one ended = %d, want 200", code)
	}
	for _, key := range []string{"a0.com", "a2.com"} {
		if code := <-codes[key]; code != http.StatusOK {
			t.Errorf("%s = %d, want 200", key, code)
		}
	}
	if n := len(srv.checks.n); n != 0 {
		t.Errorf("the gate holds %d accounts after every call ended", n)
	}
}
