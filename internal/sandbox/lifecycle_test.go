package sandbox_test

import (
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/openregistrar/registrar/internal/registrar"
)

// ignoreLifecycle leaves out of a comparison the DomainInfo fields of a
// domain's life (issue 13), which eppregistry's lifecycle tests check
// over EPP.
var ignoreLifecycle = cmpopts.IgnoreFields(registrar.DomainInfo{}, "Sponsor", "RegistrantID", "RGPStatuses")
