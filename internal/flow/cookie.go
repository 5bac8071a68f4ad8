package flow

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/linelogin/linelogin/callback"
	"github.com/linelogin/linelogin/internal/cookie"
)

// Store keeps each login flow in its own encrypted cookie, named by
// the flow's state. One cookie per flow lets logins started in several tabs
// finish in any order; the cap keeps the Cookie header bounded when logins
// are started and abandoned.
type Store struct {
	codec  *cookie.Codec
	cookie cookie.Options
	prefix string
	limit  int
	now    func() time.Time
}

// NewStore returns a Store of flow cookies under keys, at most limit of
// them per browser; now is the clock that dates and expires flows.
// crossSitePost is set when LINE posts the callback (form_post and
// form_post.jwt).
func NewStore(keys [][]byte, secure, crossSitePost bool, limit int, now func() time.Time) (*Store, error) {
	// The codec's max age makes the server reject a flow cookie older than
	// a flow can live, whatever the browser keeps.
	codec, err := cookie.NewCodec(TTL, keys...)
	if err != nil {
		return nil, err
	}
	opts := cookie.Options{Secure: secure, SameSite: http.SameSiteLaxMode, Now: now}
	if crossSitePost {
		// LINE's form_post callback is a cross-site POST: a Lax cookie
		// would not come along.
		opts.SameSite = http.SameSiteNoneMode
	}
	return &Store{codec: codec, cookie: opts, prefix: opts.Name("linelogin_flow_"), limit: limit, now: now}, nil
}

// Save sets f's cookie, first expiring the oldest flows beyond the cap.
func (s *Store) Save(w http.ResponseWriter, r *http.Request, f *Flow) error {
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
	c, err := s.cookie.New(name, value, TTL)
	if err != nil {
		return err
	}
	http.SetCookie(w, c)
	return nil
}

// evict expires unreadable flow cookies and, oldest first, as many live
// ones as it takes to leave room for one more.
func (s *Store) evict(w http.ResponseWriter, r *http.Request) {
	type live struct {
		name string
		flow *Flow
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
	if len(flows) < s.limit {
		return
	}
	slices.SortFunc(flows, func(a, b live) int { return a.flow.Created.Compare(b.flow.Created) })
	for _, l := range flows[:len(flows)-s.limit+1] {
		http.SetCookie(w, s.cookie.Expired(l.name))
	}
}

// Take returns the flow whose state is state and spends its cookie. Any
// failure, an expired flow included, is callback.ErrState: no live flow by
// that name in this browser.
func (s *Store) Take(w http.ResponseWriter, r *http.Request, state string) (*Flow, error) {
	if !ValidState(state) {
		return nil, callback.ErrState
	}
	c, err := r.Cookie(s.prefix + state)
	if err != nil {
		return nil, callback.ErrState
	}
	http.SetCookie(w, s.cookie.Expired(c.Name))
	f, err := s.decode(c)
	if err != nil || f.Expired(s.now()) {
		return nil, callback.ErrState
	}
	return f, nil
}

func (s *Store) decode(c *http.Cookie) (*Flow, error) {
	b, _, err := s.codec.Decode(c.Name, c.Value)
	if err != nil {
		return nil, err
	}
	f := &Flow{}
	if err := f.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return f, nil
}
