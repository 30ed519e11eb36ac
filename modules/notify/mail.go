package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// SMTPConfig is how e-mails leave (cmd/cartable reads it from CARTABLE_SMTP_*).
type SMTPConfig struct {
	Host     string // empty: no e-mail is sent (they stay pending)
	Port     int    // default 587 (25 with TLS "none")
	Username string // with Password: SMTP AUTH (PLAIN or LOGIN, as the server offers)
	Password string
	TLS      string        // "starttls" (default: required), "opportunistic", "none", "tls" (implicit, port 465)
	From     string        // the sender: "Cartable <ne-pas-repondre@…>"
	Timeout  time.Duration // of each SMTP exchange (default 30 s)
}

// Mail is one e-mail to send.
type Mail struct {
	MessageID string // without angle brackets: <MessageID>
	To        string
	Subject   string
	Text      string
}

// Transport sends e-mails over one connection at a time (a job's chunk).
type Transport interface {
	// Open connects; the connection sends several mails, then Close.
	Open(ctx context.Context) (Conn, error)
}

// Conn is an open SMTP connection.
type Conn interface {
	Send(m Mail) error
	Close() error
}

// Arrivals tells whether a message already reached the mail server, by its Message-ID: the
// check that settles a send whose outcome was never recorded (see deliver.go). Mailpit
// answers it in dev and tests (MailpitArrivals); a production relay with a search API can.
type Arrivals interface {
	Arrived(ctx context.Context, messageID string) (bool, error)
}

// smtpTransport sends through an SMTP server with go-mail.
type smtpTransport struct{ cfg SMTPConfig }

// NewSMTP returns the transport of cfg, or an error naming the wrong setting.
func NewSMTP(cfg SMTPConfig) (Transport, error) {
	if cfg.From == "" {
		return nil, errors.New("notify: CARTABLE_SMTP_FROM is needed to send e-mails")
	}
	switch cfg.TLS {
	case "", "starttls", "opportunistic", "none", "tls":
	default:
		return nil, fmt.Errorf("notify: CARTABLE_SMTP_TLS %q: starttls, opportunistic, none or tls", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return smtpTransport{cfg}, nil
}

func (s smtpTransport) Open(ctx context.Context) (Conn, error) {
	opts := []mail.Option{mail.WithTimeout(s.cfg.Timeout)}
	switch s.cfg.TLS {
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case "opportunistic":
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case "tls":
		opts = append(opts, mail.WithSSL())
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if s.cfg.Port > 0 {
		opts = append(opts, mail.WithPort(s.cfg.Port))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	c, err := mail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("notify: SMTP client: %w", err)
	}
	if err := c.DialWithContext(ctx); err != nil {
		return nil, fmt.Errorf("notify: connect to SMTP %s: %w", s.cfg.Host, err)
	}
	return &smtpConn{c: c, from: s.cfg.From}, nil
}

type smtpConn struct {
	c    *mail.Client
	from string
}

func (s *smtpConn) Send(m Mail) error {
	msg := mail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return permanent(fmt.Errorf("notify: sender %q: %w", s.from, err))
	}
	if err := msg.To(m.To); err != nil {
		return permanent(fmt.Errorf("notify: address %q: %w", m.To, err))
	}
	msg.SetMessageIDWithValue(m.MessageID)
	msg.SetDate()
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	err := s.c.Send(msg)
	if err == nil {
		return nil
	}
	var se *mail.SendError
	if errors.As(err, &se) {
		switch {
		case se.Reason == mail.ErrSMTPDataClose && se.ErrorCode() == 0:
			// The message was written and the server's answer to its end was lost: it
			// may have been accepted. Only the mail server can tell (Arrivals).
			return &uncertain{err}
		case !se.IsTemp() && se.ErrorCode() >= 500:
			return permanent(err)
		}
	}
	return err
}

func (s *smtpConn) Close() error { return s.c.Close() }

// uncertain is a send whose outcome is unknown.
type uncertain struct{ err error }

func (u *uncertain) Error() string {
	return "notify: outcome of the SMTP exchange unknown: " + u.err.Error()
}
func (u *uncertain) Unwrap() error { return u.err }

// permanentError is a send the server refused for good (bad address): not retried.
type permanentError struct{ err error }

func permanent(err error) error         { return &permanentError{err} }
func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// MailpitArrivals asks a mailpit's API (its /api/v1/search) whether a Message-ID arrived.
type MailpitArrivals struct {
	BaseURL string // http://127.0.0.1:8025
	Client  *http.Client
}

// Arrived implements Arrivals.
func (m MailpitArrivals) Arrived(ctx context.Context, messageID string) (bool, error) {
	var res struct {
		Messages []struct{ MessageID string } `json:"messages"`
	}
	if err := m.get(ctx, "/api/v1/search?query="+url.QueryEscape("message-id:"+messageID), &res); err != nil {
		return false, err
	}
	for _, msg := range res.Messages {
		if strings.Trim(msg.MessageID, "<>") == messageID {
			return true, nil
		}
	}
	return false, nil
}

// Received is one message mailpit holds, as the dev page lists it.
type Received struct {
	ID        string    `json:"ID"`
	MessageID string    `json:"MessageID"`
	Subject   string    `json:"Subject"`
	Created   time.Time `json:"Created"`
	Snippet   string    `json:"Snippet"`
	To        []struct {
		Name    string `json:"Name"`
		Address string `json:"Address"`
	} `json:"To"`
}

// Recipients is the message's To addresses, comma-separated.
func (r Received) Recipients() string {
	var out []string
	for _, t := range r.To {
		out = append(out, t.Address)
	}
	return strings.Join(out, ", ")
}

// Messages lists the newest messages mailpit holds (at most limit) and their total count.
func (m MailpitArrivals) Messages(ctx context.Context, limit int) ([]Received, int, error) {
	var res struct {
		Total    int        `json:"messages_count"`
		Messages []Received `json:"messages"`
	}
	if err := m.get(ctx, fmt.Sprintf("/api/v1/messages?limit=%d", limit), &res); err != nil {
		return nil, 0, err
	}
	return res.Messages, res.Total, nil
}

// Text returns a message's plain text.
func (m MailpitArrivals) Text(ctx context.Context, id string) (string, error) {
	var res struct{ Text string }
	if err := m.get(ctx, "/api/v1/message/"+url.PathEscape(id), &res); err != nil {
		return "", err
	}
	return res.Text, nil
}

func (m MailpitArrivals) get(ctx context.Context, path string, into any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(m.BaseURL, "/")+path, nil)
	if err != nil {
		return fmt.Errorf("notify: mailpit request: %w", err)
	}
	hc := m.Client
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("notify: mailpit: %w", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("notify: mailpit %s: status %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(into); err != nil {
		return fmt.Errorf("notify: mailpit %s: %w", path, err)
	}
	return nil
}

// When is the reception's time as the dev page shows it.
func (r Received) When() string { return frenchTime(r.Created) }
