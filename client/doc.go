// Package client is a Go client for the Registrar API of OpenRegistrar,
// which is wire-compatible with Cloudflare's Registrar API (v4). It works
// against either server unchanged: only the base URL differs.
//
// Point it at an OpenRegistrar server:
//
//	c, err := client.New("http://127.0.0.1:8080/client/v4/", token, client.WithAccountID(account))
//
// or at Cloudflare:
//
//	c, err := client.New("https://api.cloudflare.com/client/v4/", token, client.WithAccountID(account))
//
// The token is an API token sent as "Authorization: Bearer <token>". Calls
// act on the account given by [WithAccountID]; [Client.ForAccount] returns a
// client for another one. [WithSandbox] uses the /registrar-sandbox/
// endpoints, whose registrations are never billed.
//
// # Registrations are workflows
//
// [Client.Register] starts a registration and returns its [WorkflowStatus].
// The server answers when the workflow has finished or after a short sync
// window (or at once with [RegisterOptions.Async]); a status that is not
// finished is followed with [Client.Wait], which polls its links.self with
// backoff and stops as soon as it can:
//
//   - succeeded and failed are terminal: Wait returns them.
//   - action_required never resolves on its own: Wait returns it at once,
//     and the caller shows Context.Action and Context.ConfirmationSentTo to
//     the user. Nothing is ever re-submitted.
//   - blocked (waiting on the registry) is polled more slowly, and only for
//     [WaitOptions.MaxBlocked] in all; then Wait returns an error matching
//     [ErrGaveUpBlocked] with the last status.
//   - pending and in_progress are polled with growing intervals.
//
// When the server says when to look again (Retry-After on a status,
// [WorkflowStatus.RetryAfter]), Wait follows it instead of its own
// intervals. A server that stops answering (restarting, refusing
// connections) is polled again for [WaitOptions.MaxUnreachable]; then
// Wait returns an error matching [ErrUnreachable]: the workflow may
// still be running there.
//
// Transfers are workflows too: [Client.TransferIn] starts one (check it
// first with [Client.TransferCheck]), [Client.TransferInStatus] and
// [Client.TransferOutStatus] show transfers in and out, and Wait follows
// them. While a transfer waits on the losing registrar, which may take
// the registry's five days, Wait polls it in minutes
// ([WaitOptions.TransferInterval]), never past its act-by date, and
// without counting that time towards MaxBlocked.
//
// Waiting is safe to abandon and resume: Wait only reads. A POST for the
// same domain returns the account's existing workflow (the domain is the
// idempotency key), so retrying [Client.Register] never registers twice.
//
// # Errors and retries
//
// Any non-2xx answer is an [*APIError] with the HTTP status, the error items
// of the envelope (code, message, JSON pointer of the field at fault), the
// request ID and any Retry-After. Requests are retried, with jittered
// exponential backoff, on network errors, 429 and 5xx other than 501,
// honouring Retry-After and x-should-retry; other 4xx are never retried.
// POST and PATCH are retried on the same conditions, which the API's
// idempotency makes safe. [WithRetry] bounds the retries; ctx bounds
// everything.
//
// Lists ([Client.Registrations], [Client.Extensions]) are iterators over
// cursor pages, fetched as the loop advances:
//
//	for reg, err := range c.Registrations(ctx, client.ListOptions{}) {
//		if err != nil {
//			return err
//		}
//		fmt.Println(reg.DomainName, reg.ExpiresAt)
//	}
//
// The client uses only the standard library, the time package's clock and
// timers included, so tests can drive it in virtual time with
// testing/synctest and an [http.RoundTripper] that calls an [http.Handler]
// directly.
package client
