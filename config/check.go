package config

// Exported forms of the checks the config applies, for code that writes a
// config from what it read elsewhere (hacon discover): a name or address
// refused here would be refused in the file too.

// NameProblem says why s cannot be a Pacemaker id, node name or HAProxy
// name in a config, or "" when it can.
func NameProblem(s string) string { return nameProblem(s) }

// AddressProblem says why s cannot be a controller address, or "".
func AddressProblem(s string) string { return addressProblem(s) }

// BMCAddressProblem says why s cannot be a BMC address, or "".
func BMCAddressProblem(s string) string { return bmcAddressProblem(s) }
