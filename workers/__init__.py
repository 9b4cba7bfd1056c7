"""Workers: the dispatcher that follows the event log and enqueues RQ jobs, the job functions,
delivery channels (inbox, email with .ics, signed webhook), and the embedded worker.

Wiring (see each module):
  ``workers.dispatcher``: ``Dispatcher``, ``run_dispatcher(settings, stop_event)``;
  ``workers.jobs``: the RQ job functions, importable by path;
  ``workers.context``: ``install_context`` / ``build_context`` / ``current_context``;
  ``workers.worker``: ``make_queue``, ``ThreadWorker``, ``run_scheduler``, ``EmbeddedWorker``.
"""
