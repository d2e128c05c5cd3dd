"""Work behind a queue (docs/architecture.md §7): code checks and answer grading in `viva worker` processes.

Without REDIS_URL nothing here is used: the bot checks code and grades in its own process. With it,
the bot's two async interfaces (`CodeRunner.run`, `GradingService.grade`) enqueue a job on Redis through
arq and await its result; any number of worker processes on any hosts take jobs from the queues.

  codec    what crosses Redis: the sandbox's pickle-free wire encoding, never pickle
  queue    the bot's side: connect, refuse when full (Busy), enqueue once, await the result through
           socket timeouts and reconnects, re-enqueue a job Redis lost
  remote   QueuedCodeRunner and QueuedGrading, the two interfaces on top of the queue
  worker   the worker process: arq workers for the `code` and `grade` queues
"""

#: Redis queue names (arq sorted sets) per kind of work.
QUEUES: dict[str, str] = {"code": "viva:queue:code", "grade": "viva:queue:grade"}
