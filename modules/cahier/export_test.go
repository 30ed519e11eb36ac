package cahier_test

import (
	"encoding/json"
	"regexp"
	"testing"

	"github.com/google/uuid"
)

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

var firstID = regexp.MustCompile(`"id":"([0-9a-f-]{36})"`)

// savedOf is the id of the séance or work an API answer describes.
func savedOf(t *testing.T, body string) uuid.UUID {
	t.Helper()
	m := firstID.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no id in %s", body)
	}
	return uuid.MustParse(m[1])
}
