import OCPP

/// The site controller is where the uplink takes connector statuses from.
extension SiteController: ConnectorStatusSource {
    public func currentConnectorStatuses() async -> [ConnectorStatus] {
        let site = status()
        // Connector 0 is the charge point itself: Unavailable while the whole site is inoperative (Operations/).
        return [chargePointStatus()] + site.compartments.map(ConnectorStatus.init)
            + site.chargers.map {
                ConnectorStatus(connectorId: $0.connectorId, status: ChargePointStatus(rawValue: $0.status) ?? .unavailable, fault: $0.fault)
            }
    }

    public nonisolated func connectorStatusChanges() -> AsyncStream<ConnectorStatus> {
        connectorStatusBroadcaster.changes()
    }
}
