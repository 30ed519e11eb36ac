package news_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"gocloud.dev/blob"

	"github.com/cartable-ent/cartable/modules/directory/directorytest"
)

func pngBytes(t *testing.T) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// upload sends a file (and its alt text) to a post's attachment form as m.
func (s *site) upload(m directorytest.Member, path, name string, data []byte, alt string) *httptest.ResponseRecorder {
	s.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	w.WriteField("alt", alt)
	if name != "" {
		fw, _ := w.CreateFormFile("piece", name)
		fw.Write(data)
	}
	w.Close()
	return s.Do(s.alpha, m, http.MethodPost, path, w.FormDataContentType(), &body)
}

func (s *site) blobKeys(t *testing.T) []string {
	var out []string
	it := s.bucket.List(&blob.ListOptions{})
	for {
		obj, err := it.Next(context.Background())
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, obj.Key)
	}
}

var fileLink = regexp.MustCompile(`/actualites/pieces/([0-9a-f-]{36})"`)

func TestAttachments(t *testing.T) {
	s := newSite(t)
	id := s.write(s.teacher, "/actualites/nouvelle", postForm("Photos de la sortie", "Voici les photos.", "classe", s.class1.String(), "brouillon"))
	attach := "/actualites/" + id.String() + "/pieces"
	img := pngBytes(t)

	t.Run("refused files say why and store nothing", func(t *testing.T) {
		for _, c := range []struct {
			name string
			data []byte
			alt  string
			want string
		}{
			{"photo.png", img, "", "Description de l&#39;image : décrivez « photo.png »"},
			{"page.png", []byte("<html><script>alert(1)</script></html>"), "x", "n&#39;est ni un PDF, ni une image JPEG ou PNG"},
			{"photo.pdf", img, "x", "le nom « photo.pdf » ne correspond pas à son contenu"},
			{"vide.pdf", nil, "", "est vide ou absent"},
			{"", nil, "", "« piece-jointe » est vide ou absent"},
			{"grand.pdf", append([]byte("%PDF-1.4\n"), make([]byte, 8<<20)...), "", "dépasse 8 Mo"},
		} {
			rec := s.upload(s.teacher, attach, c.name, c.data, c.alt)
			wantCode(t, rec, http.StatusUnprocessableEntity, c.name)
			wantIn(t, rec, c.name, c.want)
		}
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_files`); n != 0 || len(s.blobKeys(t)) != 0 {
			t.Fatalf("%d rows, blobs %v after refused files", n, s.blobKeys(t))
		}
	})
	t.Run("a pupil or another contributor cannot attach", func(t *testing.T) {
		wantCode(t, s.upload(s.alice, attach, "photo.png", img, "Élèves"), http.StatusForbidden, "pupil")
		wantCode(t, s.upload(s.cpe, attach, "photo.png", img, "Élèves"), http.StatusNotFound, "another contributor")
	})
	var image string
	t.Run("an image with its description, a PDF", func(t *testing.T) {
		wantCode(t, s.upload(s.teacher, attach, "photo.png", img, "Les élèves devant le musée"), http.StatusSeeOther, "image")
		wantCode(t, s.upload(s.teacher, attach, "programme.pdf", []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), ""), http.StatusSeeOther, "pdf")
		if keys := s.blobKeys(t); len(keys) != 2 || !strings.HasPrefix(keys[0], s.alpha.ID.String()+"/news/") {
			t.Fatalf("blobs %v, want two under %s/news/", keys, s.alpha.ID)
		}
		wantCode(t, s.Post(s.teacher, "/actualites/"+id.String()+"/modifier", postForm("Photos de la sortie", "Voici.", "classe", s.class1.String(), "soumettre")), http.StatusSeeOther, "submit")
		wantCode(t, s.Post(s.direction, "/actualites/"+id.String()+"/publier", url.Values{}), http.StatusSeeOther, "publish")
		rec := s.Get(s.guardian, "/actualites/"+id.String())
		wantCode(t, rec, http.StatusOK, "post")
		wantIn(t, rec, "post", `alt="Les élèves devant le musée"`, "Télécharger programme.pdf")
		found := fileLink.FindStringSubmatch(rec.Body.String())
		if found == nil {
			t.Fatal("no file link on the post")
		}
		image = "/actualites/pieces/" + found[1]
		rec = s.Get(s.guardian, image)
		wantCode(t, rec, http.StatusOK, "image")
		if rec.Header().Get("Content-Type") != "image/png" || rec.Header().Get("X-Content-Type-Options") != "nosniff" || !bytes.Equal(rec.Body.Bytes(), img) {
			t.Errorf("image served as %q (%d bytes)", rec.Header().Get("Content-Type"), rec.Body.Len())
		}
	})
	t.Run("outside the audience, or another establishment: nothing", func(t *testing.T) {
		wantCode(t, s.Get(s.zoe, image), http.StatusNotFound, "pupil of 2nde 2")
		wantCode(t, s.Get(s.guardianZoe, image), http.StatusNotFound, "guardian of 2nde 2")
		wantCode(t, s.Get(s.bravoDirection, image), http.StatusForbidden, "Bravo on Alpha")
		wantCode(t, s.Send(s.bravo, s.bravoDirection, http.MethodGet, image, nil), http.StatusNotFound, "Alpha's file on Bravo")
		wantCode(t, s.Post(s.teacher, strings.Replace(image, "pieces/", "pieces/", 1)+"/supprimer", url.Values{}), http.StatusForbidden, "author removes a file of a published post")
	})
	t.Run("deleting the post deletes its files", func(t *testing.T) {
		wantCode(t, s.Post(s.direction, "/actualites/"+id.String()+"/supprimer", url.Values{}), http.StatusSeeOther, "delete")
		if n := s.Count(s.alpha, `SELECT count(*) FROM news_files`); n != 0 || len(s.blobKeys(t)) != 0 {
			t.Fatalf("%d rows, blobs %v after deletion", n, s.blobKeys(t))
		}
	})
}
