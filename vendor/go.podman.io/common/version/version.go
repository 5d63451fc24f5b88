package version

// Version is the version of the build.
const Version = "0.67.0-dev"
