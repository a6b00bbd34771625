"""The fleet: the job queue (procrastinate on PostgreSQL), its workers, the dispatcher's deferring, status."""
