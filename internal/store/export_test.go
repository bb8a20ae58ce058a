package store

import "context"

// JoinReplicasBackoff is JoinReplicas with the first reconnect backoff
// chosen by the test.
var JoinReplicasBackoff = (*DB).joinReplicas

// ExecForTest runs a statement on the writer, for tests that set up rows
// as an older version wrote them.
func (db *DB) ExecForTest(ctx context.Context, stmt string, args ...any) error {
	_, err := db.write.exec(ctx, stmt, args...)
	return err
}
