package messaging

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// uploadLimit is the body limit of the forms and the API call that send a message: its
// files and the form's other fields.
const uploadLimit = MaxMessageBytes + 256<<10

var errTooLarge = "envoi trop volumineux : les pièces jointes d'un message font " + megabytes(MaxMessageBytes) + " au plus, " + megabytes(MaxFileBytes) + " par fichier"

// formFiles reads the files of a multipart compose form (none: none); a body over the
// route's limit is refused (413) before anything is stored.
func formFiles(c echo.Context) ([]files.Upload, error) {
	return files.FormFiles(c, fieldFiles, MaxFileBytes, errTooLarge)
}

// tooLarge maps a body over the route's limit, met while reading the form, to the
// attachments' message.
func tooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fault.NewField(fault.ErrTooLarge, fieldFiles, "%s", errTooLarge)
	}
	return err
}

// download serves a message's file to whoever holds a copy of the message.
func (h *Handler) download(c echo.Context) error {
	person, id, err := meAnd(c, parseID)
	if err != nil {
		return err
	}
	_, fc, err := h.svc.Download(c.Request().Context(), web.TenantOf(c), person, id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, false)
}

// usage is the viewer's attachment space when the pages warn of it (past 80 %), else nil.
func (h *Handler) usage(c echo.Context) (*Usage, error) {
	person, err := me(c)
	if err != nil {
		return nil, err
	}
	u, err := h.svc.Usage(c.Request().Context(), web.TenantOf(c), person)
	if err != nil || !u.Warn() {
		return nil, err
	}
	return &u, nil
}

// readAPIDraft reads a message to send from a JSON body, or from a multipart form (its
// fields named as the JSON's, files in « pieces »).
func readAPIDraft(c echo.Context) (apiDraft, []files.Upload, error) {
	var in apiDraft
	if !strings.HasPrefix(c.Request().Header.Get(echo.HeaderContentType), echo.MIMEMultipartForm) {
		dec := json.NewDecoder(c.Request().Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&in); err != nil {
			return in, nil, tooLarge(fault.Decoding(err))
		}
		return in, nil, nil
	}
	params, err := c.FormParams()
	if err != nil {
		return in, nil, tooLarge(fault.Decoding(err))
	}
	in = apiDraft{To: params["a"], Cc: params["cc"], Bcc: params["cci"], Subject: params.Get("objet"), Body: params.Get("message"), Format: Format(params.Get("format")),
		NoReply: params.Get("sans_reponse") == "true" || params.Get("sans_reponse") == "1"}
	if raw := params.Get("reponse_a"); raw != "" {
		if in.ReplyTo, err = uuid.Parse(raw); err != nil {
			return in, nil, fault.Invalidf("reponse_a", "« reponse_a » doit être l'identifiant d'un message")
		}
	}
	uploads, err := formFiles(c)
	return in, uploads, err
}

// apiUsage is the viewer's attachment space: used and quota in bytes, and the warning the
// pages show past 80 %.
func (h *Handler) apiUsage(c echo.Context) error {
	person, err := me(c)
	if err != nil {
		return err
	}
	u, err := h.svc.Usage(c.Request().Context(), web.TenantOf(c), person)
	if err != nil {
		return err
	}
	out := struct {
		Usage
		Warning string `json:"warning"`
	}{Usage: u}
	if u.Warn() {
		out.Warning = u.Text()
	}
	return c.JSON(http.StatusOK, out)
}
