package sandbox

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
)

// PremiumFactor is how many times the standard price a premium- name costs.
const PremiumFactor = 50

// Price classes (RFC 8748 <fee:class>).
const (
	ClassStandard = "standard"
	ClassPremium  = "premium"
)

// DefaultPrices is the price table of an Engine whose Config.Prices is
// nil: "10.00" USD a year for every extension.
func DefaultPrices(ext string) (currency, standard string, ok bool) {
	return "USD", "10.00", true
}

// Price is what one command on one name costs (RFC 8748).
type Price struct {
	// Class is ClassStandard or ClassPremium.
	Class string
	// Currency is the ISO 4217 code of Amount.
	Currency string
	// Amount is a decimal string with as many decimals as the standard
	// price in the table ("500.00").
	Amount string
}

// FeeOffer is the fee extension of a transform command (<fee:create>,
// <fee:renew>): the price the client accepts.
type FeeOffer struct {
	// Currency is optional: "" accepts the registry's currency.
	Currency string
	// Fees are decimal amounts; their sum is what the client accepts.
	Fees []string
}

// Price returns what command ("create", "renew" or "transfer", which
// costs what a renew does) costs for name over
// years years: the yearly price of the name's extension (Config.Prices)
// times years, times PremiumFactor for a premium- name. ok is false when
// the extension has no price, the command is not priced, the table's
// price is not a decimal, or years is outside 1 to 10. Price reads no
// state and logs nothing.
func (e *Engine) Price(name, command string, years int) (p Price, ok bool) {
	name = normalizeName(name)
	if command != "create" && command != "renew" && command != "transfer" || years < 1 || years > maxYears {
		return Price{}, false
	}
	_, ext, found := strings.Cut(name, ".")
	if !found {
		return Price{}, false
	}
	currency, standard, ok := e.prices(ext)
	if !ok {
		return Price{}, false
	}
	unit, err := parseDecimal(standard)
	if err != nil || !validCurrency(currency) {
		e.logger.Error("sandbox: bad price in the price table", "ext", ext, "currency", currency, "price", standard)
		return Price{}, false
	}
	p = Price{Class: ClassStandard, Currency: currency}
	amount := new(big.Rat).Mul(unit, big.NewRat(int64(years), 1))
	if sc := scenarioOf(name); sc == scenarioPremium || sc == scenarioXferPremium {
		p.Class = ClassPremium
		amount.Mul(amount, big.NewRat(PremiumFactor, 1))
	}
	p.Amount = amount.FloatString(scaleOf(standard))
	return p, true
}

// checkFee applies the fee rules of RFC 8748 to a transform over EPP: a
// name with no price cannot be registered or renewed (2306); a premium
// name needs the fee extension (2003); an offer in another currency, or
// below the price, is refused (2004).
func (e *Engine) checkFee(name, command string, years int, offer *FeeOffer) (Price, error) {
	p, ok := e.Price(name, command, years)
	if !ok {
		return Price{}, failf(CodePolicyError, "no price for %s", name)
	}
	if offer == nil {
		if p.Class != ClassStandard {
			return Price{}, failf(CodeMissingParam, "%s name requires the fee extension (%s %s)", p.Class, p.Amount, p.Currency)
		}
		return p, nil
	}
	if offer.Currency != "" && offer.Currency != p.Currency {
		return Price{}, failf(CodeRangeError, "currency %s not accepted, the fee is in %s", offer.Currency, p.Currency)
	}
	if len(offer.Fees) == 0 {
		return Price{}, fail(CodeMissingParam, "no fee in the fee extension")
	}
	sum := new(big.Rat)
	for _, f := range offer.Fees {
		d, err := parseDecimal(f)
		if err != nil {
			return Price{}, failf(CodeSyntaxError, "fee %q is not a decimal", f)
		}
		sum.Add(sum, d)
	}
	want, _ := parseDecimal(p.Amount)
	if sum.Cmp(want) < 0 {
		return Price{}, failf(CodeRangeError, "fee %s is below the %s price %s %s", sum.FloatString(scaleOf(p.Amount)), p.Class, p.Amount, p.Currency)
	}
	return p, nil
}

var decimalPattern = regexp.MustCompile(`^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)

// parseDecimal parses a non-negative xs:decimal.
func parseDecimal(s string) (*big.Rat, error) {
	if !decimalPattern.MatchString(s) {
		return nil, fmt.Errorf("not a non-negative decimal: %q", s)
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(s, "+"))
	if !ok {
		return nil, fmt.Errorf("not a non-negative decimal: %q", s)
	}
	return r, nil
}

// scaleOf returns the number of decimals of a decimal string.
func scaleOf(s string) int {
	_, frac, _ := strings.Cut(s, ".")
	return len(frac)
}

func validCurrency(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
