"""NATS goes away mid-stream: the embedded single node is stopped (and once killed)
and started again on the same port and store; a node of a three-node cluster dies
and comes back. Intake keeps accepting (its outbox holds what it cannot publish),
and afterwards every accepted melding is in triage exactly once."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from shared.config import Settings
from tests.faults.checks import Window, settle
from tests.faults.harness import (
    NatsNode,
    deployed,
    nats_cluster,
    nats_single,
    run,
    stream_info,
)
from tests.faults.load import Load
from tests.faults.procedure import Procedure

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_the_single_nats_node_restarted_mid_stream_loses_and_doubles_nothing(
    tmp_path: Path, how: str
) -> None:
    with deployed(tmp_path, nats_single(tmp_path)) as deployment:
        node = deployment.nats[0]
        load = Load(deployment["intake"].url, target=300).start()
        procedure = Procedure(deployment["triage"].url, deployment.settings, load).start()
        try:
            load.wait_accepted(100)
            window = Window.open(deployment, load)
            node.terminate() if how == "stop" else node.kill()
            # Intake stores and answers 201 while NATS is away.
            load.wait_accepted(window.accepted_before + 50, timeout=60)
            node.start()
            window.close(load)
            load.finish()
            procedure.finish()
        finally:
            load.stop()
        tally = settle(deployment, load, window, fault=f"nats single node {how}",
                       procedure=procedure)
        assert tally.accepted >= 300


async def _stream_leader(settings: Settings, stream: str) -> str:
    info = await stream_info(settings, stream)
    assert info.cluster is not None and info.cluster.leader
    return info.cluster.leader


async def _replicas_current(settings: Settings, stream: str, timeout: float = 60) -> None:
    """Until every replica of the stream is current, with no lag."""
    deadline = time.monotonic() + timeout
    while True:
        info = await stream_info(settings, stream)
        replicas = (info.cluster.replicas or []) if info.cluster else []
        if len(replicas) == 2 and all(r.current and not r.lag for r in replicas):
            return
        assert time.monotonic() < deadline, f"replicas not caught up: {replicas}"
        await asyncio.sleep(0.5)


def _node_named(nodes: list[NatsNode], name: str) -> NatsNode:
    return next(node for node in nodes if f"-n {name} " in " ".join(node.args) + " ")


def test_a_cluster_node_killed_mid_stream_the_flow_goes_on_and_it_catches_up(
    tmp_path: Path,
) -> None:
    nodes = nats_cluster(tmp_path)
    with deployed(tmp_path, nodes, replicas=3) as deployment:
        settings = deployment.settings
        load = Load(deployment["intake"].url, target=300).start()
        procedure = Procedure(deployment["triage"].url, deployment.settings, load).start()
        try:
            load.wait_accepted(100)
            # The stream's leader dies: the others elect a new one and go on.
            victim = _node_named(nodes, run(_stream_leader(deployment.settings,
                                                           settings.stream)))
            window = Window.open(deployment, load)
            victim.kill()
            load.wait_accepted(window.accepted_before + 100, timeout=90)
            victim.start()
            window.close(load)
            load.finish()
            procedure.finish()
        finally:
            load.stop()
        tally = settle(deployment, load, window, fault="nats cluster: stream leader killed",
                       procedure=procedure)
        assert tally.accepted >= 300
        # The node that came back holds a current copy of the whole stream.
        run(_replicas_current(deployment.settings, settings.stream))
