package sandbox

import (
	"testing"

	"github.com/openregistrar/registrar/internal/epp"
	"github.com/openregistrar/registrar/internal/store/storetest"
)

// TestServerTransferFee: a premium transfer follows RFC 8748 as a create
// does: without the fee extension 2003, below the price 2004, with it
// 1001 and <fee:trnData>.
func TestServerTransferFee(t *testing.T) {
	each(t, func(t *testing.T, backend storetest.Backend) {
		ts := startServer(t, serverOpts{backend: backend})
		us := ts.login(t, "ours")
		req := func(fee string) *epp.Command {
			c := &epp.Command{DomainTransfer: &epp.DomainTransfer{Op: epp.TransferRequest, Name: "xfer-premium-gold.com",
				Period: &epp.Period{Value: 1, Unit: epp.PeriodYears}, AuthInfo: TransferAuthCode}}
			if fee != "" {
				c.DomainTransfer.Fee = &epp.FeeTransform{Currency: "USD", Fees: []epp.Fee{{Amount: fee}}}
			}
			return c
		}
		wantCode(t, "premium transfer without fee", us.do(req("")), epp.CodeMissingParam)
		wantCode(t, "premium transfer below the price", us.do(req("10.00")), epp.CodeParamRangeError)
		r := us.do(req("500.00"))
		wantCode(t, "premium transfer with the fee", r, epp.CodePending)
		if r.DomainTransfer == nil || r.DomainTransfer.TrStatus != epp.TrPending || r.DomainTransfer.ReID != "ours" ||
			r.FeeTransfer == nil || len(r.FeeTransfer.Fees) != 1 || r.FeeTransfer.Fees[0].Amount != "500.00" {
			t.Errorf("transfer response = %+v (fee %+v)", r.DomainTransfer, r.FeeTransfer)
		}
	})
}
