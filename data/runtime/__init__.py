"""Runtime state shared by every web worker, every machine and the job process (issue 17):
`shared` (the keyed store: Redis when REDIS_URL is set, else the database's `shared_state`
table) and `bg_manager` (background callbacks' results, progress and job state in that store)."""
