package bmc

// maxRedfishReply caps what one Redfish request may read (its connection
// carries one request). Real answers are a few KB; gofish reads bodies
// whole, so a BMC (or something posing as one) that sends without end would
// otherwise grow hacon until the call's timeout.
const maxRedfishReply = 4 << 20
