"""gunicorn's defaults for eventsys (read from the working directory; options on the
command line win). Measured with bench/registration_burst.py on the project's 2-core
machine (README, Performance): 2 processes × 4 threads gave the highest registration
rate and the lowest p99; more processes or threads per process only added contention
for the GIL and for the per-event lock."""

workers = 2
worker_class = "gthread"
threads = 4
