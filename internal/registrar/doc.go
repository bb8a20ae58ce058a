// Package registrar is the core of OpenRegistrar: the domain types
// (registrations, workflows and their states, contacts, accounts and
// tokens), the one error type with its kinds, and the interfaces the core
// needs from the outside world (a Store, a Registry per extension, a Mailer,
// a Clock).
//
// It imports no infrastructure: no database drivers, no job engine, no HTTP.
// Adapters (store, sandbox, httpapi, workflows) import this package; only
// the daemon package imports everything and wires it together.
package registrar
