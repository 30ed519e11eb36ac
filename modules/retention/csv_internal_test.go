package retention

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestCSVNeutralised: a name that looks like a formula stays text in the report's CSV.
func TestCSVNeutralised(t *testing.T) {
	var b bytes.Buffer
	at := time.Date(2026, 10, 5, 3, 0, 0, 0, time.UTC)
	rows := []lineView{{Line: Line{UAI: "0330021U", Name: `=HYPERLINK("http://x")`, Kind: KindMessages, Runs: 2, Count: 5, Bytes: 10, LastRun: at, LastRemoved: &at},
		KindLabel: "Messages de la messagerie", LastRun: stamp(at), Latest: stamp(at)}}
	if err := writeCSV(&b, rows); err != nil {
		t.Fatal(err)
	}
	want := "\uFEFFUAI;Établissement;Donnée;Code;Passages;Supprimés;Octets;Dernier passage;Dernière suppression\r\n" +
		`0330021U;"'=HYPERLINK(""http://x"")";Messages de la messagerie;messages;2;5;10;05/10/2026 05:00;05/10/2026 05:00` + "\r\n"
	if got := b.String(); got != want {
		t.Errorf("CSV =\n%q\nwant\n%q", got, want)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 o", 999: "999 o", 1500: "1,5 Ko", 3 << 20: "3,1 Mo", 2e9: "2 Go", 12_345_678: "12,3 Mo"} {
		if got := size(n); got != want {
			t.Errorf("size(%d) = %q, want %q", n, got, want)
		}
	}
	if !strings.HasPrefix(kindCodes(), "{comptes,portfolio,") {
		t.Errorf("kind codes %s", kindCodes())
	}
}
