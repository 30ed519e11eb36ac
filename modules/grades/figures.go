package grades

import (
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/golang-lru/v2/expirable"
)

// figures are a class's figures for a period: every classmate's subject and general
// averages and the class's average, min and max of each. They depend on the class's data
// only, not on who looks, so pupils' and parents' pages of one class share them.
type figures struct {
	avg       map[uuid.UUID]map[string]*big.Rat
	general   map[uuid.UUID]*big.Rat
	subjStats map[string]Stats
	genStats  Stats
}

// figuresKey names a class's figures as of one version of the establishment's grades data
// (grades_version, bumped by a trigger on every statement changing what they are computed
// from, periods' dates included). Class ids are unique across establishments.
type figuresKey struct {
	class, period uuid.UUID
	published     bool
	version       int64
}

// figuresCache keeps the figures of the classes looked at lately. An entry is never stale
// (its key holds the data's version); the expiry only bounds the memory of classes nobody
// looks at any more.
type figuresCache = expirable.LRU[figuresKey, *figures]

func newFiguresCache() *figuresCache {
	return expirable.NewLRU[figuresKey, *figures](4096, nil, 10*time.Minute)
}

// classFigures fills b's averages and class figures: from the cache when the grades data has
// not changed since they were computed, else from the sums PostgreSQL makes of every
// classmate's marks (store.classSums). b's coefficients must be loaded; version is the
// grades data's, read in st's transaction.
func (s *Service) classFigures(st store, b *book, p Period, publishedOnly bool, version int64) error {
	key := figuresKey{class: b.classID, period: p.ID, published: publishedOnly, version: version}
	if f, ok := s.figures.Get(key); ok {
		b.avg, b.general, b.subjStats, b.genStats = f.avg, f.general, f.subjStats, f.genStats
		return nil
	}
	sums, err := st.classSums(b.classID, p, publishedOnly)
	if err != nil {
		return err
	}
	b.computeFromSums(sums)
	s.figures.Add(key, &figures{avg: b.avg, general: b.general, subjStats: b.subjStats, genStats: b.genStats})
	return nil
}
