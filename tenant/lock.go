package tenant

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
)

// ErrLocked is returned by DB.Lock when another holder has the lock and the caller did not
// ask to wait.
var ErrLocked = errors.New("tenant: the lock is held by another operation")

// Lock takes the advisory lock name of tenant t (e.g. "directory-import": one import at a time
// per establishment) on a pooled connection of its own, held until release is called. A crash
// of the process or of the connection releases it too, so nothing stays locked. With wait
// false it returns ErrLocked at once when another holder has it; with wait true it waits
// until ctx ends or the connection's lock_timeout passes (then a fault.Busy, a 503 to retry).
func (d *DB) Lock(ctx context.Context, t *Tenant, name string, wait bool) (release func(), err error) {
	if t == nil || !schemaPattern.MatchString(t.SchemaName) {
		return nil, ErrNoTenant
	}
	// The lock's connection is one of the establishment's share like any other: bounded wait,
	// counted, so locks cannot take the pool from the other establishments.
	conn, releaseConn, err := d.gate.conn(ctx, t.SchemaName)
	if err != nil {
		return nil, err
	}
	key := t.SchemaName + ":" + name
	if wait {
		_, err = conn.ExecContext(ctx, `SELECT pg_advisory_lock(hashtextextended($1, 0))`, key)
	} else {
		var got bool
		err = conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, key).Scan(&got)
		if err == nil && !got {
			err = ErrLocked
		}
	}
	if err != nil {
		releaseConn()
		if errors.Is(err, ErrLocked) {
			return nil, err
		}
		return nil, busyIfTimedOut(ctx, fmt.Errorf("tenant: lock %s of %s: %w", name, t.UAI, err))
	}
	return func() {
		// Unlock even when the caller's request has ended; closing the connection would
		// release the lock too, but returns nothing to the pool.
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, key); err != nil {
			// Unlock failed: drop the connection instead of pooling it, which releases the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		releaseConn()
	}, nil
}
