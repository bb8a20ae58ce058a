// Package sandbox is the sandbox registry: a fake-but-real domain registry
// that keeps its own state, in its own SQLite file or in its own schema of
// a PostgreSQL database shared by the registrar's replicas, and speaks EPP
// over TLS, in the registrar's process (by default) or in its own
// (`registrar sandbox serve`). The registrar reaches it as it reaches any registry,
// through eppregistry over an EPP session, so the whole registration
// flow, including the awkward parts of real registries, runs without
// talking to one. Tests reach it the same way (package sandboxtest).
//
// The package has two layers. The [Engine] is the registry itself: its
// state, its rules and its command log. Each of its commands takes the
// client ID of the registrar issuing it and a client transaction ID
// (clTRID), and reports an EPP [Response] (result code, server
// transaction ID); a failure is an [*Error] carrying the result code and
// reason the registry answers with. The sandbox has no notion of the
// registrar's error kinds: eppregistry maps result codes to kinds, for the
// sandbox as for every registry. The [Server] is the EPP-over-TLS front end
// (RFC 5730-5734) to the engine: each session runs the engine's commands
// as the client ID it logged in with.
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
//	                         A client that stops waiting first does not know
//	                         the outcome, but the domain IS created, as with a
//	                         slow real registry (a server shutting down during
//	                         the wait answers 2400).
//	pending-                 answers "action pending" (1001); the domain is in
//	                         status pendingCreate. Delay later it becomes ok and
//	                         a poll message reports success (paResult=1),
//	                         carrying the create's clTRID.
//	outage-                  is unreachable for Delay after the first command
//	                         that mentioned the name: every command naming it
//	                         fails with 2400 "Command failed" and is not
//	                         logged (it never arrived). The first-
//	                         seen time is stored, so the window survives a
//	                         restart. Afterwards the name behaves normally.
//	reject-                  rejects the create by policy: "2306 Parameter
//	                         value policy error: name reserved by registry
//	                         policy".
//	taken-                   already holds the name for another registrar
//	                         ("otherregistrar"): check says "In use", create is
//	                         "2302 Object exists", info shows it as sponsored
//	                         by otherregistrar.
//	premium-                 check says available, and a fee check puts it in
//	                         the class "premium"; a create or renew follows
//	                         RFC 8748: see Fees.
//	xfer-                    exists at OtherRegistrar: see Transfers.
//	renewfail-               refuses every renew (2105).
//	renewflaky-              answers the name's first renew 2400 (the count
//	                         is stored, so it survives a restart); later ones
//	                         succeed.
//	renewslow-               commits each renew, then answers only after Delay
//	                         (as slow- for creates).
//	restorefail-             refuses every RGP restore request (2304).
//
// A domain's life after its create (autorenew or delete at expiry, delete
// into redemption, RGP restore, purge) runs on [Config.Clock]; see
// lifecycle.go and docs/ARCHITECTURE.md, "The life of a domain".
//
// # Transfers
//
// A name whose first label starts with xfer- exists, sponsored by
// [OtherRegistrar] since a year ago and expiring in a year, with the auth
// code [TransferAuthCode] ("sandbox-auth"; "c2FuZGJveC1hdXRo" in the
// base64 the API takes); any other code is 2202. [Engine.Transfer] runs
// the five operations of a <transfer> (RFC 5731 section 3.2.4). A
// request answers 1001 (pending, status pendingTransfer) and queues a
// trnData poll message to the losing registrar; what happens next is
// chosen by the name, the transfer delay being [Config.TransferDelay]
// (default 5s, standing for ICANN's 5 days):
//
//	first label starts with  a transfer request by another registrar
//	-----------------------  ---------------------------------------------------
//	xfer-                    the losing registrar says nothing: TransferDelay
//	                         later the registry approves (serverApproved) and
//	                         both sides get a trnData poll message.
//	xfer-ack-                the losing registrar approves at once
//	                         (clientApproved): the request still answers 1001,
//	                         as at real registries, and the approval follows
//	                         as a poll message.
//	xfer-nack-               the losing registrar rejects at once
//	                         (clientRejected poll message).
//	xfer-locked-             the domain has clientTransferProhibited (info
//	                         shows it): the request is "2304 Object status
//	                         prohibits operation: clientTransferProhibited".
//	xfer-new-                the domain was created ten days ago, within the
//	                         60 days ([TransferWindow]) in which a domain may
//	                         not be transferred: "2106 Object is not eligible
//	                         for transfer: created less than 60 days ago".
//	xfer-premium-            a fee check puts it in the class "premium" for
//	                         transfer (PremiumFactor times the renew price); a
//	                         request without the fee extension is 2003.
//
// The rules apply to every domain: a request needs the auth code, a
// period of 1 to 10 years and no pending transfer (2300); the sponsor
// cannot request its own domain (2106). A query by either side (or
// anyone quoting the auth code) returns the latest transfer; cancel is
// the gaining registrar's, approve and reject the losing registrar's
// (2201 otherwise), only while pending (2301 otherwise). On approval the
// domain's sponsor becomes the gaining registrar, its expiry moves by
// the period and its auth code is reset. Every transfer command is in the
// log as "transfer:<op>". [Engine.RequestTransferFromOther] makes
// OtherRegistrar request one of our domains (a transfer out): we get a
// pending trnData message and approve or reject it over EPP, or the
// registry approves it TransferDelay later. Transfers are kept in the
// transfers table (schema version 5 on SQLite, 2 on PostgreSQL); due
// ones are settled at the start of every command, as pending creates.
//
// Besides the scenarios the engine applies the usual registry rules: an
// existing name is "In use" and cannot be created again (2302), info on a
// missing name is 2303, only the sponsor sees the auth info
// and may renew or update, renew must quote the current expiry date and may
// not take the term past ten years, and only client statuses
// (clientHold, clientTransferProhibited, ...) can be set. An update may
// also change the auth code (<domain:chg><domain:authInfo>): transfers
// then take the new code and refuse the old one; other changes (name
// servers, contacts, registrant) are 2102.
//
// # Log and durability
//
// Every command that reaches the engine (everything but commands refused
// by an outage window or made with an already-ended context) is appended
// to the command log in the same transaction as its effect, so the log
// never disagrees with the state, even if the process dies between the
// commit and the answer. In particular a create that committed is visible
// to a later info, with the auth info it was created with. The log can be
// read from another process with [ReadLog] (SQLite) or [ReadLogPostgres].
//
// Pending outcomes need no timers: at the start of every command, any
// pendingCreate domain whose due time has passed becomes ok and its poll
// message is queued, in the command's transaction.
//
// # SQLite or PostgreSQL
//
// [Open] keeps the registry in a SQLite file, for one process: the
// engine's one connection takes SQLite's write lock at the start of every
// command (BEGIN IMMEDIATE), so commands run one at a time.
// [OpenPostgres] keeps it in a schema (such as "sandbox_registry") of a
// PostgreSQL database the caller has opened, so that the replicas of a
// registrar, each with its own engine and its own EPP server on loopback,
// share one registry: a name one replica's registry created is taken for
// the next, a pending create made through one is approved and polled
// through any, an outage window holds for all. There every command's
// transaction begins by waiting for a transaction-level advisory lock
// keyed by the schema (and setting search_path to it), so commands from
// every process on the schema run one at a time, as on SQLite, each
// seeing what the previous one committed; the schema's migrations run
// under the same lock, once. Engines on different schemas of a database
// are different registries. Both backends run the same statements
// (SQLite's ? placeholders become $n on PostgreSQL) with the same rules,
// result codes and log. Durability is SQLite's synchronous setting
// ([Config.Synchronous]) on one, the server's settings on the other.
//
// # Contacts and hosts
//
// Domains name their registrant and contacts by contact ID and their name
// servers by host name (RFC 5731), so the engine also keeps contact
// objects (RFC 5733: [Engine.ContactCreate], [Engine.ContactInfo]) and
// host objects (RFC 5732: [Engine.HostCreate]). A create of an existing
// contact ID is 2302 whoever sponsors it and whatever its data: after an
// unknown outcome the client tells its own contact apart with a contact
// info. Only its sponsor sees a contact (and its auth info); another
// client sees the data only when it quotes the auth info (2201 without,
// 2202 with a wrong one). A domain ([Engine.CreateDomain]) must name a
// registrant, and its registrant and contacts must be
// contacts of the same sponsor (2303 if missing, 2201 if another's); its
// name servers must be existing hosts, of any sponsor (2303 otherwise). A
// host under a domain of the registry must be under one of its sponsor's
// domains and may carry addresses; an external host may not. Domains
// written by schema version 1, and taken- names, have no registrant
// contact.
//
// # Name servers, glue and DNSSEC
//
// A domain created without name servers has none: the registrar sends its
// defaults. The sandbox's are [DefaultNameserver1] and
// [DefaultNameserver2] (ns1 and ns2.sandbox.openregistrar.test), external
// hosts the registry itself creates (schema version 7) and sponsors
// ([RegistrySponsor]): every client may delegate to them, none may change
// or delete them (2201). [Engine.UpdateDomain] (EPP <domain:update>) adds
// and removes name servers (hostObj): each must exist as a host object
// (2303), at most [registrar.MaxNameservers] (13, 2306), and a
// subordinate host (ns1.example.com for example.com) must have an address
// (glue, 2306); it changes the registrant by contact ID (<domain:chg>, a
// contact of the sponsor: 2303, 2201), and the DS records (secDNS-1.1
// <secDNS:update>: rem all or listed, then add; [CheckDS]: an algorithm
// RFC 8624 allows for signing, digest type 1, 2 or 4 with a digest of 20,
// 32 or 48 bytes, 2306 otherwise; at most [MaxDSRecords]). A domain info
// answers <secDNS:infData> to a session that logged in with secDNS-1.1.
// Hosts: [Engine.HostCheck], [Engine.HostInfo] (status linked while a
// domain uses it), [Engine.HostUpdate] (addresses only: no statuses or
// renaming, 2102; a linked subordinate host keeps one address), and
// [Engine.HostDelete] (2305 while linked). A domain with subordinate
// hosts cannot be deleted (2305); subordinate hosts follow their domain
// to a new sponsor. [Engine.Show] (`registrar sandbox show NAME`) returns
// all of it for a domain without logging a command.
//
// # Fees
//
// Names are priced per extension (the name without its first label) by
// [Config.Prices], by default "10.00" USD a year; premium- names cost
// [PremiumFactor] (50) times that, in the class "premium". [Engine.Price]
// tells the price of a create or renew. Following RFC 8748 (fee-1.0), a
// domain check carrying <fee:check> gets a <fee:cd> per name with its class
// and the fee of each command asked; a create or renew of a premium name
// without the fee extension is 2003, and one whose fee is below the price
// (for any class) or in another currency is 2004; a name whose extension
// has no price cannot be created (2306).
//
// # EPP server
//
// [NewServer] and [Server.Listen] serve the engine over EPP on TLS (RFC
// 5734 framing), with the RFC 5730 session state machine: a greeting on
// connect and for every <hello>; before login only <hello> and <login>
// (2002 otherwise); a login checks the password, the services (2307 for
// an unknown object, 2103 for an unknown extension), caps the sessions
// of a client ID (2502 and close) and the failed logins of a connection
// (2501 and close); <logout> answers 1500 and closes. Commands run one
// at a time, in the order received. Malformed commands get the code
// [epp.ParseCommand] gives; a frame whose length is out of bounds closes
// the connection. Commands refused by an outage- window, or whose outcome
// is unknown, answer 2400.
package sandbox
