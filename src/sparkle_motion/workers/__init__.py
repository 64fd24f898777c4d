"""The fleet's workers: Celery tasks that render a RenderPackage's shots, and its fan-in.

:mod:`.app` is the Celery application (queues per site and resource, acks
late, one task at a time), :mod:`.tasks` the tasks, :mod:`.fanout` how a
package becomes a fan-out of shots and a fan-in to assembly. See
``docs/fleet.md``.
"""
