import OCPP

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
}
