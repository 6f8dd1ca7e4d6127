import OCPP

/// What the uplink needs to carry out the central system's UnlockConnector: the site controller unlocks the
/// compartment as an operator would (audited, the session stopped with reason UnlockCommand first).
public protocol ConnectorUnlocking: Sendable {
    func unlockConnector(_ connectorId: Int, actor: String) async -> UnlockStatus
}

extension OCPPUplink {
    /// The configuration keys the session code follows (ConnectionTimeOut, MeterValueSampleInterval,
    /// ClockAlignedDataInterval) that the central system set; a key it never set falls back to the site file.
    func sessionConfigurationValues() -> [String: String] {
        var values: [String: String] = [:]
        for key in [StandardConfigurationKey.connectionTimeOut, .meterValueSampleInterval, .clockAlignedDataInterval] {
            if let value = keys.values[key.rawValue] { values[key.rawValue] = value }
        }
        return values
    }

    /// StopTransactionOnInvalidId (default true).
    func stopsTransactionsOnInvalidId() -> Bool {
        registry.bool(.stopTransactionOnInvalidId, in: keys) ?? true
    }

    /// The measurands MeterValuesSampledData (or MeterValuesAlignedData) asks for.
    func sessionMeasurands(aligned: Bool) -> Set<Measurand> {
        Set(registry.measurands(aligned ? .meterValuesAlignedData : .meterValuesSampledData, in: keys))
    }

    /// UnlockConnector: the compartment of that connector is unlocked through the site (NotSupported for a
    /// connector that is no compartment, e.g. a charger's, or without a site that can unlock).
    func unlockConnector(_ request: UnlockConnectorRequest) async -> UnlockConnectorConfirmation {
        guard let site = connectors as? any ConnectorUnlocking else { return UnlockConnectorConfirmation(status: .notSupported) }
        return UnlockConnectorConfirmation(status: await site.unlockConnector(request.connectorId, actor: "central-system"))
    }
}

extension SiteController: ConnectorUnlocking {
    public func unlockConnector(_ connectorId: Int, actor: String) async -> UnlockStatus {
        guard let compartment = configuration.compartments.first(where: { $0.connectorId == connectorId }) else {
            return .notSupported
        }
        do {
            let result = try await operatorUnlock(
                compartment: compartment.name, reason: "UnlockConnector from the central system", actor: actor)
            return result.outcome == .unlocked ? .unlocked : .unlockFailed
        } catch {
            logger.error("UnlockConnector not carried out", metadata: ["connectorId": "\(connectorId)", "error": "\(error)"])
            return .unlockFailed
        }
    }
}
