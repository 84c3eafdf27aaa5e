package vsphere

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

// Output is a file an export will be written to, checked before any work
// is done so that a mistyped path costs nothing. How it is written depends
// on what is there when writing:
//   - a regular file is replaced atomically (a temporary file in the same
//     directory, synced, then renamed over it), keeping its mode: a reader
//     never sees half an export, and a failed run leaves the old one;
//   - a new file is created the same way, with the mode the umask (and any
//     default ACL) gives a file created 0666, as any other tool would;
//   - anything else (a device such as /dev/null or /dev/stdout, a FIFO) is
//     opened and written in place, never replaced by a regular file;
//   - a symbolic link is followed: its target is written, the link stays.
type Output struct {
	path string // as given
}

// ErrOutput is the class of errors about the output path itself.
var ErrOutput = errors.New("output path")

// OutputError says what is wrong with an output path.
type OutputError struct {
	Path string
	Msg  string
}

func (e *OutputError) Error() string        { return e.Path + ": " + e.Msg }
func (e *OutputError) Is(target error) bool { return target == ErrOutput }

// CheckOutput checks that path can take an export: a missing directory, a
// directory given as the file, or a directory that cannot be written to
// are errors (of class ErrOutput).
func CheckOutput(path string) (*Output, error) {
	o := &Output{path: path}
	t, err := o.target()
	if err != nil {
		return nil, err
	}
	if t.inPlace {
		return o, nil
	}
	// Creating a file is the only sure test that one can be created there
	// (permissions, ACLs, a read-only mount).
	probe, err := createTemp(filepath.Dir(t.path), 0o600)
	if err != nil {
		return nil, &OutputError{o.path, fmt.Sprintf("cannot create a file in %s: %v", filepath.Dir(t.path), pathCause(err))}
	}
	probe.Close()
	os.Remove(probe.Name())
	return o, nil
}

// target is what a path resolves to, and how to write it.
type target struct {
	path    string      // symbolic links resolved
	inPlace bool        // not a regular file: open and write, never replace
	mode    fs.FileMode // the existing regular file's mode
	exists  bool
}

func (o *Output) target() (target, error) {
	p, err := resolveLinks(o.path)
	if err != nil {
		return target{}, &OutputError{o.path, err.Error()}
	}
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		dir := filepath.Dir(p)
		di, err := os.Stat(dir)
		if err != nil || !di.IsDir() {
			return target{}, &OutputError{o.path, "no such directory " + dir}
		}
		return target{path: p}, nil
	case err != nil:
		return target{}, &OutputError{o.path, pathCause(err).Error()}
	case fi.IsDir():
		return target{}, &OutputError{o.path, "is a directory; give a file name"}
	case fi.Mode().IsRegular():
		keep := fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)
		return target{path: p, mode: keep, exists: true}, nil
	}
	return target{path: p, inPlace: true, exists: true}, nil
}

// resolveLinks follows symbolic links in the last element of path until it
// names something else or nothing: a link to a file yet to be created is
// resolved to that file's path.
func resolveLinks(path string) (string, error) {
	for range 40 {
		fi, err := os.Lstat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", pathCause(err)
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		link, err := os.Readlink(path)
		if err != nil {
			return "", pathCause(err)
		}
		if !filepath.IsAbs(link) {
			link = filepath.Join(filepath.Dir(path), link)
		}
		path = link
	}
	return "", errors.New("too many levels of symbolic links")
}

// Write writes through write to the output, as the Output doc says. What
// is there is looked at again now: it may have changed since the check.
func (o *Output) Write(write func(io.Writer) error) error {
	t, err := o.target()
	if err != nil {
		return err
	}
	if t.inPlace {
		f, err := os.OpenFile(t.path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("writing %s: %w", o.path, err)
		}
		return f.Close()
	}
	perm := fs.FileMode(0o666) // the umask decides, as for any new file
	if t.exists {
		perm = 0o600 // until it gets the old file's mode, just before the rename
	}
	tmp, err := createTemp(filepath.Dir(t.path), perm)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	if t.exists {
		if err := tmp.Chmod(t.mode); err != nil {
			return err
		}
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", o.path, err)
	}
	if err := os.Rename(tmp.Name(), t.path); err != nil {
		return err
	}
	committed = true
	return nil
}

// createTemp creates a new hidden file in dir with perm (before the umask).
// os.CreateTemp always uses 0600, which would ignore the umask.
func createTemp(dir string, perm fs.FileMode) (*os.File, error) {
	for range 100 {
		name := filepath.Join(dir, ".cbtscope-"+strconv.FormatUint(rand.Uint64(), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, fmt.Errorf("cannot create a temporary file in %s", dir)
}

// pathCause is the reason inside an *fs.PathError, whose message would
// repeat the path.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
