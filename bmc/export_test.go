package bmc

// Test helpers shared with the external bmc_test package (which needs the
// demo emulator, and demo may import bmc).
var (
	IPMIController = ipmiController
	SimPass        = simPass
)
