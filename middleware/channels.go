package middleware

import "context"

// ChannelFromContext returns the ID of the LINE Login channel that vouched
// for the request's user: the Auth's channel (Config.LINE.ChannelID) for a
// browser session, or the channel a bearer token was issued to, which may
// be one of Config.LINE.ExtraChannels. It is "" when there is no user.
//
// User IDs are the same across the channels of one provider; the channel
// tells an app which of its apps (a country's, the LIFF app, the native
// app) the request comes from.
func ChannelFromContext(ctx context.Context) string {
	if u, ok := UserFromContext(ctx); ok {
		return u.ChannelID
	}
	return ""
}
