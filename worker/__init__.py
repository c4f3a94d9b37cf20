"""The task worker that rides out faults: heartbeats, leases on running tasks, and a database outage."""
