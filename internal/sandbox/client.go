package sandbox

import (
	"context"
	"time"

	"github.com/openregistrar/registrar/internal/registrar"
)

// Client is the registrar's in-process view of the sandbox registry: it
// implements registrar.Registry by running the engine's commands as one
// client ID, the sponsor of everything it creates. Commands other than
// Create carry no client transaction ID. A Client is safe for concurrent
// use.
type Client struct {
	engine *Engine
	id     string
}

var _ registrar.Registry = (*Client)(nil)

// Client returns the registry as seen by the registrar with client ID
// clientID.
func (e *Engine) Client(clientID string) *Client {
	return &Client{engine: e, id: clientID}
}

// ID returns the client ID the Client acts as.
func (c *Client) ID() string { return c.id }

// Check implements registrar.Registry.
func (c *Client) Check(ctx context.Context, names []string) ([]registrar.Availability, error) {
	a, _, err := c.engine.Check(ctx, c.id, "", names)
	return a, err
}

// Create implements registrar.Registry. req.TransactionID is the command's
// client transaction ID.
func (c *Client) Create(ctx context.Context, req registrar.CreateRequest) (registrar.CreateResult, error) {
	r, _, err := c.engine.Create(ctx, c.id, req.TransactionID, req)
	return r, err
}

// Info implements registrar.Registry.
func (c *Client) Info(ctx context.Context, name string) (registrar.DomainInfo, error) {
	i, _, err := c.engine.Info(ctx, c.id, "", name)
	return i, err
}

// Renew implements registrar.Registry.
func (c *Client) Renew(ctx context.Context, name string, curExpiry time.Time, years int) (time.Time, error) {
	t, _, err := c.engine.Renew(ctx, c.id, "", name, curExpiry, years)
	return t, err
}

// Update implements registrar.Registry.
func (c *Client) Update(ctx context.Context, req registrar.DomainUpdate) error {
	_, err := c.engine.Update(ctx, c.id, "", req)
	return err
}

// Poll implements registrar.Registry.
func (c *Client) Poll(ctx context.Context) (*registrar.PollMessage, error) {
	m, _, err := c.engine.Poll(ctx, c.id, "")
	return m, err
}

// Ack implements registrar.Registry.
func (c *Client) Ack(ctx context.Context, id string) error {
	_, err := c.engine.Ack(ctx, c.id, "", id)
	return err
}
