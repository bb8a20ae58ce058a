// Package registrar is the core of OpenRegistrar: the domain types
// (registrations, workflows and their states, contacts, accounts and
// tokens), the one error type with its kinds, the extension catalog, and
// the interfaces between the core and the outside world: Registry and
// Registries (a registry per extension, routed by Router), Reader,
// Workflows, Notifier and Domains (what the API needs), Mailer and Clock.
//
// It imports no infrastructure: no database drivers, no job engine, no HTTP.
// Adapters (store, workflows, eppregistry, sandbox, httpapi, domains, mail)
// import this package; only the daemon package imports everything and
// wires it together.
package registrar
