// Package nv marshals and unmarshals Go maps to/from FreeBSDs nv(9) name/value lists
// See: https://www.freebsd.org/cgi/man.cgi?query=nv&sektion=9
package nv
