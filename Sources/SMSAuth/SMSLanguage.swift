/// The language of replies: chosen from the keyword the driver used, else the site default.
public enum SMSLanguage: String, Sendable, Equatable, Hashable, CaseIterable, Codable {
    case de
    case en
}
