package transfer

import (
	"context"

	"github.com/riverqueue/river"
)

// WorkCopy runs the copy's worker on job, as River would (the tests' way to its last attempt).
func WorkCopy(ctx context.Context, s *Service, job *river.Job[CopyPortfolio]) error {
	return (&copyWorker{s: s}).Work(ctx, job)
}
