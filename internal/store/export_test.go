package store

// JoinReplicasBackoff is JoinReplicas with the first reconnect backoff
// chosen by the test.
var JoinReplicasBackoff = (*DB).joinReplicas
