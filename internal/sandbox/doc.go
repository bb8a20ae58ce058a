// Package sandbox is the sandbox registry: a fake-but-real domain registry
// that runs inside the registrar's process, keeps its own state in its own
// SQLite file, and implements [registrar.Registry]. It lets the whole
// registration flow, including the awkward parts of real registries, be
// exercised without talking to one.
//
// The package has two layers. The [Engine] is the registry itself: its
// state, its rules and its command log. Each of its commands takes the
// client ID of the registrar issuing it and a client transaction ID
// (clTRID), and reports an EPP-style [Response] (result code, server
// transaction ID). The [Client] is the in-process adapter: it implements
// [registrar.Registry] for one client ID by calling the engine. A later
// EPP-over-TLS front end can drive the same engine.
//
// # Scenarios
//
// The registry's behaviour for a name is chosen by the start of the name's
// first label (the part before the first dot), so that every outcome a
// registrar must handle can be produced on demand. Delay is [Config.Delay].
//
//	first label starts with  the sandbox registry
//	-----------------------  ---------------------------------------------------
//	(anything else)          creates the domain at once (1000).
//	slow-                    commits the create, then answers only after Delay.
//	                         If the caller's context ends first the caller gets
//	                         KindUnavailable, but the domain IS created: the
//	                         outcome is unknown, as with a slow real registry.
//	pending-                 answers "action pending" (1001); the domain is in
//	                         status pendingCreate. Delay later it becomes ok and
//	                         a poll message reports success (paResult=1),
//	                         carrying the create's clTRID.
//	outage-                  is unreachable for Delay after the first command
//	                         that mentioned the name: every command naming it
//	                         fails with KindUnavailable "registry unreachable"
//	                         and is not logged (it never arrived). The first-
//	                         seen time is stored, so the window survives a
//	                         restart. Afterwards the name behaves normally.
//	reject-                  rejects the create by policy: KindRejected
//	                         "2306 Parameter value policy error: name reserved
//	                         by registry policy".
//	taken-                   already holds the name for another registrar
//	                         ("otherregistrar"): check says "In use", create is
//	                         KindConflict "2302 Object exists", info shows it
//	                         as not sponsored by the caller.
//	premium-                 check says available and Premium; a create is
//	                         KindRejected "2306 Parameter value policy error:
//	                         premium name requires fee acknowledgement".
//
// Besides the scenarios the engine applies the usual registry rules: an
// existing name is "In use" and cannot be created again (2302), info on a
// missing name is KindNotFound (2303), only the sponsor sees the auth info
// and may renew or update, renew must quote the current expiry date and may
// not take the term past ten years, and only client statuses
// (clientHold, clientTransferProhibited, ...) can be set.
//
// # Log and durability
//
// Every command that reaches the engine (everything but commands refused
// by an outage window or made with an already-ended context) is appended
// to the command log in the same SQLite transaction as its effect, so the
// log never disagrees with the state, even if the process dies between
// the commit and the answer. In particular a create that committed is
// visible to a later Info, with the auth info it was created with. The log
// can be read from another process with [ReadLog].
//
// Pending outcomes need no timers: at the start of every command, any
// pendingCreate domain whose due time has passed becomes ok and its poll
// message is queued, in the command's transaction.
package sandbox
