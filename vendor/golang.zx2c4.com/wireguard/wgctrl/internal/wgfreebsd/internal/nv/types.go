//go:build freebsd
// +build freebsd

package nv

type List map[string]interface{}
