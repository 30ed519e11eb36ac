package cahier

import (
	"errors"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/cartable-ent/cartable/modules/files"
	"github.com/cartable-ent/cartable/web"
	"github.com/cartable-ent/cartable/web/fault"
)

// The direction's visas and the year-end archives: pages (here) and JSON API (below).

// classBookPage is a class's cahier de textes with its visas, for whoever sees them
// (ClassVisas), and the visa form for whoever signs.
func (h *Handler) classBookPage(c echo.Context, b *Book, class uuid.UUID) error {
	return h.classBookWith(c, http.StatusOK, b, class, VisaForm{Subject: b.Subject}, nil)
}

func (h *Handler) classBookWith(c echo.Context, status int, b *Book, class uuid.UUID, f VisaForm, errs FormErrors) error {
	v, err := h.svc.ClassVisas(c.Request().Context(), web.TenantOf(c), requestActor(c), class)
	if err != nil {
		return err
	}
	data := map[string]any{"Book": b, "Base": "/cahier/classes/" + class.String(), "HTML": html}
	if v != nil {
		data["Visas"] = map[string]any{"V": v, "Form": f, "Errors": errs, "Subjects": b.Subjects,
			"Notice": c.QueryParam("ok") == "vise"}
	}
	return page(c, status, "cahier_book.html", "Cahier de textes de "+b.Title, data)
}

// sign is the visa form's action on a class's cahier page.
func (h *Handler) sign(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	ctx, t, a := c.Request().Context(), web.TenantOf(c), requestActor(c)
	f := VisaForm{Subject: c.FormValue("matiere"), Comment: c.FormValue("commentaire")}
	_, err = h.svc.Sign(ctx, t, a, id, f)
	var errs FormErrors
	if errors.As(err, &errs) {
		b, berr := h.svc.ClassBook(ctx, t, a, id, "")
		if berr != nil {
			return berr
		}
		return h.classBookWith(c, http.StatusUnprocessableEntity, b, id, f, errs)
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/classes/"+id.String()+"?ok=vise#visas")
}

// visas is the direction's overview: every class with its last visa and the séances since.
func (h *Handler) visas(c echo.Context) error {
	rows, err := h.svc.VisaOverview(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	return page(c, http.StatusOK, "cahier_visas.html", "Visas des cahiers de textes", map[string]any{"Rows": rows})
}

// archives lists the archived cahiers' PDFs the viewer may download.
func (h *Handler) archives(c echo.Context) error {
	a := requestActor(c)
	list, err := h.svc.Archives(c.Request().Context(), web.TenantOf(c), a)
	if err != nil {
		return err
	}
	data := map[string]any{"Archives": list, "Manages": a.Manages()}
	if n := c.QueryParam("archivees"); n != "" {
		data["Notice"] = n
	}
	return page(c, http.StatusOK, "cahier_archives.html", "Archives des cahiers de textes", data)
}

// confirmArchive is « Archiver l'année »'s confirmation page: the years with something to
// archive, what it will lock.
func (h *Handler) confirmArchive(c echo.Context) error {
	return h.confirmArchiveWith(c, http.StatusOK, c.QueryParam("annee"), "")
}

func (h *Handler) confirmArchiveWith(c echo.Context, status int, year, problem string) error {
	years, err := h.svc.YearsToArchive(c.Request().Context(), web.TenantOf(c))
	if err != nil {
		return err
	}
	return page(c, status, "cahier_archive_confirm.html", "Archiver l'année", map[string]any{"Years": years, "Year": year,
		"Today": h.svc.Today(), "Error": problem})
}

// archiveYear archives the chosen year's cahiers, once confirmed.
func (h *Handler) archiveYear(c echo.Context) error {
	year := c.FormValue("annee")
	if c.FormValue("confirmer") != "1" {
		return h.confirmArchiveWith(c, http.StatusUnprocessableEntity, year,
			"Confirmation : cochez la case pour confirmer que les cahiers de textes de cette année ne seront plus modifiables.")
	}
	a := requestActor(c)
	n, err := h.svc.ArchiveYear(c.Request().Context(), web.TenantOf(c), a.PersonID, year)
	if err != nil {
		var inv *fault.Invalid
		if errors.As(err, &inv) {
			return h.confirmArchiveWith(c, http.StatusUnprocessableEntity, year, inv.Message)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/cahier/archives?archivees="+itoa(n))
}

// downloadArchive serves an archive's PDF.
func (h *Handler) downloadArchive(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	_, fc, err := h.svc.DownloadArchive(c.Request().Context(), web.TenantOf(c), requestActor(c), id)
	if err != nil {
		return err
	}
	return files.Serve(c, fc, false)
}

type apiVisa struct {
	ID          uuid.UUID `json:"id"`
	ClassID     uuid.UUID `json:"class_id"`
	SubjectCode *string   `json:"subject_code"` // null: all subjects
	Signer      string    `json:"signer"`
	SignedAt    time.Time `json:"signed_at"`
	Sessions    int       `json:"sessions"`
	Works       int       `json:"works"`
	Comment     string    `json:"comment"`
}

func apiVisaOf(v Visa) apiVisa {
	out := apiVisa{ID: v.ID, ClassID: v.ClassID, Signer: v.Signer, SignedAt: v.SignedAt, Sessions: v.Sessions, Works: v.Works, Comment: v.Comment}
	if v.SubjectCode != "" {
		out.SubjectCode = &v.SubjectCode
	}
	return out
}

type apiVisaRow struct {
	ClassID    uuid.UUID  `json:"class_id"`
	Kind       string     `json:"kind"`
	Class      string     `json:"class"`
	LastVisaAt *time.Time `json:"last_visa_at"`
	LastSigner string     `json:"last_signer"`
	Since      int        `json:"sessions_since"`
	Sessions   int        `json:"sessions"`
}

// apiVisas is the visas' overview as JSON.
func (h *Handler) apiVisas(c echo.Context) error {
	rows, err := h.svc.VisaOverview(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiVisaRow, len(rows))
	for i, r := range rows {
		out[i] = apiVisaRow{ClassID: r.ClassID, Kind: r.Kind, Class: r.Label, LastVisaAt: r.LastAt, LastSigner: r.LastSigner, Since: r.Since, Sessions: r.Sessions}
	}
	return c.JSON(http.StatusOK, map[string]any{"classes": out})
}

type apiVisaInput struct {
	SubjectCode string `json:"subject_code"`
	Comment     string `json:"comment"`
}

var apiVisaFields = map[string]string{"matiere": "subject_code", "commentaire": "comment"}

// apiSign signs a class's cahier.
func (h *Handler) apiSign(c echo.Context) error {
	id, err := paramID(c)
	if err != nil {
		return err
	}
	var in apiVisaInput
	if err := decode(c, &in); err != nil {
		return err
	}
	v, err := h.svc.Sign(c.Request().Context(), web.TenantOf(c), requestActor(c), id, VisaForm{Subject: in.SubjectCode, Comment: in.Comment})
	var errs FormErrors
	if errors.As(err, &errs) {
		return refused(c, errs, apiVisaFields, "visa")
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, apiVisaOf(v))
}

type apiArchive struct {
	ID         uuid.UUID `json:"id"`
	ClassID    uuid.UUID `json:"class_id"`
	Class      string    `json:"class"`
	SchoolYear string    `json:"school_year"`
	Name       string    `json:"name"`
	Size       int64     `json:"size"`
	SHA256     string    `json:"sha256"`
	Sessions   int       `json:"sessions"`
	CreatedAt  time.Time `json:"created_at"`
	Href       string    `json:"href"`
}

// apiArchives lists the archives the viewer may download.
func (h *Handler) apiArchives(c echo.Context) error {
	list, err := h.svc.Archives(c.Request().Context(), web.TenantOf(c), requestActor(c))
	if err != nil {
		return err
	}
	out := make([]apiArchive, len(list))
	for i, a := range list {
		out[i] = apiArchive{ID: a.ID, ClassID: a.ClassID, Class: a.ClassLabel, SchoolYear: a.SchoolYear, Name: a.Name, Size: a.Size,
			SHA256: a.SHA256, Sessions: a.Sessions, CreatedAt: a.CreatedAt, Href: a.Href()}
	}
	return c.JSON(http.StatusOK, map[string]any{"archives": out})
}
