"""Benchmark: village → nearest market along roads, ntmgis (scipy.sparse.csgraph multi-source
Dijkstra) vs networkx (``multi_source_dijkstra_path_length``) on the same graph and snapping.

Prints medians, the speed-up and whether both give the same distances (1e-6 relative). Not a
test. Needs the ``bench`` extra (networkx): ``pip install -e '.[bench]'``.

    .venv/bin/python benchmarks/bench_reach.py                  # 80,000 villages, ~1M edges
    .venv/bin/python benchmarks/bench_reach.py --edges 100000 --villages 8000
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import timed  # noqa: E402
from synthetic import synthetic_network  # noqa: E402

from ntmgis.analysis.access import market_reach, road_graph  # noqa: E402


def ours(roads, villages, markets) -> np.ndarray:
    return market_reach(roads, villages, markets)["network_m"].to_numpy()


def baseline(roads, villages, markets) -> np.ndarray:
    """networkx on the same graph: edges, snaps and virtual market nodes built the same way."""
    import networkx as nx

    graph = road_graph(roads)  # same nodes and edge lengths: only the shortest-path engine differs
    upper = graph.adjacency.tocoo()
    keep = upper.row < upper.col
    g = nx.Graph()
    g.add_weighted_edges_from(
        zip(upper.row[keep].tolist(), upper.col[keep].tolist(), upper.data[keep].tolist(), strict=True)
    )
    village_xy = np.column_stack([villages.geometry.x, villages.geometry.y])
    market_xy = np.column_stack([markets.geometry.x, markets.geometry.y])
    v_node, v_snap = graph.snap(village_xy)
    m_node, m_snap = graph.snap(market_xy)
    n = len(graph.nodes)
    for k, (node, snap) in enumerate(zip(m_node.tolist(), m_snap.tolist(), strict=True)):
        g.add_edge(n + k, node, weight=snap)
    dist = nx.multi_source_dijkstra_path_length(g, set(range(n, n + len(markets))))
    return np.array([v_snap[i] + dist.get(int(v_node[i]), np.nan) for i in range(len(villages))])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--edges", type=int, default=1_000_000)
    parser.add_argument("--villages", type=int, default=80_000)
    parser.add_argument("--markets", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    roads, villages, markets = synthetic_network(args.edges, args.villages, args.markets, seed=1)
    edges = road_graph(roads).n_edges
    t_ours, mine = timed(ours, roads, villages, markets, repeat=args.repeat)
    t_base, base = timed(baseline, roads, villages, markets, repeat=1)
    same = np.allclose(mine, base, rtol=1e-6, equal_nan=True)
    print(f"{'villages':>9}{'markets':>9}{'edges':>10}{'ntmgis s':>10}{'networkx s':>12}{'ratio':>8}  same")
    print(
        f"{len(villages):>9}{len(markets):>9}{edges:>10}{t_ours:>10.2f}{t_base:>12.2f}"
        f"{t_base / t_ours:>7.1f}×  {same}"
    )


if __name__ == "__main__":
    main()
