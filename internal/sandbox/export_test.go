package sandbox

// NewFakeClock lets the tests of package sandbox_test, which reach the
// engine over EPP, freeze and move its clock.
var NewFakeClock = newFakeClock
