package vsphere

import (
	"context"
	"sync"
)

// setupParallel bounds the concurrent calls of one inventory step (the
// disks of a datastore, the snapshots of a disk): enough to hide the
// latency of a distant vCenter, few enough not to crowd it.
const setupParallel = 8

// each runs fn(ctx, i) for every i in [0, n), at most limit at once, and
// returns the error of the lowest i that failed: the one a loop doing the
// calls in order would have met first. Every call runs to its end (each
// has its own deadline), so which error is returned does not depend on
// timing.
func each(ctx context.Context, n, limit int, fn func(ctx context.Context, i int) error) error {
	if n == 1 {
		return fn(ctx, 0)
	}
	errs := make([]error, n)
	sem := make(chan struct{}, max(1, limit))
	var wg sync.WaitGroup
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = fn(ctx, i)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
