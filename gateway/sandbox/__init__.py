"""The sandbox national registry: a runnable simulator of SP4N-LAPOR!.

It speaks the national contract (``/api/v1``), moves complaints through the
national workflow on a clock, and injects faults on request. Provinces rehearse
their integration against it; the tests and benchmarks use it.

- :func:`gateway.sandbox.app.create_sandbox_app` builds the ASGI app;
- :class:`gateway.sandbox.config.SandboxConfig` and ``FaultConfig`` configure it;
- :func:`gateway.sandbox.cli.sandbox_command` is ``gateway sandbox``.

Nothing is imported here, so that ``import gateway.sandbox`` stays cheap.
"""
