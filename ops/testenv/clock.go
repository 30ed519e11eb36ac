package testenv

import (
	"sync"
	"time"
	_ "time/tzdata" // Paris on machines without a zoneinfo database
)

// Paris is the establishments' time zone, for pinning test dates.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	return loc
}()

// SchoolDay is the instant tests are pinned to unless they say otherwise: a Monday of the
// first trimestre of 2026-2027, in class hours.
var SchoolDay = time.Date(2026, time.October, 5, 10, 0, 0, 0, Paris)

// CalendarDates are the instants at which calendar-dependent suites run: the first days of
// the year, the first day of the 2nd trimestre, the last minute of the civil year in Paris
// (already 1 January in no zone east of Paris, still 31 December in UTC) and the last day of
// classes.
func CalendarDates() []time.Time {
	return []time.Time{
		time.Date(2026, time.September, 2, 9, 0, 0, 0, Paris),
		time.Date(2026, time.December, 1, 9, 0, 0, 0, Paris),
		time.Date(2026, time.December, 31, 23, 59, 0, 0, Paris),
		time.Date(2027, time.June, 30, 17, 0, 0, 0, Paris),
	}
}

// Clock is a test clock. It starts at a pinned instant and moves one millisecond forward at
// each reading, so that events read in sequence are strictly ordered ("changed after the last
// visit") without any test reading the wall clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock pinned at start.
func NewClock(start time.Time) *Clock { return &Clock{t: start} }

// Now returns the clock's instant and advances it by a millisecond.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.t
	c.t = c.t.Add(time.Millisecond)
	return now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}
