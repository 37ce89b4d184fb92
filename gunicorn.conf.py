"""gunicorn's defaults for eventsys (read from the working directory; options on the
command line win). Measured with bench/registration_burst.py on the project's 2-core
machine (README, Performance): one single-threaded (sync) process per core gave the
highest registration rate and the lowest p99, on SQLite and PostgreSQL alike
(2 sync: 167-192/s; 2 x 4 threads: 100-104/s). Threads in one process take turns on
the GIL, so the request holding the event's lock waits for those that do not need it;
more processes than cores only add switching. Sync workers want a proxy that buffers
slow clients in front of them (nginx, as in the README's production setup)."""

import os

workers = os.cpu_count() or 2
worker_class = "sync"
threads = 1
