import OCPP

/// The site controller is where the uplink takes connector statuses from.
extension SiteController: ConnectorStatusSource {
    public func currentConnectorStatuses() async -> [ConnectorStatus] {
        let site = status()
        return site.compartments.map(ConnectorStatus.init)
            + site.chargers.map { ConnectorStatus(connectorId: $0.connectorId, status: ChargePointStatus(rawValue: $0.status) ?? .unavailable) }
    }

    public nonisolated func connectorStatusChanges() -> AsyncStream<ConnectorStatus> {
        connectorStatusBroadcaster.changes()
    }
}
