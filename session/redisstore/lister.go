package redisstore

import (
	"cmp"
	"context"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/redis/rueidis"

	"github.com/linelogin/linelogin/session"
)

// meta is what the store keeps about a session for its owner's list, as
// JSON in the owner's hash: unknown fields are ignored, so a later
// version can add some without a migration.
type meta struct {
	Created  int64  `json:"c"`           // Unix seconds
	LastSeen int64  `json:"s,omitempty"` // Unix seconds
	Expires  int64  `json:"e"`           // Unix seconds
	Device   string `json:"d,omitempty"`
}

func encodeMeta(m meta) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// touchScript sets the last-seen time ARGV[2] and the device ARGV[3] of
// session ARGV[1] in the hash KEYS[1], keeping its other fields; it does
// nothing for a session that is no longer there, so that a late touch
// cannot bring an ended session back into the list.
var touchScript = rueidis.NewLuaScript(`
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local m = cjson.decode(v)
m.s = tonumber(ARGV[2])
if ARGV[3] ~= '' then m.d = ARGV[3] end
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(m))
return 1
`)

// ID returns the session.Info ID of the session ref names: the hex SHA-256
// of the reference, which names its key in Redis and cannot be turned
// back into a cookie.
func (s *Store) ID(ref []byte) string { return sessionID(ref) }

// List returns owner's live sessions, most recently seen first. Sessions
// saved before the store kept metadata are listed with zero times.
func (s *Store) List(ctx context.Context, owner string) ([]session.Info, error) {
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return nil, unavailable("list sessions", err)
	}
	ids, err := c.Do(ctx, c.B().Smembers().Key(s.ownerKey(owner)).Build()).AsStrSlice()
	if err != nil {
		return nil, unavailable("list sessions", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	// A session in the index may have expired, or been deleted from
	// outside the app: only those whose key remains are listed.
	cmds := make(rueidis.Commands, 0, len(ids)+1)
	cmds = append(cmds, c.B().Hmget().Key(s.metaKey(owner)).Field(ids...).Build())
	for _, id := range ids {
		cmds = append(cmds, c.B().Exists().Key(s.sessionKey(id)).Build())
	}
	results := c.DoMulti(ctx, cmds...)
	metas, err := results[0].ToArray()
	if err != nil {
		return nil, unavailable("list sessions", err)
	}
	var infos []session.Info
	var gone []string
	for i, id := range ids {
		n, err := results[i+1].AsInt64()
		if err != nil {
			return nil, unavailable("list sessions", err)
		}
		if n == 0 {
			gone = append(gone, id)
			continue
		}
		info := session.Info{ID: id}
		if i < len(metas) {
			if raw, err := metas[i].ToString(); err == nil {
				var m meta
				if json.Unmarshal([]byte(raw), &m) == nil {
					info.Created = unix(m.Created)
					info.LastSeen = unix(m.LastSeen)
					info.Expires = unix(m.Expires)
					info.Device = m.Device
				}
			}
		}
		if info.LastSeen.IsZero() {
			info.LastSeen = info.Created
		}
		infos = append(infos, info)
	}
	if len(gone) > 0 {
		// Tidy the index on the way; a failure only leaves it for later.
		_ = s.unindex(ctx, c, owner, gone...)
	}
	slices.SortFunc(infos, func(a, b session.Info) int { return cmp.Or(b.LastSeen.Compare(a.LastSeen), cmp.Compare(a.ID, b.ID)) })
	return infos, nil
}

// DeleteID ends owner's session id, on every instance. An id that is not
// one of owner's sessions ends nothing: a user can end only their own.
func (s *Store) DeleteID(ctx context.Context, owner, id string) error {
	if b, err := hex.DecodeString(id); err != nil || len(b) != 32 {
		return nil
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return unavailable("end session", err)
	}
	member, err := c.Do(ctx, c.B().Sismember().Key(s.ownerKey(owner)).Member(id).Build()).AsBool()
	if err != nil {
		return unavailable("end session", err)
	}
	if !member {
		return nil
	}
	key := s.sessionKey(id)
	if _, err := s.deleteDurably(ctx, c, func(dc rueidis.DedicatedClient) rueidis.Completed {
		return dc.B().Del().Key(key).Build()
	}); err != nil {
		return unavailable("end session", err)
	}
	return s.unindex(ctx, c, owner, id)
}

// Touch records that the session ref of owner was used at seen from
// device. It writes at most once per Options.TouchInterval per session
// from this instance, so it is cheap to call on every request; it writes
// only the owner's metadata hash, never the session's key, so it costs no
// instance its cached session.
func (s *Store) Touch(ctx context.Context, owner string, ref []byte, seen time.Time, device string) error {
	id := sessionID(ref)
	if !s.touches.due(id, seen, s.touchInterval) {
		return nil
	}
	ctx, cancel := s.withTimeout(ctx)
	defer cancel()
	c, err := s.conn(ctx)
	if err != nil {
		return unavailable("touch session", err)
	}
	err = touchScript.Exec(ctx, c, []string{s.metaKey(owner)}, []string{id, itoa(seen.Unix()), device}).Error()
	if err != nil {
		s.touches.forget(id)
		return unavailable("touch session", err)
	}
	return nil
}

// touchLog remembers when this instance last wrote each session's "last
// seen", so that a touch on every request writes once per interval.
type touchLog struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// maxTouches bounds the touch log; past it, the log starts afresh, which
// costs at most one extra write per session.
const maxTouches = 100_000

func (l *touchLog) due(id string, now time.Time, interval time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.last[id]; ok && now.Sub(t) < interval {
		return false
	}
	if l.last == nil || len(l.last) >= maxTouches {
		l.last = make(map[string]time.Time)
	}
	l.last[id] = now
	return true
}

func (l *touchLog) forget(id string) {
	l.mu.Lock()
	delete(l.last, id)
	l.mu.Unlock()
}

func unix(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
