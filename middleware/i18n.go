package middleware

import (
	"fmt"
	"net/http"
	"reflect"

	"golang.org/x/text/language"
)

// Text is a page's title and message.
type Text struct {
	Title, Message string
}

// Messages holds every text of the pages the middleware shows, in the
// language Tag. Config.Pages.Messages replaces or adds languages; a field left
// empty there keeps the built-in text (English for a language the
// middleware does not have).
type Messages struct {
	// Tag is the language, written into the page's <html lang> (e.g. "ja",
	// "zh-TW") and, with Config.Pages.SendUILocales, sent to LINE as ui_locales.
	Tag language.Tag

	Cancelled Text // the user declined at LINE (ACCESS_DENIED)
	LINEError Text // LINE sent another error to the callback, of a code not below

	// The texts of LINE's other error codes: the page never shows LINE's
	// own description (anyone can write one into a callback URL).
	InteractionRequired Text // INTERACTION_REQUIRED, LOGIN_REQUIRED: LINE needs the user on its screens
	LINEServerError     Text // SERVER_ERROR: LINE failed
	LoginRequestRefused Text // INVALID_REQUEST, INVALID_SCOPE, ...: LINE refused the site's request

	State            Text // the callback matches no login in progress
	CodeRejected     Text // LINE refused the authorization code
	Upstream         Text // LINE unreachable or broken
	InvalidToken     Text // the ID token failed verification
	Rejected         Text // the app's OnLogin hook refused the user
	StoreUnavailable Text // the session store is down at login
	Unavailable      Text // the session store or LINE is down on a protected page (503)
	Misconfigured    Text // a configuration error (500)
	UnknownSite      Text // a host that is none of Config.Tenants (421)
	ResponseRejected Text // a JARM response that failed verification
	CrossSite        Text // a logout, connect, unlink or end-session POST from another site
	LogoutUnfinished Text // the session store could not end the session at logout (503)

	// The pages of account linking (Config.Linking).
	LINEUserLinked        Text // the LINE account is linked to another app account
	AccountLinked         Text // the app account is linked to another LINE account
	ConnectSessionChanged Text // the app session changed while connecting
	NotSignedIn           Text // connect without an app account signed in
	UnlinkRefused         Text // Linking.BeforeUnlink kept the link
	LinkUnavailable       Text // the link store is down
	Other                 Text // anything else

	TryAgain   string // the button that starts the login again
	Home       string // the link to the home page
	ErrorLabel string // before LINE's error code
}

// DefaultMessages returns the built-in texts: English, Japanese,
// Traditional Chinese (Taiwan) and Thai, English first. Change a copy and
// pass it in Config.Pages.Messages to reword a page.
func DefaultMessages() []Messages {
	return append([]Messages(nil), builtinMessages...)
}

// maxAcceptLanguage bounds the Accept-Language header parsed: real ones
// are a few dozen bytes, and a page must not cost more for a huge one.
const maxAcceptLanguage = 256

// languages picks the language of a request's pages.
type languages struct {
	msgs    []Messages // msgs[0] is the fallback
	matcher language.Matcher
	choose  func(*http.Request) language.Tag
}

func newLanguages(custom []Messages, choose func(*http.Request) language.Tag) (*languages, error) {
	l := &languages{msgs: DefaultMessages(), choose: choose}
	for _, m := range custom {
		if m.Tag == language.Und {
			return nil, fmt.Errorf("%w: Messages without a Tag", ErrConfig)
		}
		i := l.index(m.Tag)
		base := builtinMessages[0]
		if i >= 0 {
			base = l.msgs[i]
		}
		fillEmpty(&m, base)
		if i >= 0 {
			l.msgs[i] = m
		} else {
			l.msgs = append(l.msgs, m)
		}
	}
	tags := make([]language.Tag, len(l.msgs))
	for i, m := range l.msgs {
		tags[i] = m.Tag
	}
	l.matcher = language.NewMatcher(tags)
	return l, nil
}

func (l *languages) index(tag language.Tag) int {
	for i, m := range l.msgs {
		if m.Tag == tag {
			return i
		}
	}
	return -1
}

// forRequest returns the texts for r, and whether they match a language
// the request asked for (false: the English fallback).
func (l *languages) forRequest(r *http.Request) (*Messages, bool) {
	var want []language.Tag
	if l.choose != nil {
		if tag := l.choose(r); tag != language.Und {
			want = []language.Tag{tag}
		}
	}
	if want == nil {
		header := r.Header.Get("Accept-Language")
		if len(header) > maxAcceptLanguage {
			header = header[:maxAcceptLanguage]
		}
		want, _, _ = language.ParseAcceptLanguage(header)
	}
	_, i, confidence := l.matcher.Match(want...)
	if confidence == language.No {
		return &l.msgs[0], false
	}
	return &l.msgs[i], true
}

// Language returns the language the middleware's pages use for r: the
// best match of Config.Pages.Language's choice, or of the Accept-Language
// header, among the languages of its Messages; English when none fits.
// An app's own pages can use it to speak the same language.
func (a *Auth) Language(r *http.Request) language.Tag {
	m, _ := a.languages.forRequest(r)
	return m.Tag
}

// fillEmpty sets each empty string of m, at any depth, to base's.
func fillEmpty(m *Messages, base Messages) {
	fill(reflect.ValueOf(m).Elem(), reflect.ValueOf(base))
}

func fill(dst, src reflect.Value) {
	switch dst.Kind() {
	case reflect.String:
		if dst.String() == "" {
			dst.SetString(src.String())
		}
	case reflect.Struct:
		if dst.Type() == reflect.TypeFor[language.Tag]() {
			return
		}
		for i := range dst.NumField() {
			fill(dst.Field(i), src.Field(i))
		}
	}
}
