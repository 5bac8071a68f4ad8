package linetest

import (
	"net/http"
	"net/url"
)

// showConsent keeps req server-side under a random ID and shows the page
// where a person picks a test user or cancels.
func (p *Platform) showConsent(w http.ResponseWriter, r *http.Request, req *authRequest) {
	now := p.clock()
	id := randomHex(16)
	req.expires = now.Add(p.codeTTL)
	p.mu.Lock()
	p.sweepLocked(now)
	p.pending[id] = req
	p.mu.Unlock()

	t := textsFor(r, req.uiLocales)
	data := consentPageData{
		T:         t,
		Action:    pathConsent,
		RequestID: id,
		ChannelID: p.channelID,
		Users:     p.Users(),
		BotPrompt: req.botPrompt,
	}
	if u, err := url.Parse(req.redirectURI); err == nil {
		data.ClientHost = u.Host
	}
	for _, s := range req.scopes {
		if s == "email" {
			data.Email = t.Scopes[s]
			continue
		}
		if d, ok := t.Scopes[s]; ok {
			s = d
		}
		data.Scopes = append(data.Scopes, s)
	}
	p.renderPage(w, http.StatusOK, consentPage, data)
}

// serveConsent receives the consent page's choice: a user (and, with
// bot_prompt, whether to add the official account as a friend), or
// Cancel. A pending request is used once, whatever the choice.
func (p *Platform) serveConsent(w http.ResponseWriter, r *http.Request) {
	now := p.clock()
	id := r.PostForm.Get("request")
	p.mu.Lock()
	req := p.pending[id]
	delete(p.pending, id)
	p.mu.Unlock()
	if req == nil || !now.Before(req.expires) {
		p.errorPage(w, http.StatusBadRequest, "This login request has expired or was already answered. Go back to the app and log in again.")
		return
	}
	if r.PostForm.Has("deny") {
		p.log.Info("linetest: authorization denied")
		if req.v20 {
			p.denyV20(w, req)
			return
		}
		p.redirectError(w, req, errAccessDenied, accessDeniedDescription)
		return
	}
	userID := r.PostForm.Get("user")
	if _, ok := p.userIndex[userID]; !ok {
		p.errorPage(w, http.StatusBadRequest, "There is no such test user. Go back to the app and log in again.")
		return
	}
	if req.v20 {
		p.approveV20(w, req, userID)
		return
	}
	if r.PostForm.Get("email_asked") == "1" && r.PostForm.Get("share_email") != "1" {
		req = req.withoutEmail()
	}
	p.approve(w, req, userID, true, r.PostForm.Get("add_friend") == "1")
}

// withoutEmail is req as granted by a user who declined the email
// permission: LINE then issues tokens without it, the ID token has no
// email claim, and the user has not consented to it.
func (req *authRequest) withoutEmail() *authRequest {
	r := *req
	r.scopes = nil
	for _, s := range req.scopes {
		if s != "email" {
			r.scopes = append(r.scopes, s)
		}
	}
	return &r
}
