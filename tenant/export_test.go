package tenant

import "context"

// Count runs a counting query on the registry's pool, outside any tenant (tests only).
func (r *Registry) Count(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := r.gdb.WithContext(ctx).Raw(q, args...).Scan(&n).Error
	return n, err
}
