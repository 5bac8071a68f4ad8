package linkmemory_test

import (
	"testing"
	"time"

	"github.com/linelogin/linelogin/internal/linkmemory"
	"github.com/linelogin/linelogin/internal/testkit"
)

func TestAttempts_LockAfterMaxWithinWindow(t *testing.T) {
	testkit.CheckAttempts(t, linkmemory.NewAttempts(3, 10*time.Minute))
}

func TestAttempts_ParallelReservations(t *testing.T) {
	testkit.CheckAttemptsParallel(t, linkmemory.NewAttempts(3, 10*time.Minute))
}
