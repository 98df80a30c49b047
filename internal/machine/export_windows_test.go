package machine

// The binding's conversions and error mapping, for the external tests,
// which read the spec corpus through the core (which imports this package).
var (
	ToHcsshimContainerConfig = toHcsshimContainerConfig
	ToHcsshimProcessConfig   = toHcsshimProcessConfig
	MapError                 = mapError
)
