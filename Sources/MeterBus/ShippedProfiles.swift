/// Profiles compiled into the binary as YAML text, so they work when the executable is
/// copied alone to /usr/local/bin. They are parsed exactly like integrator files.
public enum ShippedProfiles {
    /// Profile name -> YAML text.
    public static let yaml: [String: String] = [
        "eastron-sdm630": eastronSDM630,
        "eastron-sdm120": eastronSDM120,
        "eastron-sdm72": eastronSDM72,
        "abb-b23": abbB23,
        "carlo-gavazzi-em24": carloGavazziEM24,
        "sunspec-inverter": sunSpecInverter,
        "phoenix-ev-charge-control": phoenixEVChargeControl,
    ]
}
