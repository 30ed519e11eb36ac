package notify_test

import (
	"testing"

	"github.com/cartable-ent/cartable/ops/testenv"
)

func TestMain(m *testing.M) {
	if crashChild() {
		return
	}
	testenv.Main(m)
}
