"""Background jobs: the app's one way to run work outside a request.

A job is a row of the `job` table. Runners (a thread inside the app, `flask jobs-worker`, or
both, on any number of servers) claim due jobs one at a time; the database decides who gets
each one, so no job runs twice at once. See app.jobs.queue (claiming) and app.jobs.runner.
"""
