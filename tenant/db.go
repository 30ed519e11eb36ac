package tenant

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/gorm/utils"

	"github.com/cartable-ent/cartable/web/fault"
)

// NoTenantSchema is the search_path every connection of the application starts with. No such
// schema exists, so a query on a tenant table run outside DB.Tx fails ("relation does not
// exist") instead of reading some other tenant's data.
const NoTenantSchema = "cartable_no_tenant"

// PoolOptions size the connection pool and bound what one connection may hold. Zero values
// take the defaults; a negative timeout disables it.
type PoolOptions struct {
	MaxOpenConns int // default 20
	MaxIdleConns int // default MaxOpenConns

	// StatementTimeout ends any statement running longer (default 15 s): a page's queries
	// take milliseconds, so a statement past 15 s is a runaway that would hold a connection.
	// Long work (migrations, exports, imports) lifts it for its own transaction.
	StatementTimeout time.Duration
	// LockTimeout ends a wait for a lock (default 5 s): a request stuck behind a lock holds a
	// pooled connection; better a 503 the user can retry than a queue that fills the pool.
	LockTimeout time.Duration
	// IdleInTxTimeout ends a session whose transaction stays idle (default 30 s): a
	// transaction left open by a bug releases its locks and its connection.
	IdleInTxTimeout time.Duration

	// TenantShare is the most connections one tenant's transactions hold at once (default
	// half of MaxOpenConns): a tenant whose tables are locked cannot take the whole pool.
	TenantShare int
	// PlatformReserve connections are never taken by tenant transactions (default a fifth of
	// MaxOpenConns, at least one): the portal, the admin API and the platform look-ups every
	// request makes keep their room.
	PlatformReserve int
	// AcquireTimeout bounds the wait of a tenant transaction for its place and a connection
	// (default 2 s); past it the request fails with fault.Busy (503 with Retry-After).
	AcquireTimeout time.Duration

	// Logger receives the queries slower than SlowQuery (default 200 ms) and the database's
	// errors, through GORM's slog logger; nil: nothing is logged.
	Logger    *slog.Logger
	SlowQuery time.Duration
}

// Default timeouts of PoolOptions.
const (
	DefaultStatementTimeout = 15 * time.Second
	DefaultLockTimeout      = 5 * time.Second
	DefaultIdleInTxTimeout  = 30 * time.Second
)

// withDefaults fills the zero values of o.
func (o PoolOptions) withDefaults() PoolOptions {
	if o.MaxOpenConns <= 0 {
		o.MaxOpenConns = 20
	}
	if o.MaxIdleConns <= 0 {
		o.MaxIdleConns = o.MaxOpenConns
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d == 0 {
			*d = v
		}
	}
	def(&o.StatementTimeout, DefaultStatementTimeout)
	def(&o.LockTimeout, DefaultLockTimeout)
	def(&o.IdleInTxTimeout, DefaultIdleInTxTimeout)
	if o.AcquireTimeout <= 0 {
		o.AcquireTimeout = DefaultAcquireTimeout
	}
	if o.PlatformReserve <= 0 {
		o.PlatformReserve = max(1, o.MaxOpenConns/5)
	}
	o.PlatformReserve = min(o.PlatformReserve, o.MaxOpenConns-1) // a pool of one has no reserve
	if o.TenantShare <= 0 {
		o.TenantShare = max(1, o.MaxOpenConns/2)
	}
	// An import holds its establishment's lock on one connection of the share while its
	// transactions take another (DB.Lock).
	o.TenantShare = max(o.TenantShare, min(2, o.MaxOpenConns))
	return o
}

// pgDuration renders d as a PostgreSQL duration setting in milliseconds ("0": no limit).
func pgDuration(d time.Duration) string {
	if d < 0 {
		return "0"
	}
	return fmt.Sprint(d.Milliseconds())
}

// Open connects to PostgreSQL with the application's safe defaults (search_path on an empty
// schema, UTC, the timeouts of opts, no per-connection statement cache) and returns a GORM
// handle on the pool.
func Open(ctx context.Context, dsn string, opts PoolOptions) (*gorm.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("tenant: parse DATABASE_URL: %w", err)
	}
	opts = opts.withDefaults()
	cfg.RuntimeParams["search_path"] = NoTenantSchema
	cfg.RuntimeParams["timezone"] = "UTC"
	if cfg.RuntimeParams["application_name"] == "" {
		cfg.RuntimeParams["application_name"] = "cartable"
	}
	cfg.RuntimeParams["statement_timeout"] = pgDuration(opts.StatementTimeout)
	cfg.RuntimeParams["lock_timeout"] = pgDuration(opts.LockTimeout)
	cfg.RuntimeParams["idle_in_transaction_session_timeout"] = pgDuration(opts.IdleInTxTimeout)
	// No prepared statement kept per connection: the same SQL means different tables in two
	// tenants' schemas (which differ while a migration runs: "cached plan must not change
	// result type"), and PgBouncer in transaction mode switches connections under us. Exec
	// mode sends each query and its arguments in one round trip, unnamed.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	sqlDB := stdlib.OpenDB(*cfg)
	sqlDB.SetMaxOpenConns(opts.MaxOpenConns)
	sqlDB.SetMaxIdleConns(opts.MaxIdleConns)
	sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	gdb, err := gorm.Open(postgres.New(postgres.Config{Conn: sqlDB}), &gorm.Config{
		SkipDefaultTransaction: true,
		Logger:                 queryLogger(opts),
		NowFunc:                func() time.Time { return time.Now().UTC() },
	})
	if err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("tenant: open database: %w", err)
	}
	if err := gdb.Use(newGate(sqlDB, opts)); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("tenant: open database: %w", err)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("tenant: cannot reach PostgreSQL (check DATABASE_URL): %w", err)
	}
	return gdb, nil
}

// DB reaches tenant data. Its only ways in are Tx and ReadTx, which scope a transaction to
// one tenant's schema and role, within the tenant's share of the pool (see gate.go).
type DB struct {
	gdb  *gorm.DB
	gate *gate
}

// NewDB wraps a pool opened with Open, sharing it as Open's PoolOptions say.
func NewDB(gdb *gorm.DB) *DB { return &DB{gdb: gdb, gate: gateOf(gdb)} }

var (
	schemaPattern = regexp.MustCompile(`^t_[0-9]{7}[a-z]$`)
	// ErrNoTenant is returned when Tx is called without a usable tenant.
	ErrNoTenant = errors.New("tenant: no tenant or an invalid schema given to Tx")
)

// Tx runs fn in a transaction where the search_path is the tenant's schema and the role is
// the tenant's own role, which has rights on that schema only. SET LOCAL ends with the
// transaction, so the pooled connection comes back clean whatever fn did.
func (d *DB) Tx(ctx context.Context, t *Tenant, fn func(tx *gorm.DB) error) error {
	return d.tx(ctx, t, nil, fn)
}

// ReadTx is Tx in a read-only transaction.
func (d *DB) ReadTx(ctx context.Context, t *Tenant, fn func(tx *gorm.DB) error) error {
	return d.tx(ctx, t, &sql.TxOptions{ReadOnly: true}, fn)
}

// ReadBatch runs the queries queued in b in ONE round trip to PostgreSQL, as one read-only
// transaction scoped to t's schema and role like ReadTx: for the answers read most (the
// app's /api/v1/me on every start), whose few statements do not depend on each other, a
// transaction of five round trips (begin, scope, two queries, commit) becomes one. The
// extended protocol runs the statements sent before one Sync in one implicit transaction, so
// the scope set first (set_config(…, true)) holds for them and ends with them. The queries'
// callbacks (QueuedQuery.Query, QueryRow, Exec) read the results; the first error ends the
// batch and is returned. These statements do not go through GORM (nor its slow-query log).
//
// Their tables are named {t}.table: ReadBatch writes the tenant's schema there, and keeps
// each statement prepared on the connection (see prepared), so that PostgreSQL parses and
// plans it once per connection instead of on every request (planning was most of the cost
// of such a read). The schema is in the statement's text, so a statement prepared for one
// establishment never serves another; the role set first still checks every access.
func (d *DB) ReadBatch(ctx context.Context, t *Tenant, b *pgx.Batch) error {
	conn, release, err := d.conn(ctx, t)
	if err != nil {
		return err
	}
	defer release()
	scoped := &pgx.Batch{}
	scoped.Queue(scopeStatement, pgx.Identifier{t.SchemaName}.Sanitize(), t.RoleName)
	schema := pgx.Identifier{t.SchemaName}.Sanitize() + "."
	for _, q := range b.QueuedQueries {
		q.SQL = strings.ReplaceAll(q.SQL, "{t}.", schema)
		scoped.QueuedQueries = append(scoped.QueuedQueries, q)
	}
	err = conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("tenant: the pool's driver is %T, not pgx", dc)
		}
		return sendPrepared(ctx, c.Conn(), scoped)
	})
	return busyIfTimedOut(ctx, err)
}

// scopeStatement scopes a batch's implicit transaction to a schema and a role, read-only.
const scopeStatement = `SELECT set_config('search_path', $1, true), set_config('role', $2, true), set_config('transaction_read_only', 'on', true)`

// preparedPerConn bounds the statements kept prepared on one connection: a few hot reads
// times the establishments whose requests the connection served lately.
const preparedPerConn = 256

// sendPrepared prepares b's statements that c does not hold yet (one round trip, only the
// first time), then sends b. A statement PostgreSQL no longer knows or must plan anew with
// another result (a migration changed a table) is prepared again, once.
func sendPrepared(ctx context.Context, c *pgx.Conn, b *pgx.Batch) error {
	for attempt := 0; ; attempt++ {
		err := prepare(ctx, c, b)
		if err == nil {
			err = c.SendBatch(ctx, b).Close()
		}
		var pgErr *pgconn.PgError
		if attempt == 0 && errors.As(err, &pgErr) && (pgErr.Code == "26000" || pgErr.Code == "0A000") {
			forgetPrepared(ctx, c)
			continue
		}
		return err
	}
}

const preparedKey = "cartable.prepared"

// prepare makes sure every statement of b is prepared on c under its own text (pgx then
// sends each as ExecPrepared), evicting the least recently used beyond preparedPerConn.
func prepare(ctx context.Context, c *pgx.Conn, b *pgx.Batch) error {
	kept, _ := c.PgConn().CustomData()[preparedKey].(*simplelru.LRU[string, struct{}])
	if kept == nil {
		var err error
		if kept, err = simplelru.NewLRU[string, struct{}](preparedPerConn, nil); err != nil {
			return err
		}
		c.PgConn().CustomData()[preparedKey] = kept
	}
	for _, q := range b.QueuedQueries {
		if _, ok := kept.Get(q.SQL); ok {
			continue
		}
		if kept.Len() == preparedPerConn {
			if old, _, ok := kept.RemoveOldest(); ok {
				if err := c.Deallocate(ctx, old); err != nil {
					return err
				}
			}
		}
		if _, err := c.Prepare(ctx, q.SQL, q.SQL); err != nil {
			return err
		}
		kept.Add(q.SQL, struct{}{})
	}
	return nil
}

// forgetPrepared drops every statement prepared on c, on PostgreSQL's side and on ours.
func forgetPrepared(ctx context.Context, c *pgx.Conn) {
	delete(c.PgConn().CustomData(), preparedKey)
	_ = c.DeallocateAll(ctx) // a failure leaves statements prepared anew under the same names
}

// SnapshotTx is ReadTx at REPEATABLE READ: every read sees the same snapshot (exports).
func (d *DB) SnapshotTx(ctx context.Context, t *Tenant, fn func(tx *gorm.DB) error) error {
	return d.tx(ctx, t, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, fn)
}

// conn checks that t can be scoped to and takes a connection in its share of the pool.
func (d *DB) conn(ctx context.Context, t *Tenant) (*sql.Conn, func(), error) {
	if t == nil || !schemaPattern.MatchString(t.SchemaName) || t.RoleName == "" {
		return nil, nil, ErrNoTenant
	}
	return d.gate.conn(ctx, t.SchemaName)
}

func (d *DB) tx(ctx context.Context, t *Tenant, opts *sql.TxOptions, fn func(tx *gorm.DB) error) error {
	conn, release, err := d.conn(ctx, t)
	if err != nil {
		return err
	}
	defer release()
	session := d.gdb.WithContext(ctx)
	session.Statement.ConnPool = conn
	err = session.Transaction(func(tx *gorm.DB) error {
		if err := enterSchema(tx, t.SchemaName, t.RoleName); err != nil {
			return err
		}
		return fn(tx)
	}, opts)
	return busyIfTimedOut(ctx, err)
}

// busyIfTimedOut turns a lock wait or a statement ended by the connection's timeouts into
// fault.Busy: the request may succeed once the lock or the load is gone. A statement ended
// because the request itself ended stays as it is.
func busyIfTimedOut(ctx context.Context, err error) error {
	var pgErr *pgconn.PgError
	if err == nil || ctx.Err() != nil || !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case "55P03", "57014": // lock_not_available (lock_timeout), query_canceled (statement_timeout)
		return &fault.Busy{RetryAfter: busyRetryAfter, Text: busyText, Err: err}
	}
	return err
}

// enterSchema scopes the current transaction to schema and role (one round trip).
func enterSchema(tx *gorm.DB, schema, role string) error {
	err := tx.Exec(`SELECT set_config('search_path', ?, true), set_config('role', ?, true)`,
		pgx.Identifier{schema}.Sanitize(), role).Error
	if err != nil {
		return fmt.Errorf("tenant: enter schema %s: %w", schema, err)
	}
	return nil
}

// liftTimeouts removes the connection timeouts for the rest of the current transaction: for
// long work that is not a page (migrations, export and import archives), run by an operator.
func liftTimeouts(tx *gorm.DB) error {
	err := tx.Exec(`SELECT set_config('statement_timeout', '0', true), set_config('lock_timeout', '0', true),
		set_config('idle_in_transaction_session_timeout', '0', true)`).Error
	if err != nil {
		return fmt.Errorf("tenant: lift timeouts: %w", err)
	}
	return nil
}

// leaveSchema returns the transaction to the login role and the empty search_path.
func leaveSchema(tx *gorm.DB) error {
	err := tx.Exec(`SELECT set_config('role', 'none', true), set_config('search_path', ?, true)`, NoTenantSchema).Error
	if err != nil {
		return fmt.Errorf("tenant: leave schema: %w", err)
	}
	return nil
}

// WithPlatform runs fn inside a tenant transaction with the application's own role, for the
// few platform rows (memberships) that must commit or roll back together with tenant data.
// fn must only touch schema-qualified platform tables; the tenant scope is restored after.
func WithPlatform(tx *gorm.DB, t *Tenant, fn func(ptx *gorm.DB) error) error {
	if err := leaveSchema(tx); err != nil {
		return err
	}
	ferr := fn(tx)
	if err := enterSchema(tx, t.SchemaName, t.RoleName); err != nil {
		return errors.Join(ferr, err)
	}
	return ferr
}

// queryLogger logs the queries slower than opts.SlowQuery with where they come from (file
// and line), never their SQL text, which can hold people's data. Errors are not logged here:
// the error handler logs each failed request once.
func queryLogger(opts PoolOptions) logger.Interface {
	if opts.Logger == nil {
		return logger.Discard
	}
	slow := opts.SlowQuery
	if slow <= 0 {
		slow = 200 * time.Millisecond
	}
	return slowQueries{log: opts.Logger, threshold: slow}
}

type slowQueries struct {
	log       *slog.Logger
	threshold time.Duration
}

func (l slowQueries) LogMode(logger.LogLevel) logger.Interface      { return l }
func (l slowQueries) Info(context.Context, string, ...interface{})  {}
func (l slowQueries) Warn(context.Context, string, ...interface{})  {}
func (l slowQueries) Error(context.Context, string, ...interface{}) {}

func (l slowQueries) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), _ error) {
	if elapsed := time.Since(begin); elapsed > l.threshold {
		_, rows := fc()
		l.log.WarnContext(ctx, "slow query", "ms", elapsed.Milliseconds(), "rows", rows, "at", utils.FileWithLineNum())
	}
}
