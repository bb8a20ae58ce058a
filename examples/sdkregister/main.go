// Command sdkregister registers a name through the official Cloudflare Go
// SDK, against this server or Cloudflare, and follows the registration's
// workflow as the API asks. The README shows it whole, and
// TestREADMEWalkthrough runs it:
//
//	go run ./examples/sdkregister sdk-demo.com
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/registrar"
)

func main() {
	ctx := context.Background()
	client := cloudflare.NewClient(
		option.WithBaseURL(os.Getenv("REGISTRAR_API_URL")), // http://127.0.0.1:8080/client/v4
		option.WithAPIToken(os.Getenv("REGISTRAR_API_TOKEN")),
	)
	account := cloudflare.F(os.Getenv("REGISTRAR_ACCOUNT_ID"))
	name := "sdk-demo.com"
	if len(os.Args) > 1 {
		name = os.Args[1]
	}

	// 201: finished within the server's sync window; 202: poll.
	status, err := client.Registrar.Registrations.New(ctx, registrar.RegistrationNewParams{
		AccountID:  account,
		DomainName: cloudflare.F(name),
	})
	delay := time.Second
	// Poll while pending, in_progress or blocked. action_required never
	// ends on its own: stop and ask the user.
	for err == nil && !status.Completed && status.State != registrar.WorkflowStatusStateActionRequired {
		if status.State == registrar.WorkflowStatusStateBlocked {
			delay = max(delay, 10*time.Second) // waiting on the registry: poll slower
		}
		time.Sleep(delay)
		delay = min(2*delay, time.Minute)
		status, err = client.Registrar.RegistrationStatus.Get(ctx, name, registrar.RegistrationStatusGetParams{AccountID: account})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	switch status.State {
	case registrar.WorkflowStatusStateSucceeded:
		registration, _ := status.Context["registration"].(map[string]any)
		fmt.Printf("%s: succeeded, expires %v\n", name, registration["expires_at"])
	case registrar.WorkflowStatusStateActionRequired:
		fmt.Printf("%s: action required: %v (sent to %v)\n", name, status.Context["action"], status.Context["confirmation_sent_to"])
	default:
		fmt.Printf("%s: %s: %s: %s\n", name, status.State, status.Error.Code, status.Error.Message)
		os.Exit(2)
	}
}
