import LoadBalancing
import Metrics

/// Load balancing's metrics (swift-metrics; exported at /metrics): per grid phase what is available, the base
/// load and the headroom, per connector what is allocated, whether the safe limit is in force, and steps taken.
enum BalancingMetrics {
    static func record(_ outcome: BalancingOutcome, consumers: [ConsumerID: BalancingLoopState.ConsumerInfo]) {
        Counter(label: "edge_agent_balancing_steps_total").increment()
        if let grid = outcome.circuit(BalancingSiteMapping.gridCircuit) {
            for (name, phase) in [("L1", Phase.l1), ("L2", .l2), ("L3", .l3)] {
                let dimensions = [("phase", name)]
                Gauge(label: "edge_agent_balancing_base_load_amps", dimensions: dimensions).record(grid.baseLoad[phase])
                Gauge(label: "edge_agent_balancing_allocated_amps_total", dimensions: dimensions)
                    .record(grid.allocated[phase])
                if let available = grid.available {
                    Gauge(label: "edge_agent_balancing_available_amps", dimensions: dimensions).record(available[phase])
                }
                if let headroom = grid.headroom {
                    Gauge(label: "edge_agent_balancing_headroom_amps", dimensions: dimensions).record(headroom[phase])
                }
            }
            Gauge(label: "edge_agent_balancing_on_safe_limit").record(grid.onSafeLimit ? 1 : 0)
        }
        var paused = 0
        for setpoint in outcome.setpoints {
            guard let info = consumers[setpoint.consumer] else { continue }
            Gauge(label: "edge_agent_balancing_allocated_amps", dimensions: [("connector", "\(info.connectorId)")])
                .record(setpoint.current)
            if !setpoint.on, setpoint.reason != .noSession { paused += 1 }
        }
        Gauge(label: "edge_agent_balancing_paused_consumers").record(paused)
    }
}
