package epp

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func header(n uint32) []byte {
	b := make([]byte, 4)
	binary.BigEndian.PutUint32(b, n)
	return b
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func TestReadFrame(t *testing.T) {
	doc := []byte(`<?xml version="1.0"?><epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><hello/></epp>`)
	tests := []struct {
		name    string
		in      []byte
		max     int
		want    []byte
		wantErr error
	}{
		{"one frame", cat(header(uint32(len(doc)+4)), doc), 0, doc, nil},
		{"one byte payload", cat(header(5), []byte("x")), 0, []byte("x"), nil},
		{"frame followed by more", cat(header(5), []byte("xy")), 0, []byte("x"), nil},
		{"exactly max", cat(header(10), []byte("123456")), 10, []byte("123456"), nil},
		{"above max", cat(header(11), []byte("1234567")), 10, nil, ErrFrameTooLarge},
		{"huge length", cat(header(0xFFFFFFFF), doc), 0, nil, ErrFrameTooLarge},
		{"default max plus one", cat(header(DefaultMaxFrameSize + 1)), 0, nil, ErrFrameTooLarge},
		{"length zero", header(0), 0, nil, ErrBadLength},
		{"length 3", header(3), 0, nil, ErrBadLength},
		{"length 4 (empty payload)", header(4), 0, nil, ErrBadLength},
		{"empty stream", nil, 0, nil, io.EOF},
		{"cut in header", []byte{0, 0}, 0, nil, io.ErrUnexpectedEOF},
		{"cut in payload", cat(header(20), []byte("short")), 0, nil, io.ErrUnexpectedEOF},
		{"header only", header(20), 0, nil, io.ErrUnexpectedEOF},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadFrame(bytes.NewReader(tc.in), tc.max)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("ReadFrame(%s) error = %v, want %v", tc.name, err, tc.wantErr)
			}
			if !bytes.Equal(got, tc.want) {
				t.Errorf("ReadFrame(%s) = %q, want %q", tc.name, got, tc.want)
			}
		})
	}
}

func TestReadFrameSequence(t *testing.T) {
	var buf bytes.Buffer
	msgs := []string{"<a/>", "<bb/>", "<ccc/>"}
	for _, m := range msgs {
		if err := WriteFrame(&buf, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range msgs {
		got, err := ReadFrame(&buf, 0)
		if err != nil || string(got) != m {
			t.Fatalf("ReadFrame = %q, %v, want %q", got, err, m)
		}
	}
	if _, err := ReadFrame(&buf, 0); err != io.EOF {
		t.Fatalf("ReadFrame at end = %v, want io.EOF", err)
	}
}

// countingWriter records the Write calls.
type countingWriter struct {
	calls int
	buf   bytes.Buffer
	short bool
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.calls++
	if w.short {
		return len(p) - 1, nil
	}
	return w.buf.Write(p)
}

func TestWriteFrame(t *testing.T) {
	w := &countingWriter{}
	if err := WriteFrame(w, []byte("<epp/>")); err != nil {
		t.Fatal(err)
	}
	if w.calls != 1 {
		t.Errorf("WriteFrame made %d Write calls, want 1", w.calls)
	}
	if want := cat(header(10), []byte("<epp/>")); !bytes.Equal(w.buf.Bytes(), want) {
		t.Errorf("WriteFrame wrote %q, want %q", w.buf.Bytes(), want)
	}
	if err := WriteFrame(&countingWriter{}, nil); !errors.Is(err, ErrBadLength) {
		t.Errorf("WriteFrame(empty) = %v, want ErrBadLength", err)
	}
	if err := WriteFrame(&countingWriter{short: true}, []byte("<epp/>")); err != io.ErrShortWrite {
		t.Errorf("WriteFrame(short writer) = %v, want io.ErrShortWrite", err)
	}
}

// TestReadFrameNetEPP reads a data unit written by Net::EPP::Protocol's
// prep_frame (pack('N', length($xml)+4).$xml).
func TestReadFrameNetEPP(t *testing.T) {
	wire, err := os.ReadFile(filepath.Join("testdata", "interop", "netepp_check_domain.frame"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ReadFrame(bytes.NewReader(wire), 0)
	if err != nil {
		t.Fatalf("ReadFrame(netepp frame) = %v", err)
	}
	c, err := ParseCommand(doc)
	if err != nil || c.DomainCheck == nil || c.DomainCheck.Names[0] != "example.com" {
		t.Fatalf("ParseCommand(netepp frame) = %+v, %v, want a domain check", c, err)
	}
	var buf bytes.Buffer
	if err := WriteFrame(&buf, doc); err != nil || !bytes.Equal(buf.Bytes(), wire) {
		t.Errorf("WriteFrame(doc) = %q, %v, want Net::EPP's bytes %q", buf.Bytes(), err, wire)
	}
}

// TestReadFrameHugeHeaderAllocates checks that a hostile length is
// refused before the payload buffer is allocated.
func TestReadFrameHugeHeaderAllocates(t *testing.T) {
	in := cat(header(0xFFFFFFF0), []byte("<epp/>"))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 100; i++ {
		if _, err := ReadFrame(bytes.NewReader(in), DefaultMaxFrameSize); !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("ReadFrame(huge) = %v, want ErrFrameTooLarge", err)
		}
	}
	runtime.ReadMemStats(&after)
	if perCall := (after.TotalAlloc - before.TotalAlloc) / 100; perCall > 1024 {
		t.Errorf("ReadFrame(huge header) allocated %d bytes per call, want under 1 KiB", perCall)
	}
}

// requestCounter records the largest read it was asked for: ReadFrame
// reads the payload with io.ReadFull into a buffer of the payload's size,
// so this is the size of the largest buffer it allocated.
type requestCounter struct {
	r      io.Reader
	maxReq int
}

func (c *requestCounter) Read(p []byte) (int, error) {
	if len(p) > c.maxReq {
		c.maxReq = len(p)
	}
	return c.r.Read(p)
}

func FuzzReadFrame(f *testing.F) {
	f.Add(cat(header(10), []byte("<epp/>")), 64)
	f.Add(header(0xFFFFFFFF), 64)
	f.Add(header(4), 0)
	f.Add([]byte{0, 0, 1}, 16)
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, name := range files {
		b, _ := os.ReadFile(name)
		f.Add(cat(header(uint32(len(b)+4)), b), 0)
		f.Add(cat(header(uint32(len(b)+4)), b), len(b))
	}
	f.Fuzz(func(t *testing.T, in []byte, max int) {
		if max < 0 {
			max = -max
		}
		max %= 1 << 16 // keep the default limit (max 0) and small ones
		effective := max
		if effective <= 0 {
			effective = DefaultMaxFrameSize
		}
		rc := &requestCounter{r: bytes.NewReader(in)}
		got, err := ReadFrame(rc, max)
		// The header is read into a 4-byte array, the payload into a
		// buffer of at most limit-4 bytes.
		if rc.maxReq > 4 && rc.maxReq > effective-4 {
			t.Fatalf("ReadFrame asked for %d bytes at once, limit %d", rc.maxReq, effective)
		}
		if err != nil {
			if got != nil {
				t.Fatalf("ReadFrame returned data with error %v", err)
			}
			return
		}
		n := int(binary.BigEndian.Uint32(in))
		if len(got) != n-4 || n < 5 || n > effective || !bytes.Equal(got, in[4:n]) {
			t.Fatalf("ReadFrame = %d bytes, header says %d (limit %d)", len(got), n, effective)
		}
		var buf bytes.Buffer
		if err := WriteFrame(&buf, got); err != nil || !bytes.Equal(buf.Bytes(), in[:n]) {
			t.Fatalf("WriteFrame(ReadFrame(x)) = %v, %v, want %q", buf.Bytes(), err, in[:n])
		}
	})
}
