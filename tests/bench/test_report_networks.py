"""The report's networks section: CPU vs kernel device per network and phase, and the per-op breakdown."""
from warpbench.bench.report.document import Chart, Table
from warpbench.bench.report.networks import (NetworkTiming, breakdown_rows, network_sections, time_network,
                                             timing_chart, timing_table)
from warpbench.graph.profiling import OpClassStats


def _timing(network, phase, device, seconds, error=""):
    ops = (OpClassStats("Dot", seconds * 0.75, 1, 1, 0), OpClassStats("Softmax", seconds * 0.25, 1, 1, 0))
    return NetworkTiming(network, phase, device, seconds, () if error else ops, error)


def test_a_profiled_call_gives_the_time_and_its_op_classes():
    timing = time_network("mlp", "forward", "cpu", tiny=True)
    assert not timing.error and timing.seconds > 0
    assert "Dot" in {c.name for c in timing.ops}
    assert sum(c.seconds for c in timing.ops) <= timing.seconds * 1.5


def test_an_unavailable_device_is_a_row_with_the_reason():
    from warpbench.runtime import cuda_status
    if cuda_status()[0]:
        return
    timing = time_network("mlp", "forward", "cuda", tiny=True)
    assert timing.error and timing.seconds == 0


def test_the_table_has_a_column_per_device_and_the_speed_up():
    timings = [_timing("mlp", "forward", "cpu", 2e-3), _timing("mlp", "forward", "cuda", 1e-3),
               _timing("lenet", "forward", "cpu", 4e-3), _timing("lenet", "forward", "cuda", 0, "no GPU")]
    headers, rows = timing_table(timings)
    assert headers[:4] == ["network", "phase", "cpu", "cuda"] and "speed-up" in headers[4]
    assert rows[0] == ["mlp", "forward", "2 ms", "1 ms", "2×"]
    assert rows[1] == ["lenet", "forward", "4 ms", "no GPU", ""]


def test_the_breakdown_lists_the_op_classes_by_share():
    rows = breakdown_rows([_timing("mlp", "train_step", "cpu", 1e-3)], top=1)
    assert rows == [["mlp", "train_step", "cpu", "1 ms", "Dot 75%, other 25%"]]


def test_the_sections_hold_a_chart_and_tables():
    timings = [_timing("mlp", "forward", "cpu", 2e-3), _timing("mlp", "forward", "emu", 5e-3)]
    sections = network_sections(timings)
    assert [s.title for s in sections] == ["Networks: CPU vs kernel device", "Networks: time per op class"]
    assert any(isinstance(p, Chart) and p.svg.startswith("<svg") for p in sections[0].parts)
    assert any(isinstance(p, Table) for p in sections[1].parts)
    assert timing_chart([_timing("mlp", "forward", "cpu", 0, "failed")]) is None
    assert network_sections([]) == []
