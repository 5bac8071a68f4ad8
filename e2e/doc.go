// Package e2e holds the browser end-to-end tests of linelogin: Debian's
// Chromium, driven with github.com/chromedp/chromedp, logs in to the
// example app (./example) through the consent page of its embedded fake
// LINE Platform (linetest).
//
// The tests build the example once, then start it as a subprocess for each
// scenario in demo mode (no LINE_* variables), on http://localhost:<port>.
// The embedded linetest listens on http://127.0.0.1:<port>: another site,
// as LINE is for a real app, so the browser applies SameSite to the
// cookies as it will in production. One headless Chromium (--no-sandbox,
// --disable-background-networking, a fresh user-data dir) serves every
// test; each test gets its own browser context, so no cookie crosses from
// one test to the next.
//
// The scenarios, one test each:
//
//   - TestLoginFromHome: log in from /, land on /me with the name and the
//     picture shown; the session cookie is HttpOnly, SameSite=Lax, Path=/.
//   - TestDeepLink: open a protected page, log in, land back on it.
//   - TestDenyConsent: cancel on the consent page, see the friendly error
//     page, and its retry link logs in.
//   - TestErrorPageEscapes: LINE's error text on the error page is text,
//     never markup or script.
//   - TestTwoTabs: two tabs start logins and finish in reverse order; both
//     end logged in.
//   - TestLogout: log out, then /me asks to log in again; Back does not
//     bring the profile back.
//   - TestFormPost: response_mode=form_post, with SameSite=None flow
//     cookies on LINE's cross-site POST.
//   - TestTamperedSessionCookie: an altered, truncated or foreign session
//     cookie shows the logged-out page, never an error.
//   - TestRouters: the same login and logout on the chi and gorilla/mux
//     mountings of the example.
//
// After each test the app's log is checked: it must hold no cookie value,
// no authorization code and no "code=".
//
// Run only these tests with
//
//	go test ./e2e
//
// (make test runs them with every other package, and installs chromium with
// apt-get first when /usr/bin/chromium is missing). They need Chromium at
// /usr/bin/chromium, or at the path in $E2E_CHROMIUM. They never skip: a
// missing browser is a failure.
//
// Each test saves a screenshot of its final page, and some of the pages on
// the way, as PNG files in e2e/testdata/out/ (ignored by git, emptied at the
// start of each run); a failing test names its files.
package e2e
