// Tunables of the engine. Every field has a default, so a config file may name only what differs.

public enum BalancingMode: String, Sendable, Codable, CaseIterable {
    /// Configured limits only; meters are not consulted.
    case staticLimit
    /// Limits minus the base load measured by the meters of metered circuits.
    case dynamic
    /// As dynamic, and consumers share only the solar surplus (with start/stop delays).
    case solarOnly
    /// As dynamic, every session gets its minimum, and the solar surplus on top.
    case solarPlusMinimum
}

public enum DistributionStrategy: String, Sendable, Codable, CaseIterable {
    /// Everyone admitted gets the same current (max-min fair), within their own limits.
    case equalShare
    /// The earliest session gets as much as it can take, then the next.
    case firstComeFirstServed
    /// Higher priority levels are admitted and filled first; equal share within a level.
    case priority
}

public enum ShortagePolicy: String, Sendable, Codable, CaseIterable {
    /// When not everyone can get their minimum, the earliest sessions keep charging.
    case firstIn
    /// When not everyone can get their minimum, paused sessions take turns every rotation period.
    case rotate
}

public struct SolarSettings: Sendable, Equatable, Codable {
    /// Surplus (W) at or above which charging may start, after `startDelay` seconds.
    public var startThreshold: Double
    /// Surplus (W) below which charging stops, after `stopDelay` seconds.
    public var stopThreshold: Double
    public var startDelay: Double
    public var stopDelay: Double
    /// Whether power flowing into a home battery counts as surplus the consumers may take.
    public var batteryChargeCountsAsSurplus: Bool

    public init(
        startThreshold: Double = 1400, stopThreshold: Double = 0, startDelay: Double = 60,
        stopDelay: Double = 300, batteryChargeCountsAsSurplus: Bool = false
    ) {
        self.startThreshold = startThreshold
        self.stopThreshold = stopThreshold
        self.startDelay = startDelay
        self.stopDelay = stopDelay
        self.batteryChargeCountsAsSurplus = batteryChargeCountsAsSurplus
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SolarSettings()
        startThreshold = try c.decodeIfPresent(Double.self, forKey: .startThreshold) ?? d.startThreshold
        stopThreshold = try c.decodeIfPresent(Double.self, forKey: .stopThreshold) ?? d.stopThreshold
        startDelay = try c.decodeIfPresent(Double.self, forKey: .startDelay) ?? d.startDelay
        stopDelay = try c.decodeIfPresent(Double.self, forKey: .stopDelay) ?? d.stopDelay
        batteryChargeCountsAsSurplus =
            try c.decodeIfPresent(Bool.self, forKey: .batteryChargeCountsAsSurplus) ?? d.batteryChargeCountsAsSurplus
    }
}

public struct BalancingSettings: Sendable, Equatable, Codable {
    /// Phase-to-neutral voltage used to convert between amperes and watts.
    public var nominalVoltage: Double
    public var mode: BalancingMode
    public var strategy: DistributionStrategy
    public var shortage: ShortagePolicy
    /// Seconds between rotations of paused sessions (shortage policy `rotate`).
    public var rotationPeriod: Double
    /// A charger's setpoint changes only when the new value differs by at least this (A),
    /// unless a lower value is needed to keep a limit.
    public var setpointStep: Double
    /// Setpoints are rounded down to a multiple of this (A); 0 disables rounding.
    public var currentResolution: Double
    /// Largest increase of a charger's setpoint per `rampInterval` (A); nil: no ramp.
    public var rampStep: Double?
    public var rampInterval: Double
    /// Default seconds after which a meter reading is no longer used.
    public var meterStaleAfter: Double
    public var solar: SolarSettings
    /// Offset of local time from UTC in seconds, for schedules (the daemon updates it across DST).
    public var utcOffset: Double

    public init(
        nominalVoltage: Double = 230, mode: BalancingMode = .dynamic, strategy: DistributionStrategy = .equalShare,
        shortage: ShortagePolicy = .firstIn, rotationPeriod: Double = 900, setpointStep: Double = 1,
        currentResolution: Double = 0.1, rampStep: Double? = nil, rampInterval: Double = 10,
        meterStaleAfter: Double = 15, solar: SolarSettings = SolarSettings(), utcOffset: Double = 0
    ) {
        self.nominalVoltage = nominalVoltage
        self.mode = mode
        self.strategy = strategy
        self.shortage = shortage
        self.rotationPeriod = rotationPeriod
        self.setpointStep = setpointStep
        self.currentResolution = currentResolution
        self.rampStep = rampStep
        self.rampInterval = rampInterval
        self.meterStaleAfter = meterStaleAfter
        self.solar = solar
        self.utcOffset = utcOffset
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = BalancingSettings()
        nominalVoltage = try c.decodeIfPresent(Double.self, forKey: .nominalVoltage) ?? d.nominalVoltage
        mode = try c.decodeIfPresent(BalancingMode.self, forKey: .mode) ?? d.mode
        strategy = try c.decodeIfPresent(DistributionStrategy.self, forKey: .strategy) ?? d.strategy
        shortage = try c.decodeIfPresent(ShortagePolicy.self, forKey: .shortage) ?? d.shortage
        rotationPeriod = try c.decodeIfPresent(Double.self, forKey: .rotationPeriod) ?? d.rotationPeriod
        setpointStep = try c.decodeIfPresent(Double.self, forKey: .setpointStep) ?? d.setpointStep
        currentResolution = try c.decodeIfPresent(Double.self, forKey: .currentResolution) ?? d.currentResolution
        rampStep = try c.decodeIfPresent(Double.self, forKey: .rampStep)
        rampInterval = try c.decodeIfPresent(Double.self, forKey: .rampInterval) ?? d.rampInterval
        meterStaleAfter = try c.decodeIfPresent(Double.self, forKey: .meterStaleAfter) ?? d.meterStaleAfter
        solar = try c.decodeIfPresent(SolarSettings.self, forKey: .solar) ?? d.solar
        utcOffset = try c.decodeIfPresent(Double.self, forKey: .utcOffset) ?? d.utcOffset
    }
}
