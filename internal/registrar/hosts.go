package registrar

// HostOp is what a host workflow does with a glue host object.
type HostOp string

// The host operations: POST, PATCH and DELETE
// .../registrations/{domain}/hosts/{host} (ours).
const (
	HostCreate HostOp = "create"
	HostUpdate HostOp = "update" // replaces the host's addresses
	HostDelete HostOp = "delete"
)

// HostChange is a requested change of a glue host of a registration: an
// update workflow's data, validated (ValidateHost) before it starts.
type HostChange struct {
	Op   HostOp `json:"op"`
	Host Host   `json:"host"`
}

// The error codes of failed host workflows.
const (
	// CodeHostInUse: the registry refused to delete a host that a domain
	// still names as a name server (EPP 2305, status linked). Remove it
	// from the domains' nameservers first.
	CodeHostInUse = "host_in_use"
	// CodeHostNotFound: the registry has no such host to update.
	CodeHostNotFound = "host_not_found"
)
