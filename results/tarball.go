package results

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Tarball writes every file under dir into the gzipped tar file name, with
// paths relative to dir (kube-burner's --tarball-name and createTarball).
func Tarball(dir, name string) (err error) {
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		return addFile(tw, dir, path, d)
	})
	if err != nil {
		return fmt.Errorf("tarball %s of %s: %w", name, dir, err)
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("tarball: %w", err)
	}
	return gz.Close()
}

func addFile(tw *tar.Writer, dir, path string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(dir, path)
	if err != nil {
		return err
	}
	hdr, err := tar.FileInfoHeader(info, "")
	if err != nil {
		return err
	}
	hdr.Name = filepath.ToSlash(rel)
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	src, err := os.Open(path)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.Copy(tw, src)
	return err
}
