package pki

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// CertInfo describes one certificate file.
type CertInfo struct {
	Path     string    `json:"path"`
	Subject  string    `json:"subject,omitempty"`
	Issuer   string    `json:"issuer,omitempty"`
	NotAfter time.Time `json:"notAfter,omitzero"`
	IsCA     bool      `json:"isCA,omitempty"`
	Err      string    `json:"error,omitempty"` // unreadable
}

// Inventory reads the given certificate files (missing ones are skipped)
// and every *.crt under dirs, in that order.
func Inventory(files, dirs []string) []CertInfo {
	files = slices.Clone(files)
	for _, d := range dirs {
		_ = filepath.WalkDir(d, func(path string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(path, ".crt") {
				files = append(files, path)
			}
			return nil
		})
	}
	var out []CertInfo
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		cert, err := ParseCertPEM(data)
		if err != nil {
			out = append(out, CertInfo{Path: f, Err: err.Error()})
			continue
		}
		out = append(out, CertInfo{Path: f, Subject: cert.Subject.String(), Issuer: cert.Issuer.String(), NotAfter: cert.NotAfter, IsCA: cert.IsCA})
	}
	return out
}

// Expiring lists the certificates that expire within window of now, one
// line each with the date: the given files (missing ones are skipped) and
// every *.crt under dirs. An unreadable certificate is listed too.
func Expiring(files, dirs []string, now time.Time, window time.Duration) []string {
	var out []string
	for _, c := range Inventory(files, dirs) {
		if c.Err != "" {
			out = append(out, fmt.Sprintf("%s: unreadable: %s", c.Path, c.Err))
			continue
		}
		left := c.NotAfter.Sub(now)
		switch {
		case left <= 0:
			out = append(out, fmt.Sprintf("%s expired %s", c.Path, c.NotAfter.UTC().Format(time.DateOnly)))
		case left < window:
			out = append(out, fmt.Sprintf("%s expires %s (in %d days)", c.Path, c.NotAfter.UTC().Format(time.DateOnly), int(left.Hours()/24)))
		}
	}
	return out
}
