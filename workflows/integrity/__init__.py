"""Whether the record can be trusted: the audit of the log, the seals of read-model rows, the processes' heartbeats."""
