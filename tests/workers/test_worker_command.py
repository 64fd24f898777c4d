"""``sparkle-motion worker`` says what it lacks before it touches a broker."""

from __future__ import annotations

import pytest

from sparkle_motion.cli import main
from sparkle_motion.settings import Settings
from sparkle_motion.workers.app import TASKS, close_app, make_app, queue_name


def test_a_worker_needs_a_broker_and_known_queues(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SPARKLE_BROKER_URL", raising=False)
    assert main(["worker"]) == 2
    assert "a worker needs a broker" in capsys.readouterr().err
    monkeypatch.setenv("SPARKLE_BROKER_URL", "redis://127.0.0.1:6379/15")
    assert main(["worker", "--queues", "cpu,gpu"]) == 2
    assert "unknown queue 'gpu'" in capsys.readouterr().err


def test_each_task_goes_on_its_sites_queue_and_is_acknowledged_late() -> None:
    app = make_app(Settings(broker_url="amqp://guest:guest@127.0.0.1:5672//", site_id="north"))
    assert app.conf.result_backend == "rpc://"
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.worker_prefetch_multiplier == 1
    routes = app.conf.task_routes
    assert routes["sparkle_motion.render_shot"]["queue"] == queue_name("north", "cpu")
    assert routes["sparkle_motion.speak"]["queue"] == "north.local_ai"
    assert set(TASKS) <= set(app.tasks)
    assert {q.name for q in app.conf.task_queues} == {
        "north.cpu",
        "north.local_ai",
        "north.media",
        "north.external_ai",
    }
    redis_app = make_app(Settings(broker_url="redis://127.0.0.1:6379/3"))
    assert redis_app.conf.result_backend == "redis://127.0.0.1:6379/3"
    close_app(app)
    close_app(redis_app)
    with pytest.raises(ValueError, match="no broker"):
        make_app(Settings())
