package linetest

import "time"

// authCode is an authorization code: single use, bound to the request that
// asked for it and to the user who approved it.
type authCode struct {
	req      *authRequest
	userID   string
	authTime time.Time
	expires  time.Time
}

// sweepEvery is how many codes and consent pages are created between two
// sweeps of the expired ones.
const sweepEvery = 256

// sweepLocked forgets expired codes and consent pages now and then, so a
// long-running demo does not grow without bound.
func (p *Platform) sweepLocked(now time.Time) {
	p.inserts++
	if p.inserts%sweepEvery != 0 {
		return
	}
	for k, c := range p.codes {
		if !now.Before(c.expires) {
			delete(p.codes, k)
		}
	}
	for k, req := range p.pending {
		if !now.Before(req.expires) {
			delete(p.pending, k)
		}
	}
}
