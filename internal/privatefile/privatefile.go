// Package privatefile keeps the server's files private and durable: a data
// directory of mode 0700 holding files of mode 0600, and files written so
// that a crash or power loss at any moment leaves either the old content
// or the new one, never an empty or partial file.
package privatefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Modes of the data directory and of every file in it.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// WriteFile writes data to path, mode 0600, durably: to a temporary file in
// the same directory, synced to stable storage, renamed over path, and the
// directory synced so that the rename itself survives a crash.
func WriteFile(path string, data []byte) error {
	return writeFile(path, data, (*os.File).Sync)
}

// writeFile is WriteFile with the sync call as a seam, for tests.
func writeFile(path string, data []byte, sync func(*os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := tmp.Chmod(FileMode); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := sync(tmp); err != nil {
		return fmt.Errorf("sync %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir, sync)
}

// syncDir syncs a directory's entries (a rename in it) to stable storage.
// Windows cannot open a directory for syncing, and renames there are
// journaled by NTFS.
func syncDir(dir string, sync func(*os.File) error) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := sync(d); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// MakeDir creates dir with mode 0700, or makes an existing dir private:
// the dir and every directory under it 0700, every file 0600. It fails,
// saying what to do, when a mode cannot be changed (a file of another
// user). Symbolic links are left alone.
func MakeDir(dir string) error {
	return makeDir(dir, os.Chmod)
}

// makeDir is MakeDir with the chmod call as a seam, for tests.
func makeDir(dir string, chmod func(string, fs.FileMode) error) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if runtime.GOOS == "windows" {
		return nil // no Unix modes: the ACLs of the parent apply
	}
	return filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		want := FileMode
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			return nil
		case e.IsDir():
			want = DirMode
		}
		info, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil // removed meanwhile (a SQLite -shm file)
		} else if err != nil {
			return err
		}
		if info.Mode().Perm() == want {
			return nil
		}
		if err := chmod(path, want); err != nil {
			return fmt.Errorf("%s has mode %04o, readable by other users, and could not be made %04o (%w): run chmod %04o %s as its owner",
				path, info.Mode().Perm(), want, err, want, path)
		}
		return nil
	})
}
