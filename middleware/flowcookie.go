package middleware

import (
	"net/http"
	"slices"
	"strings"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/session"
)

// flowStore keeps each login flow in its own encrypted cookie, named by
// the flow's state. One cookie per flow lets logins started in several tabs
// finish in any order; the cap keeps the Cookie header bounded when logins
// are started and abandoned.
type flowStore struct {
	codec  *session.Codec
	cookie session.CookieOptions
	prefix string
	max    int
}

func newFlowStore(keys [][]byte, secure bool, responseMode string, max int) (*flowStore, error) {
	// The codec's max age makes the server reject a flow cookie older than
	// a flow can live, whatever the browser keeps.
	codec, err := session.NewCodec(callback.FlowTTL, keys...)
	if err != nil {
		return nil, err
	}
	opts := session.CookieOptions{Secure: secure, SameSite: http.SameSiteLaxMode}
	if responseMode == callback.ResponseModeFormPost {
		// LINE's form_post callback is a cross-site POST: a Lax cookie
		// would not come along.
		opts.SameSite = http.SameSiteNoneMode
	}
	return &flowStore{codec: codec, cookie: opts, prefix: opts.Name("linelogin_flow_"), max: max}, nil
}

// save sets f's cookie, first expiring the oldest flows beyond the cap.
func (s *flowStore) save(w http.ResponseWriter, r *http.Request, f *callback.Flow) error {
	s.evict(w, r)
	name := s.prefix + f.State
	b, err := f.MarshalBinary()
	if err != nil {
		return err
	}
	value, err := s.codec.Encode(name, b)
	if err != nil {
		return err
	}
	c, err := s.cookie.New(name, value, callback.FlowTTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, c)
	return nil
}

// evict expires unreadable flow cookies and, oldest first, as many live
// ones as it takes to leave room for one more.
func (s *flowStore) evict(w http.ResponseWriter, r *http.Request) {
	type live struct {
		name string
		flow *callback.Flow
	}
	var flows []live
	for _, c := range r.Cookies() {
		if !strings.HasPrefix(c.Name, s.prefix) {
			continue
		}
		if f, err := s.decode(c); err == nil {
			flows = append(flows, live{c.Name, f})
			continue
		}
		http.SetCookie(w, s.cookie.Expired(c.Name))
	}
	if len(flows) < s.max {
		return
	}
	slices.SortFunc(flows, func(a, b live) int { return a.flow.Created.Compare(b.flow.Created) })
	for _, l := range flows[:len(flows)-s.max+1] {
		http.SetCookie(w, s.cookie.Expired(l.name))
	}
}

// take returns the flow whose state is state and spends its cookie. Any
// failure is callback.ErrState: no flow by that name in this browser.
func (s *flowStore) take(w http.ResponseWriter, r *http.Request, state string) (*callback.Flow, error) {
	if !callback.ValidState(state) {
		return nil, callback.ErrState
	}
	c, err := r.Cookie(s.prefix + state)
	if err != nil {
		return nil, callback.ErrState
	}
	http.SetCookie(w, s.cookie.Expired(c.Name))
	f, err := s.decode(c)
	if err != nil {
		return nil, callback.ErrState
	}
	return f, nil
}

func (s *flowStore) decode(c *http.Cookie) (*callback.Flow, error) {
	b, _, err := s.codec.Decode(c.Name, c.Value)
	if err != nil {
		return nil, err
	}
	f := &callback.Flow{}
	if err := f.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return f, nil
}
