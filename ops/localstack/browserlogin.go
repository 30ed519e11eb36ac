package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// BrowserLogin signs in through Kratos' browser flow as a browser on the login page does (open
// the flow, read its anti-forgery token, post the password form) and returns the value of the
// session cookie named cookie. kratosPublic is Kratos' public API as this process reaches it;
// the flow's cookies, set for the browsers' domain, are sent by hand.
func BrowserLogin(ctx context.Context, kratosPublic, login, password, cookie string) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, kratosPublic+"/self-service/login/browser", nil)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	resp, err := noRedirect.Do(req)
	if err != nil {
		return "", fmt.Errorf("open a login flow: %w", err)
	}
	resp.Body.Close()
	flowCookies := resp.Cookies()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	flowID := loc.Query().Get("flow")
	if flowID == "" {
		return "", fmt.Errorf("open a login flow: %s to %q, no flow id", resp.Status, resp.Header.Get("Location"))
	}
	// The flow's cookies are for the browsers' domain: send them by hand to 127.0.0.1.
	withFlow := func(req *http.Request) (*http.Response, error) {
		for _, c := range flowCookies {
			req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
		return noRedirect.Do(req)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, kratosPublic+"/self-service/login/flows?id="+url.QueryEscape(flowID), nil)
	req.Header.Set("Accept", "application/json")
	resp, err = withFlow(req)
	if err != nil {
		return "", fmt.Errorf("fetch the login flow: %w", err)
	}
	var flow struct {
		UI struct {
			Nodes []struct {
				Attributes struct {
					Name  string `json:"name"`
					Value any    `json:"value"`
				} `json:"attributes"`
			} `json:"nodes"`
		} `json:"ui"`
	}
	err = json.NewDecoder(resp.Body).Decode(&flow)
	resp.Body.Close()
	if err != nil {
		return "", fmt.Errorf("read the login flow: %w", err)
	}
	csrf := ""
	for _, n := range flow.UI.Nodes {
		if n.Attributes.Name == "csrf_token" {
			csrf, _ = n.Attributes.Value.(string)
		}
	}
	form := url.Values{"method": {"password"}, "identifier": {login}, "password": {password}, "csrf_token": {csrf}}
	req, _ = http.NewRequestWithContext(ctx, http.MethodPost, kratosPublic+"/self-service/login?flow="+url.QueryEscape(flowID), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = withFlow(req)
	if err != nil {
		return "", fmt.Errorf("submit the login form: %w", err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == cookie && c.Value != "" {
			return c.Value, nil
		}
	}
	return "", fmt.Errorf("login of %s: %s, no session cookie", login, resp.Status)
}
