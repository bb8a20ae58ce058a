package web

import (
	"io/fs"
	"strconv"
)

func fsSub(f fs.FS, dir string) (fs.FS, error) { return fs.Sub(f, dir) }

func jsonVersion(v int64) string { return strconv.FormatInt(v, 10) }
