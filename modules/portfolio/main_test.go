package portfolio_test

import (
	"testing"

	"github.com/cartable-ent/cartable/ops/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
