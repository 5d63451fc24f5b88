//go:build !test

package resourcestore

// defaultRetryTimes defines the amount of default retries for each cleanup
// function.
var defaultRetryTimes = 20
