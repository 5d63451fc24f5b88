package coremain

// Various CoreDNS constants.
const (
	CoreVersion = "1.14.7"
	CoreName    = "CoreDNS"
	serverType  = "dns"
)
