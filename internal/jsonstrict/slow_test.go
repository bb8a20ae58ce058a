package jsonstrict

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

func TestSlowCorpus(t *testing.T) {
	dir := os.Getenv("CORPUS")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		// format: go test fuzz v1\n[]byte("...")
		lines := bytes.SplitN(b, []byte("\n"), 2)
		s := string(bytes.TrimSpace(lines[1]))
		s = s[len("[]byte(") : len(s)-1]
		data, err := strconv.Unquote(s)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var r Registration
		Decode(bytes.NewReader([]byte(data)), &r)
		var a any
		Decode(bytes.NewReader([]byte(data)), &a)
		if d := time.Since(start); d > 5*time.Millisecond {
			t.Logf("%v %d %q", d, len(data), short(data))
		}
	}
}
