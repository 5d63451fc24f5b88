//go:build static

package version

const linkmode = "static"
