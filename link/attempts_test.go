package link_test

import (
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/testkit"
	"github.com/linelogin/linelogin/link"
)

func TestMemoryAttempts_LockAfterMaxWithinWindow(t *testing.T) {
	testkit.CheckAttempts(t, link.NewMemoryAttempts(3, 10*time.Minute))
}

func TestMemoryAttempts_ParallelReservations(t *testing.T) {
	testkit.CheckAttemptsParallel(t, link.NewMemoryAttempts(3, 10*time.Minute))
}
