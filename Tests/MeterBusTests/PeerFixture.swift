/// Engineering values the pymodbus peer serves (encoded by its own register maps) and our
/// reader must decode. Chosen to exercise word order (values above 16 bits, negatives, 64-bit
/// counters), scale factors (fixed scales and SunSpec scale-factor registers, negative and
/// positive) and "not available" sentinels (nil: NaN, all ones, largest positive, SunSpec patterns).
enum PeerFixture {
    struct Device: Encodable {
        let unit: Int
        let values: [String: Double?]
    }

    /// Unit ids are valid on RTU too (1...247), so both transports serve the same devices.
    static let devices: [String: Device] = [
        "eastron-sdm630": Device(unit: 1, values: [
            "voltage-l1": 230.5, "voltage-l2": 231.25, "voltage-l3": nil,
            "current-l1": 12.25, "current-l2": 8.5, "current-l3": 0.125,
            "power-l1": 2825, "power-l2": -410.5, "power-l3": 0, "power": 2414.5,
            "frequency": 49.96875, "energy-import": 123_456.5, "energy-export": 42.75, "energy-total": 123_499.25,
        ]),
        "eastron-sdm120": Device(unit: 2, values: [
            "voltage": 229.75, "current": 6.5, "power": 1493.25, "frequency": 50.125,
            "energy-import": 3141.5, "energy-export": 0,
        ]),
        "eastron-sdm72": Device(unit: 3, values: [
            "voltage-l1": 232, "voltage-l2": 233.5, "voltage-l3": nil,
            "current-l1": 10, "current-l2": 11.25, "current-l3": nil,
            "power": 7200.5, "frequency": 50, "energy-import": 98_765.5, "energy-export": 1.5, "energy-total": 98_767,
        ]),
        "abb-b23": Device(unit: 4, values: [
            "energy-import": 4321.25, "energy-export": 98_765_432.1,
            "voltage-l1": 230.1, "voltage-l2": nil, "voltage-l3": 229.8,
            "current-l1": 15.37, "current-l2": nil, "current-l3": 0.05,
            "power": -3456.78, "power-l1": 1000.01, "power-l2": nil, "power-l3": -4456.79,
            "frequency": 49.99,
        ]),
        "carlo-gavazzi-em24": Device(unit: 5, values: [
            "voltage-l1": 231.4, "voltage-l2": 230.9, "voltage-l3": 232,
            "current-l1": 12.345, "current-l2": 0.001, "current-l3": 6.5,
            "power-l1": 2856.3, "power-l2": -15.7, "power-l3": 1500.5, "power": 4341.1,
            "frequency": 49.9, "energy-import": 54_321.9, "energy-export": 12.3,
        ]),
        "sunspec-inverter": Device(unit: 6, values: [
            "current-sf": -2, "current": 20.5, "current-l1": 6.83, "current-l2": 6.84, "current-l3": nil,
            "voltage-sf": -1, "voltage-l1": 229.9, "voltage-l2": 230.4, "voltage-l3": nil,
            "power-sf": 1, "power": 4560, "frequency-sf": -2, "frequency": 50.01,
            "energy-sf": 1, "energy": 123_456_780, "dc-power-sf": 0, "dc-power": 4700, "operating-state": 4,
            "mppt-current-sf": -2, "mppt-voltage-sf": -1, "mppt-power-sf": 0,
            "mppt1-current": 5.12, "mppt1-voltage": 452.3, "mppt1-power": 2316,
            "mppt2-current": 4.87, "mppt2-voltage": 448.8, "mppt2-power": nil,
        ]),
        "phoenix-ev-charge-control": Device(unit: 7, values: [
            "charging-state": 67, "charging-time": 86_461,
            "voltage-l1": 231, "voltage-l2": 230, "voltage-l3": 229,
            "current-l1": 16, "current-l2": 16, "current-l3": 15, "power": 11_040, "energy": 123_456,
            "charging-enabled": 1, "current-setpoint": 16,
        ]),
    ]
}
