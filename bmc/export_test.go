package bmc

// Test helpers shared with the external bmc_test package (which needs the
// demo emulator, and demo may import bmc).
var (
	StartIPMISim   = startIPMISim
	IPMIController = ipmiController
	SimPass        = simPass
)
