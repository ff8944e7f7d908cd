package moduletest

import "sync"

// Concurrently runs f(0) … f(n-1) at once, as n duplicate requests or job
// deliveries would arrive, and returns their results in order.
func Concurrently[T any](n int, f func(i int) T) []T {
	out := make([]T, n)
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = f(i)
		}()
	}
	wg.Wait()
	return out
}
